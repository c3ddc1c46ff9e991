package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// expInputs are values across exp's range: ordinary, beyond its over- and
// underflow (|n| > 192 and the subnormal results just inside), zeros of
// both signs, ±Inf and NaN.
func expInputs(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	special := []float32{0, float32(math.Copysign(0, -1)), 88.7, 88.8, -87.3, -103.9, -104, -150, 200, -200,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-30, -1e-30}
	for i := range x {
		switch rng.IntN(6) {
		case 0:
			x[i] = special[rng.IntN(len(special))]
		case 1:
			x[i] = float32(rng.Float64()*300 - 150)
		default:
			x[i] = float32(rng.NormFloat64() * 4)
		}
	}
	return x
}

// TestVExpMatchesTwin checks VExpGroups (AVX-512 where present) against
// VExp value by value, bit for bit, and VExp against exp within 2.5 ulp
// where the result is normal (ggml states 1.45 ulp plus rounding; measured
// here up to 2).
func TestVExpMatchesTwin(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	for _, n := range []int{0, 1, 15, 16, 17, 33, 160, 1001} {
		for off := range 4 {
			buf := expInputs(rng, off+n)
			x := buf[off:]
			add := []float32{0, -3.5}[off%2]
			got := make([]float32, n)
			done := VExpGroups(got, x, add)
			if done != n&^15 {
				t.Fatalf("n=%d: %d values done", n, done)
			}
			for i := range done {
				want := VExp(x[i] + add)
				if !sameFloat(got[i], want) {
					t.Fatalf("n=%d offset %d value %d: exp(%v): asm %v, twin %v", n, off, i, x[i]+add, got[i], want)
				}
				if e := math.Exp(float64(x[i] + add)); e > 1e-37 && e < 1e38 {
					if ulp := math.Abs(float64(want)-e) / float64(math.Nextafter32(float32(e), float32(math.Inf(1)))-float32(e)); ulp > 2.5 {
						t.Fatalf("VExp(%v) = %v, exp %v: %.2f ulp", x[i]+add, want, e, ulp)
					}
				}
			}
		}
	}
}

// TestSwiGLUMatchesTwin checks SwiGLU against the formula with VExp on
// whole groups of 16 and the C library's exp on the tail, bit for bit.
func TestSwiGLUMatchesTwin(t *testing.T) {
	rng := rand.New(rand.NewPCG(73, 74))
	for _, n := range []int{0, 5, 16, 31, 256, 8203} {
		x, g := expInputs(rng, n), expInputs(rng, n)
		got := make([]float32, n)
		SwiGLU(got, x, g)
		for i := range n {
			var want float32
			if i < n&^15 {
				want = x[i] / (1 + VExp(0-x[i])) * g[i]
			} else {
				want = x[i] / (1 + float32(math.Exp(float64(-x[i])))) * g[i]
			}
			if !sameFloat(got[i], want) {
				t.Fatalf("n=%d value %d: silu(%v)·%v: %v, want %v", n, i, x[i], g[i], got[i], want)
			}
		}
		// In place, as the model calls it.
		SwiGLU(x, x, g)
		for i := range n {
			if !sameFloat(x[i], got[i]) {
				t.Fatalf("n=%d value %d: in place %v, want %v", n, i, x[i], got[i])
			}
		}
	}
}
