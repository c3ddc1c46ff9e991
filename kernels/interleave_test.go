package kernels

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/smeltlm/smelt/gguf"
)

// randomRows makes rows×(nb blocks) of type ty (see randomBlocks).
func randomRows(rng *rand.Rand, ty gguf.Type, rows, nb, off int) []byte {
	return randomBlocks(rng, rows*nb, x4Layouts[ty].blockBytes, off)
}

// randomBlocks fills n blocks of size bytes at offset off of a fresh buffer:
// a random f16 scale (sometimes 0, NaN or ±Inf), then random bytes with
// the extremes over-represented.
func randomBlocks(rng *rand.Rand, n, size, off int) []byte {
	buf := make([]byte, off+n*size+64)
	b := buf[off : off+n*size]
	for i := range n {
		blk := b[i*size : (i+1)*size]
		var d uint16
		switch rng.IntN(40) {
		case 0:
			d = 0
		case 1:
			d = 0x7e00 // NaN
		case 2:
			d = 0x7c00 // +Inf
		default:
			d = uint16(rng.IntN(0x7800)) | uint16(rng.IntN(2))<<15
		}
		blk[0], blk[1] = byte(d), byte(d>>8)
		for j := 2; j < size; j++ {
			switch rng.IntN(8) {
			case 0:
				blk[j] = 0x80
			case 1:
				blk[j] = 0x7f
			default:
				blk[j] = byte(rng.Uint32())
			}
		}
	}
	return b
}

// TestInterleaveRoundTrip checks that Deinterleave restores what
// Interleave rewrote, and that the layout differs from the original.
func TestInterleaveRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for ty := range x4Layouts {
		for _, nb := range []int{1, 3, 8} {
			orig := randomRows(rng, ty, 8, nb, 0)
			data := bytes.Clone(orig)
			if err := Interleave(data, ty, 8, nb*blockElems(ty)); err != nil {
				t.Fatal(err)
			}
			if len(data) != len(orig) || bytes.Equal(data, orig) {
				t.Fatalf("%s nb=%d: interleaving left the rows as they were", ty, nb)
			}
			to := make([]byte, len(orig))
			if err := InterleaveTo(to, orig, ty, 8, nb*blockElems(ty)); err != nil || !bytes.Equal(to, data) {
				t.Fatalf("%s nb=%d: InterleaveTo differs from Interleave (%v)", ty, nb, err)
			}
			if err := Deinterleave(data, ty, 8, nb*blockElems(ty)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, orig) {
				t.Fatalf("%s nb=%d: round trip differs", ty, nb)
			}
		}
		if err := Interleave(make([]byte, 6*x4Layouts[ty].blockBytes), ty, 6, blockElems(ty)); err == nil {
			t.Errorf("%s: 6 rows interleaved without error", ty)
		}
	}
	if err := Interleave(make([]byte, 4*110), gguf.TypeQ3_K, 4, 256); err == nil {
		t.Error("q3_K has no interleaved layout but Interleave accepted it")
	}
}

// TestX4MatchesDot checks the interleaved kernel of each type (assembly
// where the CPU has it, and the Go twin) against four Dot calls on the
// original rows, bit for bit, over odd lengths and buffer offsets.
func TestX4MatchesDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	for ty := range x4Layouts {
		tr, _ := For(ty)
		for _, nb := range []int{0, 1, 2, 3, 7, 31, 32, 33, 101} {
			for off := range 4 {
				orig := randomRows(rng, ty, groupRows, nb, off)
				group := bytes.Clone(orig)
				if err := Interleave(group, ty, groupRows, nb*blockElems(ty)); err != nil {
					t.Fatal(err)
				}
				// Activations as QuantizeAct makes them, scales sometimes
				// NaN or infinite.
				y, err := QuantizeActivations(nil, ty, randFloats(rng, nb*blockElems(ty)), 1, nb*blockElems(ty))
				if err != nil {
					t.Fatal(err)
				}
				if yb := actBlockBytes(ty); yb == 34 { // q8_0: f16 scales
					for i := 0; i < len(y); i += yb {
						switch rng.IntN(30) {
						case 0:
							y[i], y[i+1] = 0x00, 0x7e
						case 1:
							y[i], y[i+1] = 0x00, 0x7c
						}
					}
				}
				rb := len(orig) / groupRows
				var want [4]float32
				for k := range want {
					want[k] = tr.Dot(orig[k*rb:(k+1)*rb], y)
				}
				var got, twin [4]float32
				if k := x4Kernel(ty); k != nil {
					k(group, y, &got)
				} else {
					got = want
				}
				dotX4Generic(ty, group, y, &twin)
				for k := range want {
					if !sameFloat(got[k], want[k]) || !sameFloat(twin[k], want[k]) {
						t.Fatalf("%s nb=%d offset %d row %d: x4 %v, twin %v, dot %v", ty, nb, off, k, got[k], twin[k], want[k])
					}
				}
			}
		}
	}
}

// TestMatMulInterleaved checks MatMul on an interleaved matrix against the
// same matrix in rows, for one and several activations, bit for bit.
func TestMatMulInterleaved(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	p := NewPool(3)
	defer p.Close()
	for ty := range x4Layouts {
		m, _ := quantizedMatrix(t, ty, 44, 3*blockElems(ty), rng)
		im := m
		im.Data = bytes.Clone(m.Data)
		if err := Interleave(im.Data, ty, m.Rows, m.Cols); err != nil {
			t.Fatal(err)
		}
		im.Interleaved = true
		for _, n := range []int{1, 5} {
			x := randFloats(rng, n*m.Cols)
			want := make([]float32, n*m.Rows)
			got := make([]float32, n*m.Rows)
			if err := p.MatMul(want, m, x, n); err != nil {
				t.Fatal(err)
			}
			if err := p.MatMul(got, im, x, n); err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if !sameFloat(got[i], want[i]) {
					t.Fatalf("%s n=%d: value %d: interleaved %v, rows %v", ty, n, i, got[i], want[i])
				}
			}
		}
	}
}

func blockElems(ty gguf.Type) int {
	tt, _ := ty.Traits()
	return int(tt.BlockSize)
}

func actBlockBytes(ty gguf.Type) int {
	tr, _ := For(ty)
	tt, _ := tr.VecDotType.Traits()
	return int(tt.BlockBytes)
}

// sameFloat is bit equality, with every NaN equal to every other.
func sameFloat(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// TestMatMulMany checks one operation over matrices of several types and
// layouts against a MatMul per matrix, bit for bit.
func TestMatMulMany(t *testing.T) {
	rng := rand.New(rand.NewPCG(47, 48))
	p := NewPool(2)
	defer p.Close()
	const cols = 256
	var ws []Matrix
	for _, ty := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_K, gguf.TypeQ4_0, gguf.TypeF16, gguf.TypeQ6_K, gguf.TypeQ5_K} {
		m, _ := quantizedMatrix(t, ty, 12+4*len(ws), cols, rng)
		if len(ws)%2 == 0 && x4Layouts[ty] != nil {
			if err := Interleave(m.Data, ty, m.Rows, cols); err != nil {
				t.Fatal(err)
			}
			m.Interleaved = true
		}
		ws = append(ws, m)
	}
	for _, n := range []int{1, 3} {
		x := randFloats(rng, n*cols)
		dsts := make([][]float32, len(ws))
		for k, w := range ws {
			dsts[k] = make([]float32, n*w.Rows)
		}
		if err := p.MatMulMany(dsts, ws, x, n); err != nil {
			t.Fatal(err)
		}
		for k, w := range ws {
			want := make([]float32, n*w.Rows)
			if err := p.MatMul(want, w, x, n); err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if !sameFloat(dsts[k][i], want[i]) {
					t.Fatalf("n=%d matrix %d (%s) value %d: many %v, one %v", n, k, w.Type, i, dsts[k][i], want[i])
				}
			}
		}
	}
}

// TestX4x2MatchesX4 checks the two-activation interleaved kernels against
// the one-activation ones (bit for bit), over odd lengths and offsets.
func TestX4x2MatchesX4(t *testing.T) {
	rng := rand.New(rand.NewPCG(49, 50))
	for ty := range x4Layouts {
		k2 := x4Kernel2(ty)
		if k2 == nil {
			continue
		}
		for _, nb := range []int{1, 2, 3, 7, 12} {
			for off := range 4 {
				group := randomRows(rng, ty, groupRows, nb, off)
				if err := Interleave(group, ty, groupRows, nb*blockElems(ty)); err != nil {
					t.Fatal(err)
				}
				cols := nb * blockElems(ty)
				y, err := QuantizeActivations(nil, ty, randFloats(rng, 2*cols), 2, cols)
				if err != nil {
					t.Fatal(err)
				}
				var got [8]float32
				k2(group, y, len(y)/2, &got)
				for a := range 2 {
					var want [4]float32
					dotX4Generic(ty, group, y[a*len(y)/2:(a+1)*len(y)/2], &want)
					for r := range 4 {
						if !sameFloat(got[4*a+r], want[r]) {
							t.Fatalf("%s nb=%d offset %d activation %d row %d: x4x2 %v, x4 %v", ty, nb, off, a, r, got[4*a+r], want[r])
						}
					}
				}
			}
		}
	}
}

// TestInterleavedWithoutAVX512 runs an interleaved matrix with the AVX-512
// level switched off: nothing may be interleaved any more, and a matrix
// interleaved before still multiplies bit for bit as its rows do (the Go
// twin's path).
func TestInterleavedWithoutAVX512(t *testing.T) {
	rng := rand.New(rand.NewPCG(55, 56))
	p := NewPool(2)
	defer p.Close()
	for ty := range x4Layouts {
		m, _ := quantizedMatrix(t, ty, 8, 2*blockElems(ty), rng)
		im := m
		im.Data = bytes.Clone(m.Data)
		if err := Interleave(im.Data, ty, m.Rows, m.Cols); err != nil {
			t.Fatal(err)
		}
		im.Interleaved = true
		x := randFloats(rng, 3*m.Cols)
		want := make([]float32, 3*m.Rows)
		if err := p.MatMul(want, m, x, 3); err != nil {
			t.Fatal(err)
		}
		restore := forceAVX2()
		if CanInterleave(ty, m.Rows) || HasInterleaved() {
			restore()
			t.Fatalf("%s: interleaving still offered without AVX-512", ty)
		}
		got := make([]float32, 3*m.Rows)
		err := p.MatMul(got, im, x, 3)
		restore()
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if !sameFloat(got[i], want[i]) {
				t.Fatalf("%s value %d: interleaved without AVX-512 %v, rows %v", ty, i, got[i], want[i])
			}
		}
	}
}
