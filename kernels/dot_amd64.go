//go:build amd64 && !purego

package kernels

import "unsafe"

const asmCompiled = true

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
