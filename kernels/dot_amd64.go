//go:build amd64 && !purego

package kernels

import "unsafe"

const (
	asmCompiled      = true
	arm64AsmCompiled = false
)

// dotQ8_0Q8_0AVX2 computes, over n blocks, exactly what dotQ8_0Q8_0Generic
// computes:
//
//	for i := range n { acc.fma(fp16(x[i].D)*fp16(y[i].D), &x[i].Qs, &y[i].Qs) }
//	return acc.sum()
//
//go:noescape
func dotQ8_0Q8_0AVX2(x, y unsafe.Pointer, n int) float32

// dotQ4_0Q8_0AVX2 is dotQ4_0Q8_0Generic: nibbles minus 8 against q8_0.
//
//go:noescape
func dotQ4_0Q8_0AVX2(x, y unsafe.Pointer, n int) float32

func dotQ8_0Q8_0(x, y []blockQ8_0) float32 {
	if hasAVX2 && len(x) > 0 {
		return dotQ8_0Q8_0AVX2(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), len(x))
	}
	return dotQ8_0Q8_0Generic(x, y)
}

func dotQ4_0Q8_0(x []blockQ4_0, y []blockQ8_0) float32 {
	if hasAVX2 && len(x) > 0 {
		return dotQ4_0Q8_0AVX2(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), len(x))
	}
	return dotQ4_0Q8_0Generic(x, y)
}

// dotF16AVX2 returns, for steps×64 f16 values, the lane-reduced sum that
// floatDot computes before its tail: 64 float32 lanes, an FMA per lane per
// step, folded as GGML_F32x16_REDUCE and _mm512_reduce_add_ps.
//
//go:noescape
func dotF16AVX2(x, y unsafe.Pointer, steps int) float32

// dotF32AVX2 is dotF16AVX2 for float32 values.
//
//go:noescape
func dotF32AVX2(x, y unsafe.Pointer, steps int) float32

func dotF16(x, y []byte) float32 {
	if hasAVX2 {
		return floatDotSteps(len(x)/2, x, y, dotF16AVX2, loadF16)
	}
	return dotF16Generic(x, y)
}

func dotF32(x, y []byte) float32 {
	if hasAVX2 {
		return floatDotSteps(len(x)/4, x, y, dotF32AVX2, loadF32)
	}
	return dotF32Generic(x, y)
}

// dotQ4_KQ8_KAVX2 is dotQ4_KQ8_KGeneric over n super-blocks.
//
//go:noescape
func dotQ4_KQ8_KAVX2(x, y unsafe.Pointer, n int) float32

func dotQ4_KQ8_K(x []blockQ4_K, y []blockQ8_K) float32 {
	if hasAVX2 && len(x) > 0 {
		return dotQ4_KQ8_KAVX2(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), len(x))
	}
	return dotQ4_KQ8_KGeneric(x, y)
}

// dotQ6_KQ8_KAVX2 is dotQ6_KQ8_KGeneric over n super-blocks.
//
//go:noescape
func dotQ6_KQ8_KAVX2(x, y unsafe.Pointer, n int) float32

func dotQ6_KQ8_K(x []blockQ6_K, y []blockQ8_K) float32 {
	if hasAVX2 && len(x) > 0 {
		return dotQ6_KQ8_KAVX2(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), len(x))
	}
	return dotQ6_KQ8_KGeneric(x, y)
}

// dotQ5_KQ8_KAVX2 is dotQ5_KQ8_KGeneric over n super-blocks.
//
//go:noescape
func dotQ5_KQ8_KAVX2(x, y unsafe.Pointer, n int) float32

func dotQ5_KQ8_K(x []blockQ5_K, y []blockQ8_K) float32 {
	if hasAVX2 && len(x) > 0 {
		return dotQ5_KQ8_KAVX2(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), len(x))
	}
	return dotQ5_KQ8_KGeneric(x, y)
}

// dotBF16AVX2 returns the two reduced accumulators of dotBF16Generic's
// main loop over steps×64 values.
//
//go:noescape
func dotBF16AVX2(x, y unsafe.Pointer, steps int) (c1, c2 float32)

func dotBF16(x, y []byte) float32 {
	if !hasAVX2 {
		return dotBF16Generic(x, y)
	}
	n := len(x) / 2
	steps := n / 64
	var sum float64
	if steps > 0 {
		c1, c2 := dotBF16AVX2(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), steps)
		sum = float64(c1) + float64(c2)
	}
	for i := steps * 64; i < n; i++ {
		sum += float64(bf16At(x, i) * bf16At(y, i))
	}
	return float32(sum)
}

// dotIQ4_NLPairsAVX2 and dotMXFP4PairsAVX2 run dotNL4's loop over whole
// pairs of blocks and return hsum_float_8 of the two accumulators' sum.
//
//go:noescape
func dotIQ4_NLPairsAVX2(x, y unsafe.Pointer, pairs int) float32

//go:noescape
func dotMXFP4PairsAVX2(x, y unsafe.Pointer, pairs int) float32

func dotIQ4_NLQ8_0(x []blockIQ4_NL, y []blockQ8_0) float32 {
	if !hasAVX2 || len(x) < 2 {
		return dotIQ4_NLQ8_0Generic(x, y)
	}
	pairs := len(x) / 2
	_ = y[2*pairs-1]
	sum := dotIQ4_NLPairsAVX2(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), pairs)
	return dotNL4Tail(sum, 2*pairs, len(x), iq4nlKernel(x, y), y)
}

func dotMXFP4Q8_0(x []blockMXFP4, y []blockQ8_0) float32 {
	if !hasAVX2 || len(x) < 2 {
		return dotMXFP4Q8_0Generic(x, y)
	}
	pairs := len(x) / 2
	_ = y[2*pairs-1]
	sum := dotMXFP4PairsAVX2(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), pairs)
	return dotNL4Tail(sum, 2*pairs, len(x), mxfp4Kernel(x, y), y)
}

//go:noescape
func dotIQ4_XSQ8_KAVX2(x, y unsafe.Pointer, n int) float32

func dotIQ4_XSQ8_K(x []blockIQ4_XS, y []blockQ8_K) float32 {
	if !hasAVX2 || len(x) == 0 {
		return dotIQ4_XSQ8_KGeneric(x, y)
	}
	return dotIQ4_XSQ8_KAVX2(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), len(x))
}

//go:noescape
func dotQ8_0Q8_0x4AVX2(x unsafe.Pointer, stride int, y unsafe.Pointer, n int, out *[4]float32)

// dot4Q8_0 is Traits.Dot4 for q8_0: four rows of rowBytes at w.
func dot4Q8_0(w []byte, rowBytes int, y []byte, out *[4]float32) {
	if !hasAVX2 || rowBytes == 0 {
		dot4Generic(dotter(dotQ8_0Q8_0Generic), w, rowBytes, y, out)
		return
	}
	_ = w[4*rowBytes-1]
	if len(y) < rowBytes {
		panic("kernels: dot4: activation row too short")
	}
	dotQ8_0Q8_0x4AVX2(unsafe.Pointer(&w[0]), rowBytes, unsafe.Pointer(&y[0]), rowBytes/34, out)
}

// quantizeActQ8_0AVX2 is quantizeActQ8_0Generic over n blocks (finite
// inputs; a NaN quantizes to −128 here, to 0 in the twin).
//
//go:noescape
func quantizeActQ8_0AVX2(dst, x unsafe.Pointer, n int)

func quantizeActQ8_0(dst []blockQ8_0, x []float32) {
	if !hasAVX2 || len(dst) == 0 {
		quantizeActQ8_0Generic(dst, x)
		return
	}
	_ = x[len(dst)*32-1]
	quantizeActQ8_0AVX2(unsafe.Pointer(&dst[0]), unsafe.Pointer(&x[0]), len(dst))
}

// quantizeQ8_KAVX2 is quantizeQ8_KGeneric over n blocks (finite input).
//
//go:noescape
func quantizeQ8_KAVX2(dst, x unsafe.Pointer, n int)

func quantizeQ8_K(dst []blockQ8_K, x []float32) {
	if !hasAVX2 || len(dst) == 0 {
		quantizeQ8_KGeneric(dst, x)
		return
	}
	_ = x[len(dst)*256-1]
	quantizeQ8_KAVX2(unsafe.Pointer(&dst[0]), unsafe.Pointer(&x[0]), len(dst))
}
