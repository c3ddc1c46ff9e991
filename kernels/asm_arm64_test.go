//go:build arm64 && !purego

package kernels

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/cpuid/v2"
)

// TestSDOTExercised fails where the CPU has NEON dot products but the
// kernels would not use them.
func TestSDOTExercised(t *testing.T) {
	if cpuid.CPU.Supports(cpuid.ASIMD, cpuid.ASIMDDP) != hasSDOT {
		t.Fatalf("CPU dot product support %v, kernels %v", cpuid.CPU.Supports(cpuid.ASIMD, cpuid.ASIMDDP), hasSDOT)
	}
	if !hasSDOT {
		t.Skip("no SDOT on this CPU: the generic kernels are in use")
	}
}

// TestDotSDOTMatchesGeneric checks the NEON dots against their Go twins,
// bit for bit, over block counts 0..101 and byte offsets 0..3: random
// weight blocks (extremes and odd scales included), activations as
// QuantizeAct makes them.
func TestDotSDOTMatchesGeneric(t *testing.T) {
	if !hasSDOT {
		t.Skip("no SDOT on this CPU")
	}
	rng := rand.New(rand.NewPCG(51, 52))
	for n := range 102 {
		if n > 40 && n%7 != 0 && n != 101 {
			continue
		}
		for off := range 4 {
			yb := make([]byte, off+n*34)
			copy(yb[off:], mustQuantAct(t, randFloats(rng, n*32)))
			y := blocks[blockQ8_0](yb[off:])
			x8 := blocks[blockQ8_0](randomBlocks(rng, n, 34, (off+1)%4))
			if got, want := dotQ8_0Q8_0(x8, y), dotQ8_0Q8_0Generic(x8, y); !sameFloat(got, want) {
				t.Fatalf("q8_0 n=%d offset %d: sdot %v, generic %v", n, off, got, want)
			}
			x4 := blocks[blockQ4_0](randomBlocks(rng, n, 18, (off+2)%4))
			if got, want := dotQ4_0Q8_0(x4, y), dotQ4_0Q8_0Generic(x4, y); !sameFloat(got, want) {
				t.Fatalf("q4_0 n=%d offset %d: sdot %v, generic %v", n, off, got, want)
			}
			xn := blocks[blockIQ4_NL](randomBlocks(rng, n, 18, (off+3)%4))
			if got, want := dotIQ4_NLQ8_0(xn, y), dotIQ4_NLQ8_0Generic(xn, y); !sameFloat(got, want) {
				t.Fatalf("iq4_nl n=%d offset %d: sdot %v, generic %v", n, off, got, want)
			}
			if n > 33 {
				continue
			}
			kb := make([]byte, off+n*292)
			kq, err := QuantizeActivations(nil, 12 /* q4_K */, randFloats(rng, n*256), 1, n*256)
			if err != nil {
				t.Fatal(err)
			}
			copy(kb[off:], kq)
			yk := blocks[blockQ8_K](kb[off:])
			xk := blocks[blockQ4_K](randomBlocks(rng, n, 144, (off+3)%4))
			if got, want := dotQ4_KQ8_K(xk, yk), dotQ4_KQ8_KGeneric(xk, yk); !sameFloat(got, want) {
				t.Fatalf("q4_K n=%d offset %d: sdot %v, generic %v", n, off, got, want)
			}
			x5 := blocks[blockQ5_K](randomBlocks(rng, n, 176, (off+1)%4))
			if got, want := dotQ5_KQ8_K(x5, yk), dotQ5_KQ8_KGeneric(x5, yk); !sameFloat(got, want) {
				t.Fatalf("q5_K n=%d offset %d: sdot %v, generic %v", n, off, got, want)
			}
			xs := blocks[blockIQ4_XS](randomBlocks(rng, n, 136, (off+2)%4))
			if got, want := dotIQ4_XSQ8_K(xs, yk), dotIQ4_XSQ8_KGeneric(xs, yk); !sameFloat(got, want) {
				t.Fatalf("iq4_xs n=%d offset %d: sdot %v, generic %v", n, off, got, want)
			}
			x6 := blocks[blockQ6_K](randomBlocks(rng, n, 210, off))
			if got, want := dotQ6_KQ8_K(x6, yk), dotQ6_KQ8_KGeneric(x6, yk); !sameFloat(got, want) {
				t.Fatalf("q6_K n=%d offset %d: sdot %v, generic %v", n, off, got, want)
			}
		}
	}
}

func mustQuantAct(t *testing.T, x []float32) []byte {
	q, err := QuantizeActivations(nil, 8 /* q8_0 */, x, 1, len(x))
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestFloatDotNEONMatchesGeneric checks the f16 and f32 NEON dots against
// their Go twins, bit for bit: lengths around the 64-element step, a large
// odd one, offsets 0..3, and halves that are subnormal, infinite or NaN.
func TestFloatDotNEONMatchesGeneric(t *testing.T) {
	if !hasNEON {
		t.Skip("no NEON on this CPU")
	}
	rng := rand.New(rand.NewPCG(53, 54))
	for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 129, 1001} {
		for off := range 4 {
			x16 := make([]byte, off+2*n)[off:]
			y16 := make([]byte, off+2*n)[off:]
			x32 := make([]byte, off+4*n)[off:]
			y32 := make([]byte, off+4*n)[off:]
			for i := range n {
				for _, b := range [][]byte{x16, y16} {
					// Magnitudes up to 2^4 keep the sums finite; offset 3
					// adds infinities and NaNs (the sum is then NaN or ±Inf
					// either way), every offset subnormals.
					h := uint16(rng.IntN(0x4c00)) | uint16(rng.IntN(2))<<15
					switch rng.IntN(50) {
					case 0:
						if off == 3 {
							h = 0x7c00
						}
					case 1:
						if off == 3 {
							h = 0x7e01
						}
					case 2, 3:
						h = uint16(rng.IntN(0x400))
					}
					b[2*i], b[2*i+1] = byte(h), byte(h>>8)
				}
				for _, b := range [][]byte{x32, y32} {
					binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(rng.NormFloat64()*10)))
				}
			}
			if got, want := dotF16(x16, y16), dotF16Generic(x16, y16); !sameFloat(got, want) {
				t.Fatalf("f16 n=%d offset %d: neon %v, generic %v", n, off, got, want)
			}
			if got, want := dotF32(x32, y32), dotF32Generic(x32, y32); !sameFloat(got, want) {
				t.Fatalf("f32 n=%d offset %d: neon %v, generic %v", n, off, got, want)
			}
			// bf16: the high halves of the f32 values (finite, rounded
			// down), over the same lengths.
			xb := make([]byte, off+2*n)[off:]
			yb := make([]byte, off+2*n)[off:]
			for i := range n {
				xb[2*i], xb[2*i+1] = x32[4*i+2], x32[4*i+3]
				yb[2*i], yb[2*i+1] = y32[4*i+2], y32[4*i+3]
			}
			if got, want := dotBF16(xb, yb), dotBF16Generic(xb, yb); !sameFloat(got, want) {
				t.Fatalf("bf16 n=%d offset %d: neon %v, generic %v", n, off, got, want)
			}
		}
	}
}
