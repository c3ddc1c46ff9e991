//go:build linux

package mmap

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ReadProcessMemory reads this process's memory figures from the kernel.
func ReadProcessMemory() (ProcessMemory, error) {
	var pm ProcessMemory
	err := scanKB("/proc/self/smaps_rollup", func(key string, kb int64) {
		switch key {
		case "Rss":
			pm.Rss = kb << 10
		case "Pss":
			pm.Pss = kb << 10
		case "Pss_Anon":
			pm.PssAnon = kb << 10
		case "Pss_File":
			pm.PssFile = kb << 10
		case "Pss_Shmem":
			pm.PssShmem = kb << 10
		case "Anonymous":
			pm.Anonymous = kb << 10
		case "Locked":
			pm.Locked = kb << 10
		}
	})
	if err != nil {
		return pm, err
	}
	err = scanKB("/proc/self/status", func(key string, kb int64) {
		switch key {
		case "RssFile":
			pm.RssFile = kb << 10
		case "RssAnon":
			pm.RssAnon = kb << 10
		case "VmHWM":
			pm.PeakRss = kb << 10
		}
	})
	if err != nil {
		return pm, err
	}
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return pm, fmt.Errorf("getrusage: %w", err)
	}
	pm.MajorFaults, pm.MinorFaults = ru.Majflt, ru.Minflt
	return pm, nil
}

// scanKB calls fn for every "Key:   N kB" line of a /proc file.
func scanKB(path string, fn func(key string, kb int64)) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for line := range bytes.Lines(data) {
		key, rest, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		fields := bytes.Fields(rest)
		if len(fields) != 2 || string(fields[1]) != "kB" {
			continue
		}
		kb, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err == nil {
			fn(string(key), kb)
		}
	}
	return nil
}

// mappingRSS sums the Rss of the /proc/self/smaps entries that lie inside
// the given mappings.
func mappingRSS(spans [][]byte) (int64, error) {
	type rng struct{ lo, hi uint64 }
	rs := make([]rng, len(spans))
	for i, s := range spans {
		lo := uint64(uintptr(unsafe.Pointer(&s[0])))
		rs[i] = rng{lo, lo + uint64(len(s))}
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var total int64
	inside := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if addr, _, ok := bytes.Cut(line, []byte(" ")); ok && bytes.IndexByte(addr, '-') > 0 && !bytes.HasSuffix(addr, []byte(":")) {
			lo, _, _ := bytes.Cut(addr, []byte("-"))
			start, err := strconv.ParseUint(string(lo), 16, 64)
			inside = false
			if err == nil {
				for _, r := range rs {
					if start >= r.lo && start < r.hi {
						inside = true
					}
				}
			}
			continue
		}
		if inside && bytes.HasPrefix(line, []byte("Rss:")) {
			fields := bytes.Fields(line[4:])
			if len(fields) == 2 {
				kb, err := strconv.ParseInt(string(fields[0]), 10, 64)
				if err == nil {
					total += kb << 10
				}
			}
		}
	}
	return total, sc.Err()
}

// ResetPeakRSS resets the kernel's high-water mark of this process's RSS
// (PeakRss) to the current RSS, so that a later reading is the peak of what
// ran in between.
func ResetPeakRSS() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
