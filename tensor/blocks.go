package tensor

import (
	"fmt"
	"unsafe"
)

// QK is ggml's block size for the legacy quants (QK4_0 … QK8_1, QK4_NL, QK_MXFP4).
const QK = 32

// QKK is ggml's super-block size (QK_K) of the k-quants and i-quants.
const QKK = 256

// The block structs mirror ggml-common.h field for field. The comment gives
// bits per weight. Each size is checked at compile time below.

// BlockQ4_0: 4.5 bpw. x = d × (q − 8).
type BlockQ4_0 struct {
	D  uint16       // delta (f16)
	Qs [QK / 2]byte // nibbles: low half holds elements 0..15, high half 16..31
}

// BlockQ4_1: 5 bpw. x = d × q + m.
type BlockQ4_1 struct {
	D, M uint16 // delta, min (f16)
	Qs   [QK / 2]byte
}

// BlockQ5_0: 5.5 bpw. x = d × (q − 16); qh holds each q's fifth bit.
type BlockQ5_0 struct {
	D  uint16
	Qh [4]byte
	Qs [QK / 2]byte
}

// BlockQ5_1: 6 bpw. x = d × q + m.
type BlockQ5_1 struct {
	D, M uint16
	Qh   [4]byte
	Qs   [QK / 2]byte
}

// BlockQ8_0: 8.5 bpw. x = d × q.
type BlockQ8_0 struct {
	D  uint16
	Qs [QK]int8
}

// BlockQ8_1: 9 bpw. S is d × Σq (f16), for the q4_1/q5_1 dots.
type BlockQ8_1 struct {
	D, S uint16
	Qs   [QK]int8
}

// BlockQ2_K: 2.625 bpw. 16 sub-blocks of 16; 4-bit scales and mins.
type BlockQ2_K struct {
	Scales  [QKK / 16]byte // low nibble scale, high nibble min
	Qs      [QKK / 4]byte
	D, Dmin uint16
}

// BlockQ3_K: 3.4375 bpw. 16 sub-blocks of 16; 6-bit scales packed in 12 bytes.
type BlockQ3_K struct {
	Hmask  [QKK / 8]byte // high bit of each quant
	Qs     [QKK / 4]byte // low 2 bits
	Scales [12]byte
	D      uint16
}

// BlockQ4_K: 4.5 bpw. 8 sub-blocks of 32; 6-bit scales and mins in 12 bytes.
type BlockQ4_K struct {
	D, Dmin uint16
	Scales  [12]byte
	Qs      [QKK / 2]byte
}

// BlockQ5_K: 5.5 bpw.
type BlockQ5_K struct {
	D, Dmin uint16
	Scales  [12]byte
	Qh      [QKK / 8]byte
	Qs      [QKK / 2]byte
}

// BlockQ6_K: 6.5625 bpw. 16 sub-blocks of 16; 8-bit scales.
type BlockQ6_K struct {
	Ql     [QKK / 2]byte // low 4 bits
	Qh     [QKK / 4]byte // high 2 bits
	Scales [QKK / 16]int8
	D      uint16
}

// BlockQ8_K: the activation type of the k-quants (not stored in models).
type BlockQ8_K struct {
	D     float32
	Qs    [QKK]int8
	Bsums [QKK / 16]int16 // sums of each 16 quants
}

// BlockIQ2_XXS: 2.0625 bpw.
type BlockIQ2_XXS struct {
	D  uint16
	Qs [QKK / 8]uint16
}

// BlockIQ2_XS: 2.3125 bpw.
type BlockIQ2_XS struct {
	D      uint16
	Qs     [QKK / 8]uint16
	Scales [QKK / 32]byte
}

// BlockIQ2_S: 2.5625 bpw.
type BlockIQ2_S struct {
	D      uint16
	Qs     [QKK / 4]byte
	Qh     [QKK / 32]byte
	Scales [QKK / 32]byte
}

// BlockIQ3_XXS: 3.0625 bpw.
type BlockIQ3_XXS struct {
	D  uint16
	Qs [3 * QKK / 8]byte
}

// BlockIQ3_S: 3.4375 bpw.
type BlockIQ3_S struct {
	D      uint16
	Qs     [QKK / 4]byte
	Qh     [QKK / 32]byte
	Signs  [QKK / 8]byte
	Scales [QKK / 64]byte
}

// BlockIQ1_S: 1.5625 bpw.
type BlockIQ1_S struct {
	D  uint16
	Qs [QKK / 8]byte
	Qh [QKK / 32]uint16
}

// BlockIQ1_M: 1.75 bpw. The f16 scale is spread over the top nibbles of Scales.
type BlockIQ1_M struct {
	Qs     [QKK / 8]byte
	Qh     [QKK / 16]byte
	Scales [QKK / 32]byte
}

// BlockIQ4_NL: 4.5 bpw. x = d × kvalues_iq4nl[q].
type BlockIQ4_NL struct {
	D  uint16
	Qs [QK / 2]byte
}

// BlockIQ4_XS: 4.25 bpw. 8 sub-blocks of 32 with 6-bit scales.
type BlockIQ4_XS struct {
	D       uint16
	ScalesH uint16
	ScalesL [QKK / 64]byte
	Qs      [QKK / 2]byte
}

// BlockTQ1_0: 1.6875 bpw ternary; 5 trits per byte in Qs, 4 in Qh.
type BlockTQ1_0 struct {
	Qs [(QKK - 4*QKK/64) / 5]byte
	Qh [QKK / 64]byte
	D  uint16
}

// BlockTQ2_0: 2.0625 bpw ternary, 2 bits per element.
type BlockTQ2_0 struct {
	Qs [QKK / 4]byte
	D  uint16
}

// BlockMXFP4: 4.25 bpw. E2M1 values with a shared E8M0 exponent.
type BlockMXFP4 struct {
	E  byte
	Qs [QK / 2]byte
}

// BlockNVFP4: 4.5 bpw. 64 E2M1 values, a UE4M3 scale per 16.
type BlockNVFP4 struct {
	D  [4]byte
	Qs [32]byte
}

// BlockQ1_0: 1.125 bpw. One sign bit per weight, x = ±d.
type BlockQ1_0 struct {
	D  uint16
	Qs [128 / 8]byte
}

// Compile-time size checks: each line fails to build if Go's layout of a
// block differs from ggml's.
var (
	_ [18]struct{}  = [unsafe.Sizeof(BlockQ4_0{})]struct{}{}
	_ [20]struct{}  = [unsafe.Sizeof(BlockQ4_1{})]struct{}{}
	_ [22]struct{}  = [unsafe.Sizeof(BlockQ5_0{})]struct{}{}
	_ [24]struct{}  = [unsafe.Sizeof(BlockQ5_1{})]struct{}{}
	_ [34]struct{}  = [unsafe.Sizeof(BlockQ8_0{})]struct{}{}
	_ [36]struct{}  = [unsafe.Sizeof(BlockQ8_1{})]struct{}{}
	_ [84]struct{}  = [unsafe.Sizeof(BlockQ2_K{})]struct{}{}
	_ [110]struct{} = [unsafe.Sizeof(BlockQ3_K{})]struct{}{}
	_ [144]struct{} = [unsafe.Sizeof(BlockQ4_K{})]struct{}{}
	_ [176]struct{} = [unsafe.Sizeof(BlockQ5_K{})]struct{}{}
	_ [210]struct{} = [unsafe.Sizeof(BlockQ6_K{})]struct{}{}
	_ [292]struct{} = [unsafe.Sizeof(BlockQ8_K{})]struct{}{}
	_ [66]struct{}  = [unsafe.Sizeof(BlockIQ2_XXS{})]struct{}{}
	_ [74]struct{}  = [unsafe.Sizeof(BlockIQ2_XS{})]struct{}{}
	_ [82]struct{}  = [unsafe.Sizeof(BlockIQ2_S{})]struct{}{}
	_ [98]struct{}  = [unsafe.Sizeof(BlockIQ3_XXS{})]struct{}{}
	_ [110]struct{} = [unsafe.Sizeof(BlockIQ3_S{})]struct{}{}
	_ [50]struct{}  = [unsafe.Sizeof(BlockIQ1_S{})]struct{}{}
	_ [56]struct{}  = [unsafe.Sizeof(BlockIQ1_M{})]struct{}{}
	_ [18]struct{}  = [unsafe.Sizeof(BlockIQ4_NL{})]struct{}{}
	_ [136]struct{} = [unsafe.Sizeof(BlockIQ4_XS{})]struct{}{}
	_ [54]struct{}  = [unsafe.Sizeof(BlockTQ1_0{})]struct{}{}
	_ [66]struct{}  = [unsafe.Sizeof(BlockTQ2_0{})]struct{}{}
	_ [17]struct{}  = [unsafe.Sizeof(BlockMXFP4{})]struct{}{}
	_ [36]struct{}  = [unsafe.Sizeof(BlockNVFP4{})]struct{}{}
	_ [18]struct{}  = [unsafe.Sizeof(BlockQ1_0{})]struct{}{}
)

// Block is any of the block structs.
type Block interface {
	BlockQ4_0 | BlockQ4_1 | BlockQ5_0 | BlockQ5_1 | BlockQ8_0 | BlockQ8_1 |
		BlockQ2_K | BlockQ3_K | BlockQ4_K | BlockQ5_K | BlockQ6_K | BlockQ8_K |
		BlockIQ2_XXS | BlockIQ2_XS | BlockIQ2_S | BlockIQ3_XXS | BlockIQ3_S | BlockIQ1_S | BlockIQ1_M |
		BlockIQ4_NL | BlockIQ4_XS | BlockTQ1_0 | BlockTQ2_0 | BlockMXFP4 | BlockNVFP4 | BlockQ1_0
}

// Blocks views b as a slice of blocks without copying. len(b) must be a
// whole number of blocks. When b is not aligned for T (a heap or mapped
// buffer always is, a sub-slice at an odd offset may not be), the bytes are
// copied to an aligned buffer.
func Blocks[T Block](b []byte) ([]T, error) {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(b)%size != 0 {
		return nil, fmt.Errorf("tensor: %d bytes is not a whole number of %d-byte %T blocks", len(b), size, zero)
	}
	n := len(b) / size
	if n == 0 {
		return nil, nil
	}
	if uintptr(unsafe.Pointer(&b[0]))%unsafe.Alignof(zero) != 0 {
		out := make([]T, n)
		copy(AsBytes(out), b)
		return out, nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n), nil
}

// AsBytes views blocks as their bytes without copying.
func AsBytes[T Block](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(zero)))
}
