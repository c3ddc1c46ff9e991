//go:build amd64 && !purego

package kernels

import (
	"unsafe"

	"github.com/smeltlm/smelt/gguf"
)

// The interleaved kernels (see interleave.go) use AVX-512 with VNNI:
// VPDPBUSD multiplies unsigned by signed bytes, so the weights are offset
// to unsigned (q8_0: x+128; q4_0: the raw nibble) and the offset times the
// activation's sums of four is subtracted, which gives each lane's exact
// integer sum. That equals the sign-trick sums of the AVX2 kernels and the
// Go twins for every activation QuantizeAct produces (they never hold
// −128, the one value the sign trick does not negate). The k-quants'
// values are unsigned already (VPMADDUBSW, then VPDPWSSD with the scales).
//
// Each type has a kernel for one activation, computing the four rows' dots
// of a group of nb columns at w with nb activation blocks at y, and one
// for two activations (A at y, B at y+ystride; out[0..3] are A's), which
// decodes each weight column once for both (prompts). Both give exactly
// what four Dot calls per activation give.

//go:noescape
func dotQ8_0x4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)

//go:noescape
func dotQ4_0x4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)

//go:noescape
func dotQ4_Kx4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)

//go:noescape
func dotQ5_Kx4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)

//go:noescape
func dotQ6_Kx4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)

//go:noescape
func dotQ8_0x4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)

//go:noescape
func dotQ4_0x4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)

//go:noescape
func dotQ4_Kx4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)

//go:noescape
func dotQ5_Kx4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)

//go:noescape
func dotQ6_Kx4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)

// x4Asm is a type's pair of interleaved kernels and the bytes of one
// activation block (one column's worth).
type x4Asm struct {
	one      func(w, y unsafe.Pointer, nb int, out *[4]float32)
	two      func(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)
	actBytes int
}

var x4Asms = map[gguf.Type]x4Asm{
	gguf.TypeQ8_0: {dotQ8_0x4VNNI, dotQ8_0x4x2VNNI, 34},
	gguf.TypeQ4_0: {dotQ4_0x4VNNI, dotQ4_0x4x2VNNI, 34},
	gguf.TypeQ4_K: {dotQ4_Kx4VNNI, dotQ4_Kx4x2VNNI, 292},
	gguf.TypeQ5_K: {dotQ5_Kx4VNNI, dotQ5_Kx4x2VNNI, 292},
	gguf.TypeQ6_K: {dotQ6_Kx4VNNI, dotQ6_Kx4x2VNNI, 292},
}

// x4Kernel returns the one-activation interleaved kernel for t at the
// current level, or nil.
func x4Kernel(t gguf.Type) func(group, y []byte, out *[4]float32) {
	a, ok := x4Asms[t]
	if !hasAVX512VNNI || !ok {
		return nil
	}
	col := x4Layouts[t].colBytes
	return func(group, y []byte, out *[4]float32) {
		nb := len(group) / col
		if nb == 0 {
			*out = [4]float32{}
			return
		}
		_ = y[nb*a.actBytes-1]
		a.one(unsafe.Pointer(&group[0]), unsafe.Pointer(&y[0]), nb, out)
	}
}

// x4Kernel2 returns the two-activation interleaved kernel for t at the
// current level, or nil; y holds both activations, ystride bytes apart.
func x4Kernel2(t gguf.Type) func(group, y []byte, ystride int, out *[8]float32) {
	a, ok := x4Asms[t]
	if !hasAVX512VNNI || !ok {
		return nil
	}
	col := x4Layouts[t].colBytes
	return func(group, y []byte, ystride int, out *[8]float32) {
		nb := len(group) / col
		if nb == 0 {
			*out = [8]float32{}
			return
		}
		_ = y[ystride+nb*a.actBytes-1]
		a.two(unsafe.Pointer(&group[0]), unsafe.Pointer(&y[0]), ystride, nb, out)
	}
}
