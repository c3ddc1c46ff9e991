//go:build arm64 && !purego

package kernels

import (
	"unsafe"

	"github.com/smeltlm/smelt/gguf"
)

const (
	asmCompiled      = false // the amd64 kernels
	arm64AsmCompiled = true
)

// The NEON kernels keep the Go twins' order: eight float32 lanes in two
// vectors, lane k the exact integer sum of elements 4k..4k+3 of a block
// (SDOT), converted and added with one fused multiply-add by the block
// scale, folded at the end as lanes8.sum. The integer sums are the true
// products; the twins' sign-trick sums differ from them only for a −128
// activation against a negative weight, which QuantizeAct never produces.

// dotQ8_0Q8_0SDOT is dotQ8_0Q8_0Generic over n blocks.
//
//go:noescape
func dotQ8_0Q8_0SDOT(x, y unsafe.Pointer, n int) float32

// dotQ4_0Q8_0SDOT is dotQ4_0Q8_0Generic over n blocks.
//
//go:noescape
func dotQ4_0Q8_0SDOT(x, y unsafe.Pointer, n int) float32

func dotQ8_0Q8_0(x, y []blockQ8_0) float32 {
	if hasSDOT && len(x) > 0 {
		_ = y[len(x)-1]
		return dotQ8_0Q8_0SDOT(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), len(x))
	}
	return dotQ8_0Q8_0Generic(x, y)
}

func dotQ4_0Q8_0(x []blockQ4_0, y []blockQ8_0) float32 {
	if hasSDOT && len(x) > 0 {
		_ = y[len(x)-1]
		return dotQ4_0Q8_0SDOT(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), len(x))
	}
	return dotQ4_0Q8_0Generic(x, y)
}

// dotQ4_KQ8_KSDOT is dotQ4_KQ8_KGeneric over n super-blocks.
//
//go:noescape
func dotQ4_KQ8_KSDOT(x, y unsafe.Pointer, n int) float32

func dotQ4_KQ8_K(x []blockQ4_K, y []blockQ8_K) float32 {
	if hasSDOT && len(x) > 0 {
		_ = y[len(x)-1]
		return dotQ4_KQ8_KSDOT(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), len(x))
	}
	return dotQ4_KQ8_KGeneric(x, y)
}

// dotQ6_KQ8_KSDOT is dotQ6_KQ8_KGeneric over n super-blocks.
//
//go:noescape
func dotQ6_KQ8_KSDOT(x, y unsafe.Pointer, n int) float32

func dotQ6_KQ8_K(x []blockQ6_K, y []blockQ8_K) float32 {
	if hasSDOT && len(x) > 0 {
		_ = y[len(x)-1]
		return dotQ6_KQ8_KSDOT(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), len(x))
	}
	return dotQ6_KQ8_KGeneric(x, y)
}

func dotF16(x, y []byte) float32                           { return dotF16Generic(x, y) }
func dotF32(x, y []byte) float32                           { return dotF32Generic(x, y) }
func dotQ5_KQ8_K(x []blockQ5_K, y []blockQ8_K) float32     { return dotQ5_KQ8_KGeneric(x, y) }
func dotBF16(x, y []byte) float32                          { return dotBF16Generic(x, y) }
func dotIQ4_NLQ8_0(x []blockIQ4_NL, y []blockQ8_0) float32 { return dotIQ4_NLQ8_0Generic(x, y) }
func dotMXFP4Q8_0(x []blockMXFP4, y []blockQ8_0) float32   { return dotMXFP4Q8_0Generic(x, y) }
func dotIQ4_XSQ8_K(x []blockIQ4_XS, y []blockQ8_K) float32 { return dotIQ4_XSQ8_KGeneric(x, y) }

func dot4Q8_0(w []byte, rowBytes int, y []byte, out *[4]float32) {
	dot4Generic(dotter(dotQ8_0Q8_0), w, rowBytes, y, out)
}

// x4Kernel is nil: no interleaved kernels for arm64 yet.
func x4Kernel(gguf.Type) func(group, y []byte, out *[4]float32) { return nil }
func quantizeActQ8_0(dst []blockQ8_0, x []float32)              { quantizeActQ8_0Generic(dst, x) }
func quantizeQ8_K(dst []blockQ8_K, x []float32)                 { quantizeQ8_KGeneric(dst, x) }
