package kernels

import "github.com/klauspost/cpuid/v2"

// The one dispatch point: CPU features are read once here, and every
// assembly kernel is chosen from these flags. Tests switch them off with
// forceGeneric to run the same bodies on the Go twins.
var (
	// hasAVX2 is AVX2 with FMA3 and F16C, the set the amd64 kernels use.
	hasAVX2 = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.F16C) && asmCompiled
)

// forceGeneric turns the assembly off until the returned function is called.
func forceGeneric() (restore func()) {
	saved := hasAVX2
	hasAVX2 = false
	return func() { hasAVX2 = saved }
}

// Level names the kernels in use: "avx2" or "generic".
func Level() string {
	if hasAVX2 {
		return "avx2"
	}
	return "generic"
}
