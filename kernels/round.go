package kernels

import "math"

// Rounding exactly as ggml's C code rounds. Go may fuse a*b+c into one FMA
// on some architectures; an explicit float32() conversion is a rounding
// point the compiler must keep, so products that feed a sum are wrapped in
// one wherever ggml's result depends on it.

// roundHalfAway is C's roundf: to nearest, halves away from zero.
func roundHalfAway(x float32) float32 {
	return float32(math.Round(float64(x)))
}

// roundHalfEven is the SSE/AVX round-to-nearest (_MM_ROUND_NEAREST).
func roundHalfEven(x float32) float32 {
	return float32(math.RoundToEven(float64(x)))
}

// nearestInt is ggml's nearest_int: adding 1.5 × 2^23 leaves the rounded
// integer in the low mantissa bits (to nearest, halves to even). Valid for
// |x| < 2^22, as ggml asserts.
func nearestInt(x float32) int32 {
	v := float32(x) + 12582912
	return int32(math.Float32bits(v)&0x007fffff) - 0x00400000
}

// truncInt8 is C's (int8_t) conversion of a float in range: toward zero.
func truncInt8(x float32) int32 { return int32(int8(int32(x))) }
