package kernels

import "math"

// lanes8 is the 8 × float32 accumulator of ggml's AVX2 dots.
type lanes8 [8]float32

// fma adds d × (the lane sums of x·y) to each lane: lane k holds the exact
// integer sum of elements 4k..4k+3, converted to float32, then a fused
// multiply-add, as VPDPBUSD/PMADDWD, VCVTDQ2PS and VFMADD231PS do.
func (a *lanes8) fma(d float32, x, y *[32]int8) {
	for k := range 8 {
		s := int32(x[4*k])*int32(y[4*k]) + int32(x[4*k+1])*int32(y[4*k+1]) +
			int32(x[4*k+2])*int32(y[4*k+2]) + int32(x[4*k+3])*int32(y[4*k+3])
		a[k] = fma32(d, float32(s), a[k])
	}
}

// sum adds the lanes in the order of ggml's hsum_float_8.
func (a *lanes8) sum() float32 {
	return (a[0] + a[4] + (a[2] + a[6])) + (a[1] + a[5] + (a[3] + a[7]))
}

// fma32 is a float32 fused multiply-add. The float64 product of two float32
// values is exact, so only the final roundings can differ from a hardware
// FMA, and only when the float64 sum lands exactly between two float32s.
func fma32(a, b, c float32) float32 {
	return float32(math.FMA(float64(a), float64(b), float64(c)))
}
