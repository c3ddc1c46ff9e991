//go:build linux

package mmap

import (
	"encoding/binary"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

var pageSize = int64(os.Getpagesize())

func sysMap(f *os.File, size int64, private bool) ([]byte, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, fmt.Errorf("cannot map %d bytes", size)
	}
	prot, flags := unix.PROT_READ, unix.MAP_SHARED
	if private {
		prot, flags = unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE
	}
	return unix.Mmap(int(f.Fd()), 0, int(size), prot, flags)
}

func sysUnmap(b []byte) error { return unix.Munmap(b) }

// sysAnon allocates zeroed anonymous memory outside the Go heap and asks
// for transparent huge pages (honoured where THP is "madvise" or "always").
func sysAnon(size int64) ([]byte, error) {
	if size == 0 {
		return []byte{}, nil
	}
	if int64(int(size)) != size {
		return nil, fmt.Errorf("%d bytes do not fit this platform's address space", size)
	}
	b, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return nil, err
	}
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE) // a hint: kernels without THP refuse it
	return b, nil
}

func sysFreeAnon(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return unix.Munmap(b)
}

func sysDontNeed(b []byte) error { return unix.Madvise(b, unix.MADV_DONTNEED) }

func sysAdvise(b []byte, ra ReadAhead) error {
	switch ra {
	case ReadAheadSequential:
		return unix.Madvise(b, unix.MADV_SEQUENTIAL)
	case ReadAheadWillNeed:
		return unix.Madvise(b, unix.MADV_WILLNEED)
	}
	return unix.Madvise(b, unix.MADV_NORMAL)
}

func sysFadviseDontNeed(f *os.File, size int64) error {
	return unix.Fadvise(int(f.Fd()), 0, size, unix.FADV_DONTNEED)
}

func sysFadviseSequential(f *os.File, size int64) error {
	return unix.Fadvise(int(f.Fd()), 0, size, unix.FADV_SEQUENTIAL)
}

func sysLock(b []byte) error   { return unix.Mlock(b) }
func sysUnlock(b []byte) error { return unix.Munlock(b) }

// sysCached counts the pages of b (page-aligned start) in the page cache.
func sysCached(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	vec := make([]byte, (int64(len(b))+pageSize-1)/pageSize)
	_, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(unsafe.Pointer(&vec[0])))
	if errno != 0 {
		return 0, errno
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n, nil
}

// sysPresent counts the pages of b (page-aligned start) present in this
// process's page tables, from bit 63 of each /proc/self/pagemap entry.
func sysPresent(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	pm, err := os.Open("/proc/self/pagemap")
	if err != nil {
		return 0, err
	}
	defer pm.Close()
	first := int64(uintptr(unsafe.Pointer(&b[0]))) / pageSize
	pages := (int64(len(b)) + pageSize - 1) / pageSize
	buf := make([]byte, 8*min(pages, 4096))
	n := 0
	for done := int64(0); done < pages; {
		k := min(pages-done, int64(len(buf)/8))
		if _, err := pm.ReadAt(buf[:8*k], (first+done)*8); err != nil {
			return 0, err
		}
		for i := range k {
			n += int(binary.LittleEndian.Uint64(buf[8*i:]) >> 63)
		}
		done += k
	}
	return n, nil
}
