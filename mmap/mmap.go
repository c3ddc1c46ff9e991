package mmap

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"

	"github.com/smeltlm/smelt/gguf"
)

// Mode chooses how tensor bytes reach memory.
type Mode int

const (
	// ModeMap maps files read-only and shared: views are zero-copy and the
	// page cache is shared with other processes (llama.cpp's default).
	ModeMap Mode = iota
	// ModePrivate maps files copy-on-write and writable: tensors may be
	// patched in place (Writable) and the file never changes.
	ModePrivate
	// ModeRead reads every tensor, with a bounded number of workers, into
	// one anonymous arena (64-byte aligned slots, a huge-page hint); the
	// file is not mapped (llama.cpp's --no-mmap).
	ModeRead
)

func (m Mode) String() string {
	switch m {
	case ModeMap:
		return "mmap"
	case ModePrivate:
		return "mmap-private"
	case ModeRead:
		return "read"
	}
	return fmt.Sprintf("mode(%d)", int(m))
}

// ReadAhead is a hint about how the mapping will be read.
type ReadAhead int

const (
	ReadAheadNone       ReadAhead = iota
	ReadAheadSequential           // MADV_SEQUENTIAL: aggressive read-ahead, early drop behind
	ReadAheadWillNeed             // MADV_WILLNEED: start reading everything now
)

// Options configures Open.
type Options struct {
	Mode      Mode
	ReadAhead ReadAhead
	// Lock pins mapped pages in memory (mlock); Reclaim is then a no-op.
	Lock bool
	// Workers bounds concurrent reads in ModeRead (default: GOMAXPROCS, at most 8).
	Workers int
	// KeepSource makes Moved and CopyToHost keep the source pages (no reclaim).
	KeepSource bool
	// Progress, if set, is called as tensor bytes are read (ModeRead) or
	// mapped, with the bytes done and the total; calls may come from
	// several goroutines but never run at the same time.
	Progress func(done, total int64)
}

// Region names a tensor's bytes: Size bytes at Offset in file File.
type Region struct {
	Name   string
	File   int
	Offset int64
	Size   int64
}

// HomeKind says where a tensor's working copy lives.
type HomeKind int

const (
	// HomeMapped: used in place from the mapping (or its ModeRead buffer).
	HomeMapped HomeKind = iota
	// HomeHost: copied or repacked into a host buffer the engine owns.
	HomeHost
	// HomeDevice: uploaded to an accelerator.
	HomeDevice
	// HomeRepacked: rewritten in host memory the engine owns into a layout
	// its kernels stream (the host copy, or the ModeRead buffer, in place).
	HomeRepacked
)

// Home is where a tensor lives now. Device is the device index for HomeDevice.
type Home struct {
	Kind   HomeKind
	Device int
}

func (h Home) String() string {
	switch h.Kind {
	case HomeMapped:
		return "mapped"
	case HomeHost:
		return "host"
	case HomeDevice:
		return fmt.Sprintf("device%d", h.Device)
	case HomeRepacked:
		return "repacked"
	}
	return fmt.Sprintf("home(%d)", int(h.Kind))
}

// Residency reports where a tensor lives and how much of its source is in
// memory. Page counts cover the pages the tensor's bytes touch; -1 means the
// kernel could not tell (not mapped, or not supported here).
type Residency struct {
	Home      Home
	Size      int64
	Pages     int  // pages the source range spans
	Cached    int  // of those, pages in the page cache (mincore)
	Present   int  // of those, pages mapped into this process (/proc/self/pagemap)
	Reclaimed bool // Reclaim has run since the tensor was last read
}

var (
	// ErrNoTensor is wrapped when a name is not in the Map.
	ErrNoTensor = errors.New("no such tensor")
	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("mmap: map is closed")
	// ErrDirty is wrapped when Reclaim would discard bytes patched through Writable.
	ErrDirty = errors.New("tensor was patched in place")
)

type file struct {
	f    *os.File
	size int64
	data []byte // whole-file mapping; nil in ModeRead
}

type tensor struct {
	region    Region
	buf       []byte // ModeRead: the tensor's slot in the arena
	host      []byte // after CopyToHost: the tensor's slot in the host buffer
	home      Home
	dirty     bool
	reclaimed bool
}

// Map holds the mapped (or read) files of a model and the residency of each
// of its tensors. Its methods are safe for concurrent use.
type Map struct {
	opts   Options
	mu     sync.Mutex
	files  []*file
	ts     []tensor
	byName map[string]int
	locked bool
	closed bool
	arena  []byte // ModeRead: one anonymous allocation holding every tensor
	host   []byte // CopyToHost's anonymous buffer
}

// OpenModel maps every shard of a GGUF model and registers its tensors.
func OpenModel(m *gguf.Model, opts Options) (*Map, error) {
	regions := make([]Region, len(m.Tensors))
	for i, t := range m.Tensors {
		regions[i] = Region{Name: t.Name, File: t.Shard, Offset: t.FileOffset, Size: int64(t.Size)}
	}
	return Open(m.Paths(), regions, opts)
}

// Open maps (or, in ModeRead, reads) the files and registers the regions.
// Empty files and regions outside their file are errors.
func Open(paths []string, regions []Region, opts Options) (_ *Map, err error) {
	m := &Map{opts: opts, byName: make(map[string]int, len(regions))}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	for _, p := range paths {
		fh, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("mmap: %w", err)
		}
		fl := &file{f: fh}
		m.files = append(m.files, fl)
		st, err := fh.Stat()
		if err != nil {
			return nil, fmt.Errorf("mmap: %w", err)
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("mmap: %s is not a regular file", p)
		}
		if fl.size = st.Size(); fl.size == 0 {
			return nil, fmt.Errorf("mmap: %s is empty", p)
		}
	}
	for _, r := range regions {
		if r.File < 0 || r.File >= len(m.files) {
			return nil, fmt.Errorf("mmap: tensor %q is in file %d of %d", r.Name, r.File, len(m.files))
		}
		size := m.files[r.File].size
		if r.Offset < 0 || r.Size < 0 || r.Offset > size || r.Size > size-r.Offset {
			return nil, fmt.Errorf("mmap: tensor %q (%d bytes at %d) lies outside %s (%d bytes): file too short",
				r.Name, r.Size, r.Offset, m.files[r.File].f.Name(), size)
		}
		if _, dup := m.byName[r.Name]; dup {
			return nil, fmt.Errorf("mmap: duplicate tensor %q", r.Name)
		}
		m.byName[r.Name] = len(m.ts)
		m.ts = append(m.ts, tensor{region: r})
	}
	if opts.Mode == ModeRead {
		return m, m.readAll()
	}
	defer m.reportDone()
	for _, fl := range m.files {
		if fl.data, err = sysMap(fl.f, fl.size, opts.Mode == ModePrivate); err != nil {
			return nil, fmt.Errorf("mmap: mapping %s: %w", fl.f.Name(), err)
		}
	}
	if opts.ReadAhead != ReadAheadNone {
		if err := m.Advise(opts.ReadAhead); err != nil {
			return nil, err
		}
	}
	if opts.Lock {
		if err := m.Lock(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// readAll fills each tensor's slot of the arena, with at most Workers reads in flight.
func (m *Map) readAll() error {
	workers := m.opts.Workers
	if workers <= 0 {
		workers = min(runtime.GOMAXPROCS(0), 8)
	}
	if m.opts.ReadAhead == ReadAheadSequential {
		for _, fl := range m.files {
			sysFadviseSequential(fl.f, fl.size)
		}
	}
	jobs := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	var progress sync.Mutex
	var done, total int64
	// One anonymous arena for all tensors, each at a 64-byte boundary:
	// where the kernel grants huge pages to it, weights stream from it
	// about three times faster than from 4 KiB page-cache pages.
	offs := make([]int64, len(m.ts))
	var arenaSize int64
	for i, t := range m.ts {
		total += t.region.Size
		offs[i] = arenaSize
		arenaSize = roundUp(arenaSize+t.region.Size, 64)
	}
	arena, err := sysAnon(arenaSize)
	if err != nil {
		return fmt.Errorf("mmap: allocating %d bytes for the weights: %w", arenaSize, err)
	}
	m.arena = arena
	for range workers {
		wg.Go(func() {
			var first error
			for i := range jobs {
				if first != nil {
					continue
				}
				t := &m.ts[i]
				buf := arena[offs[i] : offs[i]+t.region.Size : offs[i]+t.region.Size]
				if _, err := m.files[t.region.File].f.ReadAt(buf, t.region.Offset); err != nil {
					first = fmt.Errorf("mmap: reading tensor %q: %w", t.region.Name, err)
					continue
				}
				t.buf = buf
				if m.opts.Progress != nil {
					progress.Lock()
					done += t.region.Size
					m.opts.Progress(done, total)
					progress.Unlock()
				}
			}
			errs <- first
		})
	}
	for i := range m.ts {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// reportDone tells Progress that a mapping is complete (mapping is instant:
// pages arrive as they are first read).
func (m *Map) reportDone() {
	if m.opts.Progress == nil {
		return
	}
	var total int64
	for _, t := range m.ts {
		total += t.region.Size
	}
	m.opts.Progress(total, total)
}

// Mode returns the mode the Map was opened with.
func (m *Map) Mode() Mode { return m.opts.Mode }

// Names returns the registered tensor names in registration order.
func (m *Map) Names() []string {
	out := make([]string, len(m.ts))
	for i := range m.ts {
		out[i] = m.ts[i].region.Name
	}
	return out
}

func (m *Map) find(name string) (*tensor, error) {
	if m.closed {
		return nil, ErrClosed
	}
	i, ok := m.byName[name]
	if !ok {
		return nil, fmt.Errorf("mmap: %q: %w", name, ErrNoTensor)
	}
	return &m.ts[i], nil
}

// bytes returns the tensor's working bytes without copying: its host copy
// if it has one, else its source.
func (m *Map) bytes(t *tensor) []byte {
	if t.host != nil {
		return t.host
	}
	if m.opts.Mode == ModeRead {
		return t.buf
	}
	r := t.region
	return m.files[r.File].data[r.Offset : r.Offset+r.Size : r.Offset+r.Size]
}

// View returns the tensor's bytes without copying: its host copy after
// CopyToHost, else the mapping (or the arena in ModeRead). The slice must
// not be written (in ModeMap it is read-only memory) and must not be used
// after Close. Reading a reclaimed range of the mapping faults the pages
// back in from the file.
func (m *Map) View(name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.find(name)
	if err != nil {
		return nil, err
	}
	t.reclaimed = false
	return m.bytes(t), nil
}

// Writable returns a writable view of the tensor for patching in place. It
// needs ModePrivate (copy-on-write: the file is never written) or ModeRead.
// A patched tensor is marked dirty and Reclaim refuses to discard it.
func (m *Map) Writable(name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.find(name)
	if err != nil {
		return nil, err
	}
	if m.opts.Mode == ModeMap {
		return nil, fmt.Errorf("mmap: %q: a shared read-only mapping cannot be patched; open with ModePrivate", name)
	}
	t.dirty, t.reclaimed = true, false
	return m.bytes(t), nil
}

// SetHome records where a tensor's working copy now lives.
func (m *Map) SetHome(name string, h Home) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.find(name)
	if err != nil {
		return err
	}
	t.home = h
	return nil
}

// Moved records that a tensor now lives at h (a repacked host copy, a
// device) and, unless the Map keeps sources, reclaims its source pages. It
// returns the bytes reclaimed.
func (m *Map) Moved(name string, h Home) (int64, error) {
	if err := m.SetHome(name, h); err != nil {
		return 0, err
	}
	if m.opts.KeepSource || h.Kind == HomeMapped {
		return 0, nil
	}
	return m.Reclaim(name)
}

// Reclaim drops the tensor's source pages from this process with
// madvise(MADV_DONTNEED) on its range rounded inward to whole pages (pages
// shared with a neighbouring tensor are kept). The bytes stay readable
// through View: they fault back in from the file. It returns the bytes
// released from the mapping, and is a no-op (0, nil) under Lock and in
// ModeRead. In ModePrivate a tensor patched through Writable is refused
// (ErrDirty), as its patch would be lost.
func (m *Map) Reclaim(name string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.find(name)
	if err != nil {
		return 0, err
	}
	return m.reclaim(t)
}

func (m *Map) reclaim(t *tensor) (int64, error) {
	if m.opts.Mode == ModeRead || m.locked {
		return 0, nil
	}
	if t.dirty {
		return 0, fmt.Errorf("mmap: reclaim %q: %w", t.region.Name, ErrDirty)
	}
	fl := m.files[t.region.File]
	lo := roundUp(t.region.Offset, pageSize)
	hi := roundDown(t.region.Offset+t.region.Size, pageSize)
	if hi <= lo {
		return 0, nil
	}
	if err := sysDontNeed(fl.data[lo:hi]); err != nil {
		return 0, fmt.Errorf("mmap: reclaim %q: %w", t.region.Name, err)
	}
	t.reclaimed = true
	return hi - lo, nil
}

// HostCopy reports what CopyToHost did.
type HostCopy struct {
	Tensors   int   // tensors copied
	Bytes     int64 // bytes copied (the host buffer holds them 64-byte aligned)
	Reclaimed int64 // source bytes released from the mapping
}

// CopyToHost moves the named tensors into one anonymous host buffer that
// the Map owns (each tensor 64-byte aligned; transparent huge pages where
// the kernel grants them, from which weights stream about three times
// faster than from 4 KiB page-cache pages). From then on View returns the
// copy, the tensor's home is HomeHost and, unless Options.KeepSource is
// set, its source pages are reclaimed right after it is copied, so the
// process never holds a tensor twice. A tensor patched through Writable
// is copied with its patch and its source is kept. In ModeRead the
// tensors already live in anonymous memory: nothing is done. Tensors
// copied before are skipped. The buffer is freed by Close.
func (m *Map) CopyToHost(names []string) (HostCopy, error) {
	return m.CopyToHostWith(names, CopyOptions{})
}

// CopyOptions adjust CopyToHostWith.
type CopyOptions struct {
	// Run, if set, calls fn on ranges covering [0, n) from several
	// threads and returns when all are done (kernels.Pool.Run): tensors
	// are then copied in parallel.
	Run func(n int, fn func(lo, hi int))
	// Fill, if set, writes a tensor's host copy dst from its source src
	// (same size) in place of a plain copy, and reports whether it changed
	// the layout (the tensor's home is then HomeRepacked). It is called
	// from Run's threads, one tensor at a time per thread.
	Fill func(name string, dst, src []byte) (repacked bool, err error)
}

// CopyToHostWith is CopyToHost with tensors filled by o.Fill, possibly
// repacked, and spread over o.Run's threads. Each tensor's source is
// reclaimed as soon as its copy is written.
func (m *Map) CopyToHostWith(names []string, o CopyOptions) (HostCopy, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var hc HostCopy
	if m.closed {
		return hc, ErrClosed
	}
	if m.opts.Mode == ModeRead {
		return hc, nil
	}
	if m.host != nil {
		return hc, fmt.Errorf("mmap: CopyToHost was already called")
	}
	var ts []*tensor
	var offs []int64
	var size int64
	for _, name := range names {
		t, err := m.find(name)
		if err != nil {
			return hc, err
		}
		if t.host == nil && !slices.Contains(ts, t) {
			ts = append(ts, t)
			offs = append(offs, size)
			size = roundUp(size+t.region.Size, 64)
		}
	}
	buf, err := sysAnon(size)
	if err != nil {
		return hc, fmt.Errorf("mmap: allocating %d bytes for host copies: %w", size, err)
	}
	m.host = buf
	type result struct {
		repacked  bool
		reclaimed int64
		err       error
	}
	res := make([]result, len(ts))
	run := o.Run
	if run == nil {
		run = func(n int, fn func(lo, hi int)) { fn(0, n) }
	}
	run(len(ts), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			t, r := ts[i], &res[i]
			n := t.region.Size
			dst := buf[offs[i] : offs[i]+n : offs[i]+n]
			src := m.bytes(t)
			if o.Fill != nil {
				r.repacked, r.err = o.Fill(t.region.Name, dst, src)
			} else {
				copy(dst, src)
			}
			if r.err != nil || m.opts.KeepSource || t.dirty {
				continue
			}
			// Each tensor's inward-rounded pages are its own: the
			// threads reclaim disjoint ranges.
			r.reclaimed, r.err = m.reclaim(t)
		}
	})
	for i, t := range ts {
		if err := res[i].err; err != nil {
			return hc, fmt.Errorf("mmap: copying %q: %w", t.region.Name, err)
		}
	}
	for i, t := range ts {
		n := t.region.Size
		t.host = buf[offs[i] : offs[i]+n : offs[i]+n]
		t.home = Home{Kind: HomeHost}
		if res[i].repacked {
			t.home.Kind = HomeRepacked
		}
		hc.Tensors++
		hc.Bytes += n
		hc.Reclaimed += res[i].reclaimed
	}
	return hc, nil
}

// Residency reports where the tensor lives and how many of its source pages
// are in the page cache and in this process.
func (m *Map) Residency(name string) (Residency, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.find(name)
	if err != nil {
		return Residency{}, err
	}
	r := Residency{Home: t.home, Size: t.region.Size, Cached: -1, Present: -1, Reclaimed: t.reclaimed}
	if t.region.Size == 0 {
		r.Cached, r.Present = 0, 0
		return r, nil
	}
	lo := roundDown(t.region.Offset, pageSize)
	hi := roundUp(t.region.Offset+t.region.Size, pageSize)
	r.Pages = int((hi - lo) / pageSize)
	if m.opts.Mode == ModeRead {
		return r, nil
	}
	fl := m.files[t.region.File]
	// The mapping's last page may extend past the file's last byte.
	span := fl.data[lo:min(hi, int64(len(fl.data)))]
	if n, err := sysCached(span); err == nil {
		r.Cached = n
	}
	if n, err := sysPresent(span); err == nil {
		r.Present = n
	}
	return r, nil
}

// Advise passes a read-ahead hint for every mapping (or, in ModeRead, file).
func (m *Map) Advise(ra ReadAhead) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	for _, fl := range m.files {
		var err error
		if fl.data != nil {
			err = sysAdvise(fl.data, ra)
		} else if ra == ReadAheadSequential {
			err = sysFadviseSequential(fl.f, fl.size)
		}
		if err != nil {
			return fmt.Errorf("mmap: advise %s: %w", fl.f.Name(), err)
		}
	}
	return nil
}

// Lock pins every mapping in memory (mlock). Reclaim is a no-op while locked.
func (m *Map) Lock() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	if m.opts.Mode == ModeRead || m.locked {
		return nil
	}
	for i, fl := range m.files {
		if err := sysLock(fl.data); err != nil {
			for _, g := range m.files[:i] {
				sysUnlock(g.data)
			}
			return fmt.Errorf("mmap: mlock %s (%d bytes; see ulimit -l): %w", fl.f.Name(), fl.size, err)
		}
	}
	m.locked = true
	return nil
}

// Unlock undoes Lock.
func (m *Map) Unlock() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.locked || m.closed {
		return nil
	}
	for _, fl := range m.files {
		if err := sysUnlock(fl.data); err != nil {
			return fmt.Errorf("mmap: munlock: %w", err)
		}
	}
	m.locked = false
	return nil
}

// Locked reports whether the mappings are pinned.
func (m *Map) Locked() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.locked
}

// Evict asks the kernel to drop the files' pages from the page cache
// (posix_fadvise POSIX_FADV_DONTNEED). Pages still mapped in this or another
// process stay; call it after the tensors are reclaimed or before Close to
// give the memory back to the system.
func (m *Map) Evict() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	for _, fl := range m.files {
		if err := sysFadviseDontNeed(fl.f, fl.size); err != nil {
			return fmt.Errorf("mmap: evict %s: %w", fl.f.Name(), err)
		}
	}
	return nil
}

// MappedRSS returns the bytes of this Map's mappings resident in this
// process, from the kernel's own accounting (/proc/self/smaps).
func (m *Map) MappedRSS() (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	var spans [][]byte
	for _, fl := range m.files {
		if fl.data != nil {
			spans = append(spans, fl.data)
		}
	}
	if len(spans) == 0 {
		return 0, nil
	}
	return mappingRSS(spans)
}

// Close unmaps and closes every file. Views must not be used afterwards.
func (m *Map) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	var first error
	for _, fl := range m.files {
		if fl.data != nil {
			if err := sysUnmap(fl.data); err != nil && first == nil {
				first = fmt.Errorf("mmap: munmap: %w", err)
			}
			fl.data = nil
		}
		if err := fl.f.Close(); err != nil && first == nil {
			first = err
		}
	}
	for i := range m.ts {
		m.ts[i].buf = nil
	}
	for i := range m.ts {
		m.ts[i].host = nil
	}
	for _, a := range []*[]byte{&m.arena, &m.host} {
		if *a != nil {
			if err := sysFreeAnon(*a); err != nil && first == nil {
				first = fmt.Errorf("mmap: freeing the weights: %w", err)
			}
			*a = nil
		}
	}
	return first
}

func roundUp(x, a int64) int64   { return (x + a - 1) / a * a }
func roundDown(x, a int64) int64 { return x / a * a }
