package mmap

// ProcessMemory is this process's memory as the kernel accounts it. Byte
// counts come from /proc/self/smaps_rollup and /proc/self/status, fault
// counts from getrusage.
type ProcessMemory struct {
	Rss       int64 // resident set
	Pss       int64 // proportional set: shared pages divided among sharers
	PssAnon   int64
	PssFile   int64
	PssShmem  int64
	Anonymous int64 // anonymous (heap, stacks, private copies) resident
	Locked    int64 // mlocked resident
	RssFile   int64 // file-backed resident (status RssFile)
	RssAnon   int64 // anonymous resident (status RssAnon)
	PeakRss   int64 // high-water mark of Rss (status VmHWM)

	MajorFaults int64 // faults that read from disk
	MinorFaults int64 // faults served from memory
}
