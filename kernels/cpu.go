package kernels

import "github.com/klauspost/cpuid/v2"

// The one dispatch point: CPU features are read once here, and every
// assembly kernel is chosen from these flags. Tests switch them off with
// forceGeneric to run the same bodies on the Go twins.
var (
	// hasAVX2 is AVX2 with FMA3 and F16C, the set the amd64 kernels use.
	hasAVX2 = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.F16C) && asmCompiled
	// hasAVX512VNNI adds AVX-512 F/BW/DQ/VL with VNNI (VPDPBUSD): the
	// interleaved-weight kernels.
	hasAVX512VNNI = hasAVX2 && cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512DQ, cpuid.AVX512VL, cpuid.AVX512VNNI)
	// hasAVX512F is AVX-512 foundation with the AVX2 set: the exp kernels.
	hasAVX512F = hasAVX2 && cpuid.CPU.Supports(cpuid.AVX512F)
	// hasNEON is arm64 Advanced SIMD: the float dots.
	hasNEON = arm64AsmCompiled && cpuid.CPU.Supports(cpuid.ASIMD)
	// hasSDOT is arm64 NEON with the dot-product extension (SDOT).
	hasSDOT = arm64AsmCompiled && cpuid.CPU.Supports(cpuid.ASIMD, cpuid.ASIMDDP)
)

// forceGeneric turns the assembly off until the returned function is called.
func forceGeneric() (restore func()) {
	saved, saved512, saved512F, savedNEON, savedSDOT := hasAVX2, hasAVX512VNNI, hasAVX512F, hasNEON, hasSDOT
	hasAVX2, hasAVX512VNNI, hasAVX512F, hasNEON, hasSDOT = false, false, false, false, false
	return func() {
		hasAVX2, hasAVX512VNNI, hasAVX512F, hasNEON, hasSDOT = saved, saved512, saved512F, savedNEON, savedSDOT
	}
}

// forceAVX2 turns the AVX-512 kernels off (the AVX2 ones stay) until the
// returned function is called.
func forceAVX2() (restore func()) {
	saved, savedF := hasAVX512VNNI, hasAVX512F
	hasAVX512VNNI, hasAVX512F = false, false
	return func() { hasAVX512VNNI, hasAVX512F = saved, savedF }
}

// HasInterleaved reports whether interleaved-weight kernels (AVX-512 VNNI)
// are in use: Interleave then speeds up the types CanInterleave names.
func HasInterleaved() bool { return hasAVX512VNNI }

// Level names the row kernels in use: "avx2", "neon-sdot" or "generic".
func Level() string {
	if hasAVX2 {
		return "avx2"
	}
	if hasSDOT {
		return "neon-sdot"
	}
	return "generic"
}
