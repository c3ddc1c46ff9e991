package kernels

import "math"

// VExp is ggml's AVX-512 ggml_v_expf, value by value: a polynomial after
// range reduction, about 2 ulp from exp at most. ggml's softmax and SiLU use
// it on every whole group of 16 values (the C library's expf on the rest),
// so smelt does the same to keep llama.cpp's bits.
func VExp(x float32) float32 {
	const r = 0x1.8p23
	z := fma32(x, 0x1.715476p+0, r)
	n := z - r
	b := fma32(-n, 0x1.7f7d1cp-20, fma32(-n, 0x1.62e4p-1, x))
	u := b * b
	j := fma32(fma32(fma32(0x1.0e4020p-7, b, 0x1.573e2ep-5), u, fma32(0x1.555e66p-3, b, 0x1.fffdb6p-2)),
		u, fma32(0x1.ffffecp-1, b, 1))
	if !(abs32(n) <= 192) { // also true for NaN, as _CMP_GT_OQ is not
		if n <= 0 {
			return 0
		}
		if n > 0 {
			return float32(math.Inf(1))
		}
	}
	return float32(math.Ldexp(float64(j), int(n))) // VSCALEFPS: one rounding
}

// VExpGroups sets dst[i] = VExp(src[i] + add) for the whole groups of 16
// values of src (len(src) rounded down to a multiple of 16); dst may be
// src. It returns the number of values done.
func VExpGroups(dst, src []float32, add float32) int {
	n := len(src) &^ 15
	if n == 0 {
		return 0
	}
	_ = dst[n-1]
	if hasAVX512F {
		vexpAVX512(&dst[0], &src[0], add, n/16)
		return n
	}
	for i, v := range src[:n] {
		dst[i] = VExp(v + add)
	}
	return n
}

// SwiGLU sets dst[i] = silu(x[i])·g[i] = x[i]/(1+exp(−x[i]))·g[i], as
// ggml_vec_swiglu_f32: VExp on whole groups of 16, the C library's expf on
// the rest. dst may be x or g.
func SwiGLU(dst, x, g []float32) {
	n := len(x) &^ 15
	if n > 0 {
		_, _ = dst[n-1], g[n-1]
		if hasAVX512F {
			swigluAVX512(&dst[0], &x[0], &g[0], n/16)
		} else {
			for i := range n {
				dst[i] = x[i] / (1 + VExp(0-x[i])) * g[i]
			}
		}
	}
	for i := n; i < len(x); i++ {
		dst[i] = x[i] / (1 + float32(math.Exp(float64(-x[i])))) * g[i]
	}
}
