//go:build arm64 && !purego

package kernels

import "unsafe"

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

// dotQ5_KQ8_KSDOT is dotQ5_KQ8_KGeneric over n super-blocks.
//
//go:noescape
func dotQ5_KQ8_KSDOT(x, y unsafe.Pointer, n int) float32

func dotQ5_KQ8_K(x []blockQ5_K, y []blockQ8_K) float32 {
	if hasSDOT && len(x) > 0 {
		_ = y[len(x)-1]
		return dotQ5_KQ8_KSDOT(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), len(x))
	}
	return dotQ5_KQ8_KGeneric(x, y)
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

// dotF16NEON and dotF32NEON return the reduced sum of steps×64 products,
// as floatDot's main loop and lanes64.reduce compute it.
//
//go:noescape
func dotF16NEON(x, y unsafe.Pointer, steps int) float32

//go:noescape
func dotF32NEON(x, y unsafe.Pointer, steps int) float32

func dotF16(x, y []byte) float32 {
	if hasNEON {
		return floatDotSteps(len(x)/2, x, y, dotF16NEON, loadF16)
	}
	return dotF16Generic(x, y)
}

func dotF32(x, y []byte) float32 {
	if hasNEON {
		return floatDotSteps(len(x)/4, x, y, dotF32NEON, loadF32)
	}
	return dotF32Generic(x, y)
}

// dotIQ4_NLPairsSDOT runs dotNL4's loop over whole pairs of iq4_nl blocks
// and returns the folded sum of the two accumulators.
//
//go:noescape
func dotIQ4_NLPairsSDOT(x, y unsafe.Pointer, pairs int, table *[16]int8) float32

func dotIQ4_NLQ8_0(x []blockIQ4_NL, y []blockQ8_0) float32 {
	if !hasSDOT || len(x) < 2 {
		return dotIQ4_NLQ8_0Generic(x, y)
	}
	pairs := len(x) / 2
	_ = y[2*pairs-1]
	sum := dotIQ4_NLPairsSDOT(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), pairs, &kvaluesIQ4NL)
	return dotNL4Tail(sum, 2*pairs, len(x), iq4nlKernel(x, y), y)
}

// dotIQ4_XSQ8_KSDOT is dotIQ4_XSQ8_KGeneric over n super-blocks.
//
//go:noescape
func dotIQ4_XSQ8_KSDOT(x, y unsafe.Pointer, n int, table *[16]int8) float32

func dotIQ4_XSQ8_K(x []blockIQ4_XS, y []blockQ8_K) float32 {
	if !hasSDOT || len(x) == 0 {
		return dotIQ4_XSQ8_KGeneric(x, y)
	}
	_ = y[len(x)-1]
	return dotIQ4_XSQ8_KSDOT(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), len(x), &kvaluesIQ4NL)
}

// dotBF16NEON returns the two reduced accumulators of dotBF16Generic's
// main loop over steps×64 values.
//
//go:noescape
func dotBF16NEON(x, y unsafe.Pointer, steps int) (c1, c2 float32)

func dotBF16(x, y []byte) float32 {
	if !hasNEON {
		return dotBF16Generic(x, y)
	}
	n := len(x) / 2
	steps := n / 64
	var sum float64
	if steps > 0 {
		c1, c2 := dotBF16NEON(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), steps)
		sum = float64(c1) + float64(c2)
	}
	for i := steps * 64; i < n; i++ {
		sum += float64(bf16At(x, i) * bf16At(y, i))
	}
	return float32(sum)
}
