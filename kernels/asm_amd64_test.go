//go:build amd64 && !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/klauspost/cpuid/v2"
	"github.com/smeltlm/smelt/tensor"
)

// F32ToF16 is tensor's conversion, for building test rows.
var F32ToF16 = tensor.F32ToF16

// TestAVX2Exercised fails where the CPU has the features but the kernels
// would not use them.
func TestAVX2Exercised(t *testing.T) {
	if cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.F16C) && Level() != "avx2" {
		t.Fatalf("CPU has AVX2/FMA3/F16C but the level is %s", Level())
	}
	if Level() != "avx2" {
		t.Skip("no AVX2 on this CPU: the generic kernels are in use")
	}
}

// TestDotAVX2MatchesGeneric checks each assembly dot against its Go twin,
// bit for bit, over block counts 0..101 (odd and even) and byte offsets
// 0..3 of the inputs.
func TestDotAVX2MatchesGeneric(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(21, 22))
	kernelsUnderTest := []struct {
		name   string
		xsize  int
		asm    func(x, y unsafe.Pointer, n int) float32
		native func(x, y []byte) float32
	}{
		{"q8_0", 34, dotQ8_0Q8_0AVX2, func(x, y []byte) float32 {
			return dotQ8_0Q8_0Generic(blocks[blockQ8_0](x), blocks[blockQ8_0](y))
		}},
		{"q4_0", 18, dotQ4_0Q8_0AVX2, func(x, y []byte) float32 {
			return dotQ4_0Q8_0Generic(blocks[blockQ4_0](x), blocks[blockQ8_0](y))
		}},
	}
	for _, k := range kernelsUnderTest {
		for _, n := range []int{0, 1, 2, 3, 7, 31, 32, 33, 101} {
			for off := range 4 {
				for trial := range 20 {
					x := randomBlocks(rng, n, k.xsize, off)
					y := randomBlocks(rng, n, 34, (off+trial)%4)
					want := k.native(x, y)
					var got float32
					if n > 0 {
						got = k.asm(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), n)
					}
					if !sameFloat(got, want) {
						t.Fatalf("%s n=%d offset %d: avx2 %v (%#x), generic %v (%#x)", k.name, n, off, got, math.Float32bits(got), want, math.Float32bits(want))
					}
				}
			}
		}
	}
}

// TestDispatch runs the table's dots with the assembly forced off: the
// results must not change.
func TestDispatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	x := randomBlocks(rng, 64, 34, 0)
	y := randomBlocks(rng, 64, 34, 0)
	x4 := randomBlocks(rng, 64, 18, 0)
	q8, _ := For(8) // q8_0
	q4, _ := For(2) // q4_0
	a, b := q8.Dot(x, y), q4.Dot(x4, y)
	restore := forceGeneric()
	c, d := q8.Dot(x, y), q4.Dot(x4, y)
	restore()
	if !sameFloat(a, c) || !sameFloat(b, d) {
		t.Errorf("dispatch changes results: %v/%v %v/%v", a, c, b, d)
	}
}

// randomFloatRow returns n values as f16 (size 2) or f32 (size 4) bytes at
// offset off: mostly normal values, some subnormals and zeros, and in some
// rows infinities and NaNs.
func randomFloatRow(rng *rand.Rand, n, size, off int) []byte {
	buf := make([]byte, off+n*size+64)
	b := buf[off : off+n*size]
	// One row in four may hold non-finite values (its dot is then NaN or
	// ±Inf whatever the order); the others test the order itself.
	nonFinite := rng.IntN(4) == 0
	for i := range n {
		v := float32(rng.NormFloat64())
		switch rng.IntN(200) {
		case 0:
			if nonFinite {
				v = float32(math.Inf(1))
			}
		case 1:
			if nonFinite {
				v = float32(math.NaN())
			}
		case 2:
			v = 0
		case 3:
			v = 1e-6 // an f16 subnormal
		}
		if size == 2 {
			h := F32ToF16(v)
			b[2*i], b[2*i+1] = byte(h), byte(h>>8)
		} else {
			u := math.Float32bits(v)
			b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
		}
	}
	return b
}

// TestFloatDotAVX2MatchesGeneric compares the f16 and f32 assembly dots
// with their Go twins, bit for bit, over lengths around the 64-element
// step and byte offsets 0..3.
func TestFloatDotAVX2MatchesGeneric(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(25, 26))
	for _, size := range []int{2, 4} {
		for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 129, 256, 1001} {
			for off := range 4 {
				for range 10 {
					x := randomFloatRow(rng, n, size, off)
					y := randomFloatRow(rng, n, size, (off+1)%4)
					var got, want float32
					if size == 2 {
						got, want = dotF16(x, y), dotF16Generic(x, y)
						if b, bw := dotBF16(x, y), dotBF16Generic(x, y); !sameFloat(b, bw) {
							t.Fatalf("bf16 n=%d offset %d: avx2 %v, generic %v", n, off, b, bw)
						}
					} else {
						got, want = dotF32(x, y), dotF32Generic(x, y)
					}
					if !sameFloat(got, want) {
						t.Fatalf("f%d n=%d offset %d: avx2 %v, generic %v", 8*size, n, off, got, want)
					}
				}
			}
		}
	}
}

// randomQ8K fills n q8_K blocks: a float32 scale (sometimes 0 or
// non-finite), random quants and random bsums.
func randomQ8K(rng *rand.Rand, n, off int) []byte {
	buf := make([]byte, off+n*292+64)
	b := buf[off : off+n*292]
	for i := range n {
		blk := b[i*292 : (i+1)*292]
		for j := range blk {
			blk[j] = byte(rng.Uint32())
		}
		d := float32(rng.NormFloat64() * 0.01)
		switch rng.IntN(40) {
		case 0:
			d = 0
		case 1:
			d = float32(math.Inf(-1))
		}
		u := math.Float32bits(d)
		blk[0], blk[1], blk[2], blk[3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
	}
	return b
}

func TestKQuantDotAVX2MatchesGeneric(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(27, 28))
	for _, n := range []int{0, 1, 2, 3, 5, 16, 17} {
		for off := range 4 {
			for range 20 {
				x := randomBlocks(rng, n, 144, off)
				// Both f16 scales random: randomBlocks set the first.
				for i := range n {
					x[i*144+2], x[i*144+3] = byte(rng.Uint32()), byte(rng.Uint32()&0x7b)
				}
				y := randomQ8K(rng, n, (off+2)%4)
				want := dotQ4_KQ8_KGeneric(blocks[blockQ4_K](x), blocks[blockQ8_K](y))
				var got float32
				if n > 0 {
					got = dotQ4_KQ8_KAVX2(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), n)
				}
				if !sameFloat(got, want) {
					t.Fatalf("q4_K n=%d offset %d: avx2 %v, generic %v", n, off, got, want)
				}
				x5 := randomBlocks(rng, n, 176, off)
				for i := range n {
					x5[i*176+2], x5[i*176+3] = byte(rng.Uint32()), byte(rng.Uint32()&0x7b)
				}
				want = dotQ5_KQ8_KGeneric(blocks[blockQ5_K](x5), blocks[blockQ8_K](y))
				got = 0
				if n > 0 {
					got = dotQ5_KQ8_KAVX2(unsafe.Pointer(&x5[0]), unsafe.Pointer(&y[0]), n)
				}
				if !sameFloat(got, want) {
					t.Fatalf("q5_K n=%d offset %d: avx2 %v, generic %v", n, off, got, want)
				}
				x6 := randomBlocks(rng, n, 210, off)
				for i := range n { // the f16 scale is the last field of q6_K
					blk := x6[i*210 : (i+1)*210]
					blk[208], blk[209] = blk[0], blk[1]&0x7b
				}
				want = dotQ6_KQ8_KGeneric(blocks[blockQ6_K](x6), blocks[blockQ8_K](y))
				got = 0
				if n > 0 {
					got = dotQ6_KQ8_KAVX2(unsafe.Pointer(&x6[0]), unsafe.Pointer(&y[0]), n)
				}
				if !sameFloat(got, want) {
					t.Fatalf("q6_K n=%d offset %d: avx2 %v, generic %v", n, off, got, want)
				}
			}
		}
	}
}

// TestNL4DotAVX2MatchesGeneric checks the iq4_nl and mxfp4 dots (assembly
// over pairs of blocks, the Go twin over an odd last block) against the
// generic kernels, bit for bit.
func TestNL4DotAVX2MatchesGeneric(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(29, 30))
	for _, n := range []int{0, 1, 2, 3, 4, 7, 31, 32, 33, 101} {
		for off := range 4 {
			for trial := range 20 {
				y := blocks[blockQ8_0](randomBlocks(rng, n, 34, (off+trial)%4))
				x := blocks[blockIQ4_NL](randomBlocks(rng, n, 18, off))
				if got, want := dotIQ4_NLQ8_0(x, y), dotIQ4_NLQ8_0Generic(x, y); !sameFloat(got, want) {
					t.Fatalf("iq4_nl n=%d offset %d: avx2 %v, generic %v", n, off, got, want)
				}
				m := blocks[blockMXFP4](randomBlocks(rng, n, 17, off))
				if got, want := dotMXFP4Q8_0(m, y), dotMXFP4Q8_0Generic(m, y); !sameFloat(got, want) {
					t.Fatalf("mxfp4 n=%d offset %d: avx2 %v, generic %v", n, off, got, want)
				}
			}
		}
	}
}

func TestIQ4XSDotAVX2MatchesGeneric(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(31, 32))
	for _, n := range []int{0, 1, 2, 3, 5, 16, 17} {
		for off := range 4 {
			for range 20 {
				x := blocks[blockIQ4_XS](randomBlocks(rng, n, 136, off))
				y := blocks[blockQ8_K](randomQ8K(rng, n, (off+1)%4))
				if got, want := dotIQ4_XSQ8_K(x, y), dotIQ4_XSQ8_KGeneric(x, y); !sameFloat(got, want) {
					t.Fatalf("iq4_xs n=%d offset %d: avx2 %v, generic %v", n, off, got, want)
				}
			}
		}
	}
}

// TestDot4MatchesDot checks each Dot4 against four Dot calls, bit for bit,
// with and without the assembly.
func TestDot4MatchesDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for _, tr := range traits {
		if tr.Dot4 == nil {
			continue
		}
		tt, _ := tr.Type.Traits()
		size := int(tt.BlockBytes)
		for _, n := range []int{0, 1, 2, 3, 31, 32, 33, 101} {
			for off := range 4 {
				w := randomBlocks(rng, 4*n, size, off)
				y := randomBlocks(rng, n, 34, (off+1)%4)
				var got [4]float32
				tr.Dot4(w, n*size, y, &got)
				for k := range 4 {
					if want := tr.Dot(w[k*n*size:(k+1)*n*size], y); !sameFloat(got[k], want) {
						t.Fatalf("%s n=%d offset %d row %d: dot4 %v, dot %v", tr.Type, n, off, k, got[k], want)
					}
				}
			}
		}
	}
}

// TestQuantizeActQ8_0AVX2MatchesGeneric checks the q8_0 activation
// quantizer against its Go twin, byte for byte, on finite values of many
// magnitudes (zero blocks, fp16-subnormal and overflowing scales, ties),
// block counts 0..40 and 101, offsets 0..3.
func TestQuantizeActQ8_0AVX2MatchesGeneric(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(61, 62))
	for n := range 42 {
		if n == 41 {
			n = 101
		}
		for off := range 4 {
			buf := make([]float32, off+n*32)
			x := buf[off:]
			for i := range x {
				scale := []float32{0, 1e-6, 1e-3, 1, 100, 1e7}[i/32%6]
				x[i] = float32(rng.NormFloat64()) * scale
				if rng.IntN(20) == 0 {
					x[i] = float32(rng.IntN(255)-127) / 2 * scale // halves: ties
				}
			}
			got := make([]blockQ8_0, n)
			want := make([]blockQ8_0, n)
			quantizeActQ8_0(got, x)
			quantizeActQ8_0Generic(want, x)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("n=%d offset %d block %d: avx2 %+v, generic %+v", n, off, i, got[i], want[i])
				}
			}
		}
	}
}

// TestQuantizeQ8_KAVX2MatchesGeneric is the q8_K activation quantizer
// against its Go twin, byte for byte: zero blocks, a maximum magnitude
// reached by both signs (the first one sets the sign), ties.
func TestQuantizeQ8_KAVX2MatchesGeneric(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(63, 64))
	for n := range 12 {
		for off := range 4 {
			buf := make([]float32, off+n*256)
			x := buf[off:]
			for b := range n {
				xb := x[b*256 : (b+1)*256]
				scale := []float32{1, 0, 1e-3, 1e4}[b%4]
				for i := range xb {
					xb[i] = float32(rng.NormFloat64()) * scale
					if rng.IntN(10) == 0 {
						xb[i] = float32(rng.IntN(255)-127) / 4 * scale
					}
				}
				if b%3 == 1 { // both signs of the largest magnitude
					i, j := rng.IntN(256), rng.IntN(256)
					xb[i], xb[j] = 50*scale, -50*scale
				}
			}
			got := make([]blockQ8_K, n)
			want := make([]blockQ8_K, n)
			quantizeQ8_K(got, x)
			quantizeQ8_KGeneric(want, x)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("n=%d offset %d block %d: avx2 %+v, generic %+v", n, off, i, got[i], want[i])
				}
			}
		}
	}
}
