package kernels

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/smeltlm/smelt/gguf"
)

// TestIQGrids checks the expanded grids against the SHA-256 of ggml's
// tables (iq2xxs_grid … iq1s_grid as little-endian bytes, the way they lie
// in memory), and ksigns_iq2xs against its definition.
func TestIQGrids(t *testing.T) {
	sum := func(p unsafe.Pointer, n int) string {
		h := sha256.Sum256(unsafe.Slice((*byte)(p), n))
		return hex.EncodeToString(h[:])
	}
	for _, c := range []struct {
		name, got, want string
	}{
		{"iq2xxs_grid", sum(unsafe.Pointer(&iq2xxsGrid), len(iq2xxsGrid)*8), "05826b5d3e472a3a78f196be62ac78acf81df0f909626e12ab9fa2a5d490dd54"},
		{"iq2xs_grid", sum(unsafe.Pointer(&iq2xsGrid), len(iq2xsGrid)*8), "06e47aaca60b4dc1d9b5a3f34540437058a6b142b4d7a59d5ded769b4d1bf1de"},
		{"iq2s_grid", sum(unsafe.Pointer(&iq2sGrid), len(iq2sGrid)*8), "e1aa1473412b0552c2174c30ef22ab4073f6a181b85a17056e8249bd2932fd88"},
		{"iq3xxs_grid", sum(unsafe.Pointer(&iq3xxsGrid), len(iq3xxsGrid)*4), "46e35f5a997efdee6c99ce57854c8a0d4f0ff8ca57e5e8a60c0793ea580acf5d"},
		{"iq3s_grid", sum(unsafe.Pointer(&iq3sGrid), len(iq3sGrid)*4), "bd1af4945a1717c65610b0284e4628b9a1ba3b306fae3a06f6e5f597356e349f"},
		{"iq1s_grid", sum(unsafe.Pointer(&iq1sGrid), len(iq1sGrid)*8), "07540ffc1aeaf6ad4d97e96b0fcc765aae39671d4ae4a27bbd0e796fde167c6a"},
	} {
		if c.got != c.want {
			t.Errorf("%s: sha256 %s, ggml's is %s", c.name, c.got, c.want)
		}
	}
	// ksigns: 7 sign bits kept, the eighth makes the count even.
	for i, s := range ksignsIQ2XS {
		n := 0
		for b := s; b != 0; b >>= 1 {
			n += int(b & 1)
		}
		if n%2 != 0 || int(s&127) != i {
			t.Errorf("ksigns_iq2xs[%d] = %#x", i, s)
		}
	}
}

// grid-definition checks: blocks built field by field with random
// indices, signs and scales must dequantize to scale·grid point·sign, with
// the scale formula of ggml's dequantize_row_* for the type.

type gridCase struct {
	typ gguf.Type
	// build fills block bytes b from rng and returns, for each of the 256
	// elements, the expected value given the block's f16 scale d.
	build func(r *rand.Rand, b []byte, d float32) []float32
}

// putF16 writes a random positive f16 scale at b and returns its value.
func putF16(r *rand.Rand, b []byte) float32 {
	h := toFP16(float32(0.001 + r.Float64()))
	binary.LittleEndian.PutUint16(b, h)
	return fp16(h)
}

func sgn(neg bool) float32 {
	if neg {
		return -1
	}
	return 1
}

var gridCases = []gridCase{
	{gguf.TypeIQ2_XXS, func(r *rand.Rand, b []byte, d float32) []float32 {
		want := make([]float32, qkK)
		for ib := range 8 {
			var idx [4]uint8
			var sg [4]uint32
			ls := r.Uint32N(16)
			aux := ls << 28
			for l := range 4 {
				idx[l] = uint8(r.UintN(256))
				sg[l] = r.Uint32N(128)
				aux |= sg[l] << (7 * l)
			}
			copy(b[2+8*ib:], idx[:])
			binary.LittleEndian.PutUint32(b[2+8*ib+4:], aux)
			db := d * (0.5 + float32(ls)) * 0.25
			for l := range 4 {
				signs := ksignsIQ2XS[sg[l]]
				for j := range 8 {
					want[32*ib+8*l+j] = db * float32(iq2xxsGrid[idx[l]][j]) * sgn(signs>>j&1 == 1)
				}
			}
		}
		return want
	}},
	{gguf.TypeIQ2_XS, func(r *rand.Rand, b []byte, d float32) []float32 {
		want := make([]float32, qkK)
		for ib := range 8 {
			lo, hi := r.UintN(16), r.UintN(16)
			b[2+64+ib] = uint8(lo | hi<<4)
			for l := range 4 {
				g, s := r.UintN(512), r.UintN(128)
				binary.LittleEndian.PutUint16(b[2+2*(4*ib+l):], uint16(g|s<<9))
				db := d * (0.5 + float32([2]uint{lo, hi}[l/2])) * 0.25
				for j := range 8 {
					want[32*ib+8*l+j] = db * float32(iq2xsGrid[g][j]) * sgn(ksignsIQ2XS[s]>>j&1 == 1)
				}
			}
		}
		return want
	}},
	{gguf.TypeIQ1_S, func(r *rand.Rand, b []byte, d float32) []float32 {
		want := make([]float32, qkK)
		for ib := range 8 {
			ls, neg := r.UintN(8), r.UintN(2)
			qh := uint16(ls<<12 | neg<<15)
			for l := range 4 {
				g := r.UintN(2048)
				b[2+4*ib+l] = uint8(g)
				qh |= uint16(g>>8) << (3 * l)
				dl := d * float32(2*ls+1)
				delta := float32(0.125) * sgn(neg == 1)
				for j := range 8 {
					want[32*ib+8*l+j] = dl * (float32(iq1sGrid[g][j]) + delta)
				}
			}
			binary.LittleEndian.PutUint16(b[2+32+2*ib:], qh)
		}
		return want
	}},
}

func TestIQDequantizeGridDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range gridCases {
		t.Run(c.typ.String(), func(t *testing.T) {
			tr, err := For(c.typ)
			if err != nil {
				t.Fatal(err)
			}
			bb := blockBytes(c.typ)
			for range 200 {
				b := make([]byte, bb)
				d := putF16(r, b)
				want := c.build(r, b, d)
				got := make([]float32, qkK)
				tr.Dequantize(got, b)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("element %d: got %v want %v", i, got[i], want[i])
					}
				}
			}
		})
	}
}

// TestIQDotMatchesDequant checks every grid type's dot against the
// float64 sum of its dequantized weights times the dequantized
// activations, on random blocks (a consistency check for the types that
// quantfix does not hold; those it holds are exact in TestQuantfix).
func TestIQDotMatchesDequant(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	q8k, _ := For(gguf.TypeQ8_K)
	for _, ty := range []gguf.Type{gguf.TypeIQ2_XXS, gguf.TypeIQ2_XS, gguf.TypeIQ2_S,
		gguf.TypeIQ3_XXS, gguf.TypeIQ3_S, gguf.TypeIQ1_S, gguf.TypeIQ1_M} {
		t.Run(ty.String(), func(t *testing.T) {
			tr, _ := For(ty)
			const nb = 5
			bb := blockBytes(ty)
			w := make([]byte, nb*bb)
			for i := range w {
				w[i] = byte(r.UintN(256))
			}
			// sane f16 scales (random bytes could give Inf or NaN)
			for i := range nb {
				h := toFP16(float32(0.01 + r.Float64()))
				if ty != gguf.TypeIQ1_M {
					binary.LittleEndian.PutUint16(w[i*bb:], h)
					continue
				}
				// iq1_m spreads the f16 over the top nibbles of its scale words.
				sc := w[i*bb+bb-8 : i*bb+bb]
				for k := range 4 {
					sc[2*k+1] = sc[2*k+1]&0x0f | byte(h>>(4*k))<<4
				}
			}
			x := make([]float32, nb*qkK)
			for i := range x {
				x[i] = float32(r.NormFloat64())
			}
			y := make([]byte, nb*blockBytes(gguf.TypeQ8_K))
			q8k.QuantizeAct(y, x)
			wd := make([]float32, len(x))
			yd := make([]float32, len(x))
			tr.Dequantize(wd, w)
			q8k.Dequantize(yd, y)
			var want, mag float64
			for i := range wd {
				want += float64(wd[i]) * float64(yd[i])
				mag += math.Abs(float64(wd[i]) * float64(yd[i]))
			}
			got := float64(tr.Dot(w, y))
			if math.IsNaN(got) || math.Abs(got-want) > 1e-5*mag {
				t.Errorf("dot %v, dequantized sum %v (Σ|·| %v)", got, want, mag)
			}
		})
	}
}
