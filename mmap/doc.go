// Package mmap is smelt's mapping manager: it maps model files, hands out
// zero-copy views of each tensor's bytes, and tracks, per tensor, where the
// tensor lives now (used in place from the mapping, copied or repacked into
// a host buffer, uploaded to a device) and how many of its source pages are
// in memory.
//
// Once a tensor lives elsewhere its source pages can be given back:
// Reclaim is madvise(MADV_DONTNEED) on the tensor's range rounded inward to
// whole pages, so neighbouring tensors keep theirs; Evict drops the files'
// pages from the page cache (posix_fadvise POSIX_FADV_DONTNEED). Reclaimed
// bytes stay readable: they fault back in from the file.
//
// Three modes: ModeMap (shared read-only mapping), ModePrivate (writable
// copy-on-write mapping, for patching tensors in place without ever writing
// the file) and ModeRead (no mapping: tensors are read by a bounded number
// of workers into one anonymous arena that asks for huge pages, from which
// weights stream about three times faster than from page-cache pages). Lock pins the mappings (mlock).
//
// ReadProcessMemory reports the process's memory from the kernel's own
// accounting (smaps_rollup, status, getrusage), for benchmarks and logs.
//
// Mapping is implemented for Linux; elsewhere only ModeRead works.
package mmap
