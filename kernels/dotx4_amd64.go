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
// −128, the one value the sign trick does not negate).

// dotQ8_0x4VNNI computes the four rows' dots of an interleaved q8_0 group
// of nb columns at w with nb q8_0 activation blocks at y.
//
//go:noescape
func dotQ8_0x4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)

// dotQ4_0x4VNNI is dotQ8_0x4VNNI for an interleaved q4_0 group.
//
//go:noescape
func dotQ4_0x4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)

// dotQ4_Kx4VNNI is dotQ8_0x4VNNI for an interleaved q4_K group and q8_K
// activations.
//
//go:noescape
func dotQ4_Kx4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)

// dotQ5_Kx4VNNI is dotQ4_Kx4VNNI for an interleaved q5_K group.
//
//go:noescape
func dotQ5_Kx4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)

// dotQ6_Kx4VNNI is dotQ4_Kx4VNNI for an interleaved q6_K group.
//
//go:noescape
func dotQ6_Kx4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)

// dotQ4_Kx4x2VNNI is dotQ4_Kx4VNNI for two activations, the second
// ystride bytes after the first; out[0..3] are the first's dots.
//
//go:noescape
func dotQ4_Kx4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)

// x4Kernel2 returns the two-activation interleaved kernel for t at the
// current level, or nil.
func x4Kernel2(t gguf.Type) func(group, y []byte, ystride int, out *[8]float32) {
	if !hasAVX512VNNI {
		return nil
	}
	switch t {
	case gguf.TypeQ8_0:
		return dotQ8_0x4x2
	case gguf.TypeQ4_0:
		return dotQ4_0x4x2
	case gguf.TypeQ4_K:
		return dotQ4_Kx4x2
	case gguf.TypeQ5_K:
		return dotQ5_Kx4x2
	case gguf.TypeQ6_K:
		return dotQ6_Kx4x2
	}
	return nil
}

// dotQ5_Kx4x2VNNI is dotQ5_Kx4VNNI for two activations (see
// dotQ4_Kx4x2VNNI).
//
//go:noescape
func dotQ5_Kx4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)

func dotQ5_Kx4x2(group, y []byte, ystride int, out *[8]float32) {
	nb := len(group) / 704
	if nb == 0 {
		*out = [8]float32{}
		return
	}
	_ = y[ystride+nb*292-1]
	dotQ5_Kx4x2VNNI(unsafe.Pointer(&group[0]), unsafe.Pointer(&y[0]), ystride, nb, out)
}

// dotQ6_Kx4x2VNNI is dotQ6_Kx4VNNI for two activations (see
// dotQ4_Kx4x2VNNI).
//
//go:noescape
func dotQ6_Kx4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)

func dotQ6_Kx4x2(group, y []byte, ystride int, out *[8]float32) {
	nb := len(group) / 840
	if nb == 0 {
		*out = [8]float32{}
		return
	}
	_ = y[ystride+nb*292-1]
	dotQ6_Kx4x2VNNI(unsafe.Pointer(&group[0]), unsafe.Pointer(&y[0]), ystride, nb, out)
}

func dotQ4_Kx4x2(group, y []byte, ystride int, out *[8]float32) {
	nb := len(group) / 576
	if nb == 0 {
		*out = [8]float32{}
		return
	}
	_ = y[ystride+nb*292-1]
	dotQ4_Kx4x2VNNI(unsafe.Pointer(&group[0]), unsafe.Pointer(&y[0]), ystride, nb, out)
}

// x4Kernel returns the interleaved kernel for t at the current level, or nil.
func x4Kernel(t gguf.Type) func(group, y []byte, out *[4]float32) {
	if !hasAVX512VNNI {
		return nil
	}
	switch t {
	case gguf.TypeQ8_0:
		return dotQ8_0x4
	case gguf.TypeQ4_0:
		return dotQ4_0x4
	case gguf.TypeQ4_K:
		return dotQ4_Kx4
	case gguf.TypeQ5_K:
		return dotQ5_Kx4
	case gguf.TypeQ6_K:
		return dotQ6_Kx4
	}
	return nil
}

func dotQ8_0x4(group, y []byte, out *[4]float32) {
	nb := len(group) / 136
	if nb == 0 {
		*out = [4]float32{}
		return
	}
	_ = y[nb*34-1]
	dotQ8_0x4VNNI(unsafe.Pointer(&group[0]), unsafe.Pointer(&y[0]), nb, out)
}

func dotQ4_0x4(group, y []byte, out *[4]float32) {
	nb := len(group) / 72
	if nb == 0 {
		*out = [4]float32{}
		return
	}
	_ = y[nb*34-1]
	dotQ4_0x4VNNI(unsafe.Pointer(&group[0]), unsafe.Pointer(&y[0]), nb, out)
}

func dotQ4_Kx4(group, y []byte, out *[4]float32) {
	nb := len(group) / 576
	if nb == 0 {
		*out = [4]float32{}
		return
	}
	_ = y[nb*292-1]
	dotQ4_Kx4VNNI(unsafe.Pointer(&group[0]), unsafe.Pointer(&y[0]), nb, out)
}

func dotQ6_Kx4(group, y []byte, out *[4]float32) {
	nb := len(group) / 840
	if nb == 0 {
		*out = [4]float32{}
		return
	}
	_ = y[nb*292-1]
	dotQ6_Kx4VNNI(unsafe.Pointer(&group[0]), unsafe.Pointer(&y[0]), nb, out)
}

func dotQ5_Kx4(group, y []byte, out *[4]float32) {
	nb := len(group) / 704
	if nb == 0 {
		*out = [4]float32{}
		return
	}
	_ = y[nb*292-1]
	dotQ5_Kx4VNNI(unsafe.Pointer(&group[0]), unsafe.Pointer(&y[0]), nb, out)
}

// dotQ8_0x4x2VNNI and dotQ4_0x4x2VNNI are dotQ8_0x4VNNI and
// dotQ4_0x4VNNI for two activations (see dotQ4_Kx4x2VNNI).
//
//go:noescape
func dotQ8_0x4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)

//go:noescape
func dotQ4_0x4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)

func dotQ8_0x4x2(group, y []byte, ystride int, out *[8]float32) {
	nb := len(group) / 136
	if nb == 0 {
		*out = [8]float32{}
		return
	}
	_ = y[ystride+nb*34-1]
	dotQ8_0x4x2VNNI(unsafe.Pointer(&group[0]), unsafe.Pointer(&y[0]), ystride, nb, out)
}

func dotQ4_0x4x2(group, y []byte, ystride int, out *[8]float32) {
	nb := len(group) / 72
	if nb == 0 {
		*out = [8]float32{}
		return
	}
	_ = y[ystride+nb*34-1]
	dotQ4_0x4x2VNNI(unsafe.Pointer(&group[0]), unsafe.Pointer(&y[0]), ystride, nb, out)
}
