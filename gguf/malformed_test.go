package gguf

import (
	"bytes"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
)

// kvAlign is a general.alignment entry of type u32.
func (r *rawFile) kvU32(key string, v uint32) *rawFile {
	return r.str(key).u32(uint32(ValueUint32)).u32(v)
}

// TestMalformed feeds files built byte by byte; each must be refused with an
// error that says what is wrong, without a panic.
func TestMalformed(t *testing.T) {
	bigEndian := &rawFile{}
	bigEndian.WriteString(Magic)
	bigEndian.raw(0, 0, 0, 3).u64(0).u64(0)
	v1 := &rawFile{}
	v1.WriteString(Magic)
	v1.u32(1).u32(0).u32(0)

	nested := header(0, 1).str("deep").u32(uint32(ValueArray))
	for range DefaultLimits.MaxDepth + 1 {
		nested.u32(uint32(ValueArray)).u64(1)
	}

	cases := []struct {
		name string
		file []byte
		want string // in the error text
	}{
		{"empty", nil, "magic needs 4 bytes"},
		{"three bytes", []byte("GGU"), "magic needs 4 bytes"},
		{"bad magic", []byte("GGML\x03\x00\x00\x00"), "not a GGUF file"},
		{"no version", []byte("GGUF\x03"), "version needs 4 bytes"},
		{"version 1", v1.Bytes(), "GGUF v1 is not supported"},
		{"version 0", (&rawFile{Buffer: *bytes.NewBufferString(Magic)}).u32(0).u64(0).u64(0).Bytes(), "unsupported GGUF version 0"},
		{"version 4", (&rawFile{Buffer: *bytes.NewBufferString(Magic)}).u32(4).u64(0).u64(0).Bytes(), "unsupported GGUF version 4"},
		{"big-endian", bigEndian.Bytes(), "big-endian"},
		{"no counts", (&rawFile{Buffer: *bytes.NewBufferString(Magic)}).u32(3).Bytes(), "tensor count needs 8 bytes"},
		{"huge tensor count", header(1<<40, 0).Bytes(), "tensor count 1099511627776 >"},
		{"huge kv count", header(0, math.MaxUint64).Bytes(), "metadata count"},
		{"kv count beyond file", header(0, 1000).str("a").u32(uint32(ValueUint8)).raw(1).Bytes(), "metadata needs 13000 bytes"},
		{"tensor count beyond file", header(1000, 0).Bytes(), "tensor infos needs 32000 bytes"},
		{"huge key length", header(0, 1).u64(1 << 62).data(16).Bytes(), "key length 4611686018427387904 >"},
		{"key longer than file", header(0, 1).u64(100).data(20).Bytes(), "key needs 100 bytes, 20 left"},
		{"unknown value type", header(0, 1).str("k").u32(13).Bytes(), "unknown metadata value type 13"},
		{"value type max", header(0, 1).str("k").u32(math.MaxUint32).Bytes(), "unknown metadata value type 4294967295"},
		{"bool value 2", header(0, 1).str("k").u32(uint32(ValueBool)).raw(2).Bytes(), "bool byte 2"},
		{"string value lying", header(0, 1).str("k").u32(uint32(ValueString)).u64(50).raw('x').Bytes(), "string needs 50 bytes"},
		{"truncated u64 value", header(0, 1).str("k").u32(uint32(ValueUint64)).raw(1, 2, 3).Bytes(), "u64 needs 8 bytes"},
		{"array unknown elem", header(0, 1).str("k").u32(uint32(ValueArray)).u32(99).u64(0).Bytes(), "unknown array element type 99"},
		{"array count max", header(0, 1).str("k").u32(uint32(ValueArray)).u32(uint32(ValueUint8)).u64(math.MaxUint64).Bytes(), "exceeds limit"},
		{"i32 array beyond file", header(0, 1).str("k").u32(uint32(ValueArray)).u32(uint32(ValueInt32)).u64(1 << 27).Bytes(), "needs 536870912 bytes"},
		{"string array lying", header(0, 1).str("k").u32(uint32(ValueArray)).u32(uint32(ValueString)).u64(1 << 27).str("a").Bytes(), "array of str needs"},
		{"string array element lying", header(0, 1).str("k").u32(uint32(ValueArray)).u32(uint32(ValueString)).u64(1).u64(9).raw('a').Bytes(), "string needs 9 bytes"},
		{"nested array count lying", header(0, 1).str("k").u32(uint32(ValueArray)).u32(uint32(ValueArray)).u64(1 << 26).Bytes(), "array of arr needs"},
		{"bool array value 7", header(0, 1).str("k").u32(uint32(ValueArray)).u32(uint32(ValueBool)).u64(2).raw(1, 7).Bytes(), "bool array element 1 is 7"},
		{"arrays nested too deep", nested.Bytes(), "nested deeper than 8"},
		{"duplicate key", header(0, 2).kvU32("a", 1).kvU32("a", 2).Bytes(), `duplicate metadata key "a"`},
		{"alignment 3", header(0, 1).kvU32(KeyAlignment, 3).Bytes(), "not a power of two"},
		{"alignment 0", header(0, 1).kvU32(KeyAlignment, 0).Bytes(), "not a power of two"},
		{"alignment 2^31", header(0, 1).kvU32(KeyAlignment, 1<<31).Bytes(), "2147483648 > 1048576"},
		{"alignment as string", header(0, 1).str(KeyAlignment).u32(uint32(ValueString)).str("32").Bytes(), "want u32"},
		{"alignment as u64", header(0, 1).str(KeyAlignment).u32(uint32(ValueUint64)).u64(32).Bytes(), "want u32"},
		{"five dims", header(1, 0).tensorInfo("t", TypeF32, 0, 1, 1, 1, 1, 1).padTo(32).data(64).Bytes(), "5 dimensions"},
		{"dims overflow", header(1, 0).tensorInfo("t", TypeF32, 0, 1<<40, 1<<40).padTo(32).data(64).Bytes(), "element count size overflows"},
		{"dims above int64", header(1, 0).tensorInfo("t", TypeI8, 0, 1<<63).padTo(32).data(64).Bytes(), "element count size overflows"},
		{"byte size overflow", header(1, 0).tensorInfo("t", TypeF64, 0, 1<<61).padTo(32).data(64).Bytes(), "size overflows"},
		{"retired type 4", header(1, 0).tensorInfo("t", 4, 0, 32).padTo(32).data(64).Bytes(), "unknown ggml type id 4"},
		{"type id 1000", header(1, 0).tensorInfo("t", 1000, 0, 32).padTo(32).data(64).Bytes(), "unknown ggml type id 1000"},
		{"row not whole blocks", header(1, 0).tensorInfo("t", TypeQ4_0, 0, 33).padTo(32).data(64).Bytes(), "not a multiple of q4_0's block size 32"},
		{"unaligned offset", header(2, 0).tensorInfo("a", TypeF32, 0, 4).tensorInfo("t", TypeF32, 17, 4).padTo(32).data(64).Bytes(), "not a multiple of the alignment 32"},
		{"offset past end", header(1, 0).tensorInfo("t", TypeF32, 1<<20, 4).padTo(32).data(64).Bytes(), "runs past the end"},
		{"offset+size wraps", header(1, 0).tensorInfo("t", TypeF32, math.MaxUint64-31, 16).padTo(32).data(64).Bytes(), "runs past the end"},
		{"data truncated", header(1, 0).tensorInfo("t", TypeF32, 0, 32).padTo(32).data(100).Bytes(), "runs past the end"},
		{"no data section", header(1, 0).tensorInfo("t", TypeF32, 0, 1).Bytes(), "past the end"},
		{"duplicate tensor", header(2, 0).tensorInfo("t", TypeF32, 0, 4).tensorInfo("t", TypeF32, 32, 4).padTo(32).data(64).Bytes(), `duplicate tensor name "t"`},
		{"overlapping tensors", header(2, 0).tensorInfo("a", TypeF32, 0, 16).tensorInfo("b", TypeF32, 32, 16).padTo(32).data(128).Bytes(), "overlaps"},
		{"tensor name too long", header(1, 0).str(strings.Repeat("n", 300)).Bytes(), "tensor name length 300 > 256"},
		{"tensor info truncated", header(1, 0).str("t").u32(2).u64(4).Bytes(), "needs"},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readBytes(tc.file)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error does not wrap ErrFormat: %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

// TestTruncatedEverywhere cuts a valid file at every offset: every cut
// before the end of the last tensor must be refused, every cut after it
// (inside the trailing padding) accepted.
func TestTruncatedEverywhere(t *testing.T) {
	raw := encode(t, sampleWriter(t))
	full, err := readBytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	var end int64
	for _, ti := range full.Tensors {
		end = max(end, ti.FileOffset+int64(ti.Size))
	}
	for n := range len(raw) {
		_, err := Read(bytes.NewReader(raw[:n]), int64(n), Limits{})
		if int64(n) < end && err == nil {
			t.Fatalf("file cut at %d of %d accepted", n, len(raw))
		}
		if int64(n) >= end && err != nil {
			t.Fatalf("file cut at %d (after the data) refused: %v", n, err)
		}
	}
}

// TestLyingCountsDoNotAllocate checks that counts which claim gigabytes
// are refused before anything of that size is allocated.
func TestLyingCountsDoNotAllocate(t *testing.T) {
	files := [][]byte{
		header(0, 1).str("k").u32(uint32(ValueArray)).u32(uint32(ValueUint64)).u64(1 << 27).data(1 << 16).Bytes(),
		header(0, 1).str("k").u32(uint32(ValueString)).u64(1 << 26).data(1 << 16).Bytes(),
		header(1<<20, 0).data(1 << 16).Bytes(),
	}
	for i, f := range files {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := readBytes(f); err == nil {
			t.Errorf("file %d accepted", i)
		}
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
			t.Errorf("file %d: reading allocated %d bytes", i, grew)
		}
	}
}

func TestLimits(t *testing.T) {
	raw := encode(t, sampleWriter(t))
	if _, err := Read(bytes.NewReader(raw), int64(len(raw)), Limits{MaxArrayLen: 4}); !errors.Is(err, ErrLimit) {
		t.Errorf("array cap: %v", err)
	}
	if _, err := Read(bytes.NewReader(raw), int64(len(raw)), Limits{MaxTensors: 2}); !errors.Is(err, ErrLimit) {
		t.Errorf("tensor cap: %v", err)
	}
	if _, err := Read(bytes.NewReader(raw), int64(len(raw)), Limits{MaxDepth: 1}); !errors.Is(err, ErrLimit) {
		t.Errorf("depth cap: %v", err)
	}
}
