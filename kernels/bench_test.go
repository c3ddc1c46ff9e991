package kernels

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/smeltlm/smelt/gguf"
)

// benchTypes are the weight types with a dot, in the order of the table.
var benchTypes = []gguf.Type{gguf.TypeF32, gguf.TypeF16, gguf.TypeBF16, gguf.TypeQ4_0, gguf.TypeQ4_1,
	gguf.TypeQ5_0, gguf.TypeQ5_1, gguf.TypeQ8_0, gguf.TypeQ2_K, gguf.TypeQ3_K, gguf.TypeQ4_K, gguf.TypeQ5_K,
	gguf.TypeQ6_K, gguf.TypeIQ4_NL, gguf.TypeIQ4_XS, gguf.TypeMXFP4, gguf.TypeTQ1_0, gguf.TypeTQ2_0,
	gguf.TypeIQ3_XXS, gguf.TypeIQ3_S, gguf.TypeIQ2_S, gguf.TypeIQ1_M}

// asmTypes have an assembly dot on this build and CPU.
var asmTypes = map[gguf.Type]bool{gguf.TypeQ4_0: true, gguf.TypeQ8_0: true, gguf.TypeF16: true, gguf.TypeF32: true, gguf.TypeQ4_K: true, gguf.TypeQ6_K: true, gguf.TypeQ5_K: true, gguf.TypeBF16: true,
	gguf.TypeIQ4_NL: true, gguf.TypeMXFP4: true, gguf.TypeIQ4_XS: true}

// levels lists the implementations to measure for a type: always the Go
// twin, and the assembly where there is one.
func levels(ty gguf.Type) []string {
	if asmTypes[ty] && Level() != "generic" {
		return []string{"generic", Level()}
	}
	return []string{"generic"}
}

// BenchmarkDot measures one row dot of 4096 elements on each implementation;
// bytes are weight bytes.
func BenchmarkDot(b *testing.B) {
	const n = 4096
	rng := rand.New(rand.NewPCG(9, 10))
	for _, ty := range benchTypes {
		m, _ := quantizedMatrix(b, ty, 1, n, rng)
		xq, err := QuantizeActivations(nil, ty, randFloats(rng, n), 1, n)
		if err != nil {
			b.Fatal(err)
		}
		tr, _ := For(ty)
		for _, level := range levels(ty) {
			b.Run(fmt.Sprintf("%s/%s/n=%d", ty, level, n), func(b *testing.B) {
				if level == "generic" {
					defer forceGeneric()()
				}
				b.SetBytes(int64(len(m.Data)))
				var sink float32
				for b.Loop() {
					sink += tr.Dot(m.Data, xq)
				}
				_ = sink
				b.ReportMetric(float64(len(m.Data))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}

// BenchmarkMatVec measures a 4096×4096 matrix times one vector on one
// thread and on all of them; bytes are weight bytes. Level avx512vnni-x4
// is the matrix interleaved (Interleave) and its AVX-512 VNNI kernels.
func BenchmarkMatVec(b *testing.B) {
	const rows, cols = 4096, 4096
	rng := rand.New(rand.NewPCG(11, 12))
	x := randFloats(rng, cols)
	dst := make([]float32, rows)
	for _, ty := range benchTypes {
		m, _ := quantizedMatrix(b, ty, rows, cols, rng)
		lv := levels(ty)
		im := m
		if CanInterleave(ty, rows) {
			lv = append(lv, "avx512vnni-x4")
			im.Data = bytes.Clone(m.Data)
			if err := Interleave(im.Data, ty, rows, cols); err != nil {
				b.Fatal(err)
			}
			im.Interleaved = true
		}
		for _, level := range lv {
			m := m
			if level == "avx512vnni-x4" {
				m = im
			}
			for _, threads := range []int{1, 0} {
				p := NewPool(threads)
				b.Run(fmt.Sprintf("%s/%s/%dx%d/t=%d", ty, level, rows, cols, p.Threads()), func(b *testing.B) {
					if level == "generic" {
						defer forceGeneric()()
					}
					b.SetBytes(int64(len(m.Data)))
					for b.Loop() {
						if err := p.MatVec(dst, m, x); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(len(m.Data))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
				})
				p.Close()
			}
		}
	}
}

// BenchmarkReadBandwidth streams a 256 MiB buffer with a plain Go loop: the
// memory read bandwidth the matrix kernels are measured against.
func BenchmarkReadBandwidth(b *testing.B) {
	buf := make([]uint64, 32<<20)
	for i := range buf {
		buf[i] = uint64(i)
	}
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), len(buf)*8)
	for _, threads := range []int{1, 0} {
		p := NewPool(threads)
		// scalar: a plain Go loop; f32dot: the f32 dot kernel (assembly
		// where present) reading the buffer against itself chunk by chunk,
		// the way a matvec streams weights.
		b.Run(fmt.Sprintf("scalar/t=%d", p.Threads()), func(b *testing.B) {
			b.SetBytes(int64(len(buf) * 8))
			sums := make([]uint64, len(buf))
			for b.Loop() {
				p.Run(len(buf)/4096, func(lo, hi int) {
					var s0, s1, s2, s3 uint64
					for _, v := range buf[lo*4096 : hi*4096] {
						s0 += v
						s1 ^= v
						s2 |= v
						s3 += v >> 1
					}
					sums[lo] = s0 + s1 + s2 + s3
				})
			}
			b.ReportMetric(float64(len(buf)*8)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
		b.Run(fmt.Sprintf("f32dot/t=%d", p.Threads()), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			const chunk = 32 << 10
			sums := make([]float32, len(raw)/chunk)
			for b.Loop() {
				p.Run(len(raw)/chunk, func(lo, hi int) {
					for c := lo; c < hi; c++ {
						x := raw[c*chunk : (c+1)*chunk]
						sums[c] = dotF32(x, x)
					}
				})
			}
			b.ReportMetric(float64(len(raw))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
		p.Close()
	}
}

// BenchmarkQuantizeAct measures quantizing 4096 activations to each
// activation type, on the Go twin and the assembly; bytes are input bytes.
func BenchmarkQuantizeAct(b *testing.B) {
	const n = 4096
	rng := rand.New(rand.NewPCG(13, 14))
	x := randFloats(rng, n)
	for _, ty := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ8_K} {
		tr, _ := For(ty)
		rb, _ := ty.RowBytes(n)
		dst := make([]byte, rb)
		for _, level := range []string{"generic", Level()} {
			if level == "generic" && Level() == "generic" && ty != gguf.TypeQ8_0 {
				continue
			}
			b.Run(fmt.Sprintf("%s/%s/n=%d", ty, level, n), func(b *testing.B) {
				if level == "generic" {
					defer forceGeneric()()
				}
				b.SetBytes(4 * n)
				for b.Loop() {
					tr.QuantizeAct(dst, x)
				}
			})
		}
	}
}
