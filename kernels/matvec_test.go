package kernels

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/smeltlm/smelt/gguf"
)

func randFloats(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// quantizedMatrix makes a rows×cols matrix of type t from random weights.
func quantizedMatrix(t testing.TB, ty gguf.Type, rows, cols int, rng *rand.Rand) (Matrix, []float32) {
	tr, err := For(ty)
	if err != nil || tr.Quantize == nil {
		t.Fatalf("%s: no quantizer", ty)
	}
	w := randFloats(rng, rows*cols)
	m := Matrix{Type: ty, Rows: rows, Cols: cols}
	rb, err := m.RowBytes()
	if err != nil {
		t.Fatal(err)
	}
	m.Data = make([]byte, rb*rows)
	for r := range rows {
		tr.Quantize(m.Data[r*rb:(r+1)*rb], w[r*cols:(r+1)*cols])
	}
	return m, w
}

func TestPoolCoversRange(t *testing.T) {
	for _, threads := range []int{1, 2, 3, 8} {
		p := NewPool(threads)
		for _, n := range []int{0, 1, 2, 7, 100, 1001} {
			counts := make([]atomic.Int32, n)
			p.Run(n, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					counts[i].Add(1)
				}
			})
			for i := range counts {
				if c := counts[i].Load(); c != 1 {
					t.Fatalf("threads %d n %d: index %d visited %d times", threads, n, i, c)
				}
			}
		}
		p.Close()
	}
}

// TestMatMulMatchesDot checks that the threaded matrix products equal the
// row-by-row dot, exactly, for every type, several activation rows and
// shapes with a ragged last chunk.
func TestMatMulMatchesDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	p := NewPool(3)
	defer p.Close()
	for _, ty := range []gguf.Type{gguf.TypeF32, gguf.TypeF16, gguf.TypeBF16, gguf.TypeQ4_0, gguf.TypeQ4_1,
		gguf.TypeQ5_0, gguf.TypeQ5_1, gguf.TypeQ8_0, gguf.TypeQ2_K, gguf.TypeQ3_K, gguf.TypeQ4_K, gguf.TypeQ5_K,
		gguf.TypeQ6_K, gguf.TypeIQ4_NL, gguf.TypeIQ4_XS, gguf.TypeMXFP4, gguf.TypeTQ1_0, gguf.TypeTQ2_0} {
		const rows, cols, n = 37, 512, 3
		m, _ := quantizedMatrix(t, ty, rows, cols, rng)
		x := randFloats(rng, n*cols)
		got := make([]float32, n*rows)
		if err := p.MatMul(got, m, x, n); err != nil {
			t.Fatalf("%s: %v", ty, err)
		}
		tr, _ := For(ty)
		rb, _ := m.RowBytes()
		xq, _ := QuantizeActivations(nil, ty, x, n, cols)
		xrb := len(xq) / n
		var worst float64
		for i := range n {
			for r := range rows {
				want := tr.Dot(m.Data[r*rb:(r+1)*rb], xq[i*xrb:(i+1)*xrb])
				if got[i*rows+r] != want {
					t.Fatalf("%s: dst[%d][%d] = %v, dot gives %v", ty, i, r, got[i*rows+r], want)
				}
				// And the product is close to the float product of the
				// dequantized weights (quantization error only).
				exact := 0.0
				deq := make([]float32, cols)
				tr.Dequantize(deq, m.Data[r*rb:(r+1)*rb])
				for c := range cols {
					exact += float64(deq[c]) * float64(x[i*cols+c])
				}
				worst = max(worst, math.Abs(float64(want)-exact)/math.Sqrt(float64(cols)))
			}
		}
		if worst > 0.05 {
			t.Errorf("%s: dot strays %.3g (per √n) from the dequantized product", ty, worst)
		}
	}
	if err := p.MatVec(make([]float32, 2), Matrix{Type: gguf.TypeQ4_0, Rows: 2, Cols: 32, Data: make([]byte, 10)}, make([]float32, 32)); err == nil {
		t.Error("short matrix accepted")
	}
}
