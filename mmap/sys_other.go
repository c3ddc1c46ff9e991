//go:build !linux

package mmap

import (
	"errors"
	"os"
)

// Off Linux only ModeRead works; the mapping calls report that.
var errUnsupported = errors.New("not supported on this platform; use ModeRead")

var pageSize = int64(os.Getpagesize())

func sysMap(*os.File, int64, bool) ([]byte, error) { return nil, errUnsupported }
func sysUnmap([]byte) error                        { return nil }
func sysAnon(size int64) ([]byte, error)           { return make([]byte, size), nil }
func sysFreeAnon([]byte) error                     { return nil }
func sysDontNeed([]byte) error                     { return errUnsupported }
func sysAdvise([]byte, ReadAhead) error            { return nil }
func sysFadviseDontNeed(*os.File, int64) error     { return nil }
func sysFadviseSequential(*os.File, int64) error   { return nil }
func sysLock([]byte) error                         { return errUnsupported }
func sysUnlock([]byte) error                       { return nil }
func sysCached([]byte) (int, error)                { return 0, errUnsupported }
func sysPresent([]byte) (int, error)               { return 0, errUnsupported }
func mappingRSS([][]byte) (int64, error)           { return 0, errUnsupported }
func ReadProcessMemory() (ProcessMemory, error)    { return ProcessMemory{}, errUnsupported }
func ResetPeakRSS() error                          { return errUnsupported }
