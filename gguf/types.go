package gguf

import (
	"fmt"
	"math/bits"
)

// Type is a ggml tensor type id as stored in a GGUF tensor info.
// The numbering is ggml's; ids that ggml has retired stay reserved.
type Type uint32

// The ggml tensor types. Gaps (4, 5, 31–33, 36–38) are ids ggml has retired;
// files that use them are rejected.
const (
	TypeF32     Type = 0
	TypeF16     Type = 1
	TypeQ4_0    Type = 2
	TypeQ4_1    Type = 3
	TypeQ5_0    Type = 6
	TypeQ5_1    Type = 7
	TypeQ8_0    Type = 8
	TypeQ8_1    Type = 9
	TypeQ2_K    Type = 10
	TypeQ3_K    Type = 11
	TypeQ4_K    Type = 12
	TypeQ5_K    Type = 13
	TypeQ6_K    Type = 14
	TypeQ8_K    Type = 15
	TypeIQ2_XXS Type = 16
	TypeIQ2_XS  Type = 17
	TypeIQ3_XXS Type = 18
	TypeIQ1_S   Type = 19
	TypeIQ4_NL  Type = 20
	TypeIQ3_S   Type = 21
	TypeIQ2_S   Type = 22
	TypeIQ4_XS  Type = 23
	TypeI8      Type = 24
	TypeI16     Type = 25
	TypeI32     Type = 26
	TypeI64     Type = 27
	TypeF64     Type = 28
	TypeIQ1_M   Type = 29
	TypeBF16    Type = 30
	TypeTQ1_0   Type = 34
	TypeTQ2_0   Type = 35
	TypeMXFP4   Type = 39
	TypeNVFP4   Type = 40
	TypeQ1_0    Type = 41

	// typeCount is one past the largest id this package knows. Ids above
	// 41 are not settled upstream (forks disagree), so they are refused.
	typeCount = 42
)

// TypeTraits describes how a ggml type packs its elements: BlockSize
// elements are stored in BlockBytes bytes. A row's element count must be a
// multiple of BlockSize.
type TypeTraits struct {
	Name       string
	BlockSize  uint64
	BlockBytes uint64
	Quantized  bool
}

// qkK is ggml's QK_K, the super-block size of the k-quants and i-quants.
const qkK = 256

// typeTraits is the one table of every type id this package accepts.
// Block byte counts are those of ggml's block structs (ggml-common.h).
var typeTraits = [typeCount]TypeTraits{
	TypeF32:     {"f32", 1, 4, false},
	TypeF16:     {"f16", 1, 2, false},
	TypeQ4_0:    {"q4_0", 32, 2 + 16, true},
	TypeQ4_1:    {"q4_1", 32, 2 + 2 + 16, true},
	TypeQ5_0:    {"q5_0", 32, 2 + 4 + 16, true},
	TypeQ5_1:    {"q5_1", 32, 2 + 2 + 4 + 16, true},
	TypeQ8_0:    {"q8_0", 32, 2 + 32, true},
	TypeQ8_1:    {"q8_1", 32, 2 + 2 + 32, true},
	TypeQ2_K:    {"q2_K", qkK, qkK/16 + qkK/4 + 2 + 2, true},
	TypeQ3_K:    {"q3_K", qkK, qkK/8 + qkK/4 + 12 + 2, true},
	TypeQ4_K:    {"q4_K", qkK, 2 + 2 + 12 + qkK/2, true},
	TypeQ5_K:    {"q5_K", qkK, 2 + 2 + 12 + qkK/8 + qkK/2, true},
	TypeQ6_K:    {"q6_K", qkK, qkK/2 + qkK/4 + qkK/16 + 2, true},
	TypeQ8_K:    {"q8_K", qkK, 4 + qkK + qkK/16*2, true},
	TypeIQ2_XXS: {"iq2_xxs", qkK, 2 + qkK/8*2, true},
	TypeIQ2_XS:  {"iq2_xs", qkK, 2 + qkK/8*2 + qkK/32, true},
	TypeIQ3_XXS: {"iq3_xxs", qkK, 2 + 3*qkK/8, true},
	TypeIQ1_S:   {"iq1_s", qkK, 2 + qkK/8 + qkK/32*2, true},
	TypeIQ4_NL:  {"iq4_nl", 32, 2 + 16, true},
	TypeIQ3_S:   {"iq3_s", qkK, 2 + qkK/4 + qkK/32 + qkK/8 + qkK/64, true},
	TypeIQ2_S:   {"iq2_s", qkK, 2 + qkK/4 + qkK/32 + qkK/32, true},
	TypeIQ4_XS:  {"iq4_xs", qkK, 2 + 2 + qkK/64 + qkK/2, true},
	TypeI8:      {"i8", 1, 1, false},
	TypeI16:     {"i16", 1, 2, false},
	TypeI32:     {"i32", 1, 4, false},
	TypeI64:     {"i64", 1, 8, false},
	TypeF64:     {"f64", 1, 8, false},
	TypeIQ1_M:   {"iq1_m", qkK, qkK/8 + qkK/16 + qkK/32, true},
	TypeBF16:    {"bf16", 1, 2, false},
	TypeTQ1_0:   {"tq1_0", qkK, (qkK-4*qkK/64)/5 + qkK/64 + 2, true},
	TypeTQ2_0:   {"tq2_0", qkK, qkK/4 + 2, true},
	TypeMXFP4:   {"mxfp4", 32, 1 + 16, true},
	TypeNVFP4:   {"nvfp4", 64, 64/16 + 64/2, true},
	TypeQ1_0:    {"q1_0", 128, 2 + 128/8, true},
}

// Traits returns the layout of t, or an error naming the id when t is not a
// type this package knows (including ids ggml has retired).
func (t Type) Traits() (TypeTraits, error) {
	if uint64(t) >= typeCount || typeTraits[t].BlockSize == 0 {
		return TypeTraits{}, fmt.Errorf("gguf: unknown ggml type id %d", uint32(t))
	}
	return typeTraits[t], nil
}

// Valid reports whether t is a type id this package knows.
func (t Type) Valid() bool {
	_, err := t.Traits()
	return err == nil
}

// String returns ggml's name for the type ("q4_K"), or "type(N)".
func (t Type) String() string {
	if tr, err := t.Traits(); err == nil {
		return tr.Name
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// Types lists every type id this package knows, in id order.
func Types() []Type {
	var out []Type
	for i := range Type(typeCount) {
		if i.Valid() {
			out = append(out, i)
		}
	}
	return out
}

// TypeByName finds a type by ggml's name, case-insensitively ("Q4_K", "q4_k").
func TypeByName(name string) (Type, bool) {
	for _, t := range Types() {
		if equalFold(typeTraits[t].Name, name) {
			return t, true
		}
	}
	return 0, false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

// RowBytes returns the bytes of a row of n elements of type t. It fails when
// n is not a whole number of blocks or the size overflows.
func (t Type) RowBytes(n uint64) (uint64, error) {
	tr, err := t.Traits()
	if err != nil {
		return 0, err
	}
	if n%tr.BlockSize != 0 {
		return 0, fmt.Errorf("gguf: row of %d elements is not a multiple of %s's block size %d", n, tr.Name, tr.BlockSize)
	}
	hi, lo := bits.Mul64(n/tr.BlockSize, tr.BlockBytes)
	if hi != 0 {
		return 0, errOverflow
	}
	return lo, nil
}
