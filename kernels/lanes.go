package kernels

import "math"

// lanes8 is the 8 × float32 accumulator of ggml's AVX2 dots.
type lanes8 [8]float32

// fma adds d × (the lane sums of x·y) to each lane: lane k holds the
// integer sum of elements 4k..4k+3, converted to float32, then a fused
// multiply-add, as VPSIGNB/VPMADDUBSW/VPMADDWD, VCVTDQ2PS and VFMADD231PS
// do in ggml's AVX2 kernels and ours.
func (a *lanes8) fma(d float32, x, y *[32]int8) {
	for k := range 8 {
		s := mul8(x[4*k], y[4*k]) + mul8(x[4*k+1], y[4*k+1]) +
			mul8(x[4*k+2], y[4*k+2]) + mul8(x[4*k+3], y[4*k+3])
		a[k] = fma32(d, float32(s), a[k])
	}
}

// mul8 is a signed byte product as the sign trick computes it (VPSIGNB
// then VPMADDUBSW): |x| as an unsigned byte times y given x's sign, in
// wrapping int8 arithmetic. It is the true product except when y is −128
// and x negative (negating −128 leaves −128): ggml's quantizers never
// produce −128, but a file may contain it, and ggml's AVX2 kernels give
// this result too.
//
// Written without branches: the true product, negated when x < 0 and
// y == −128 (random signs would defeat branch prediction).
func mul8(x, y int8) int32 {
	p := int32(x) * int32(y)
	e := int32(y) + 128                       // 0 only for y == −128
	m := (int32(x) >> 31) & ^((e | -e) >> 31) // −1 when x < 0 and y == −128
	return (p ^ m) - m
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
