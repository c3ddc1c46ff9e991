package gguf

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// sharedDir is the reference data beside the repository.
const sharedDir = "../../shared"

func sharedModels(t testing.TB) []string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(sharedDir, "models", "*.gguf"))
	if len(paths) == 0 {
		if _, err := os.Stat(sharedDir); err != nil {
			t.Skipf("reference data %s is absent (%v); CI has it", sharedDir, err)
		}
		t.Fatalf("%s/models holds no .gguf files", sharedDir)
	}
	return paths
}

// sampleWriter builds a small model that uses every metadata value type,
// nested arrays and tensors of several ggml types.
func sampleWriter(t testing.TB) *Writer {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	w := NewWriter()
	w.Set("general.architecture", "llama")
	w.Set("general.name", "sample ✓")
	w.Set(KeyAlignment, uint32(64))
	w.Set("llama.context_length", uint32(2048))
	w.Set("llama.block_count", uint32(2))
	w.Set("test.u8", uint8(200))
	w.Set("test.i8", int8(-100))
	w.Set("test.u16", uint16(60000))
	w.Set("test.i16", int16(-30000))
	w.Set("test.i32", int32(-2_000_000_000))
	w.Set("test.u64", uint64(1)<<63)
	w.Set("test.i64", int64(math.MinInt64))
	w.Set("test.f32", float32(1e-5))
	w.Set("test.f64", math.Pi)
	w.Set("test.bool", true)
	w.Set("test.empty", "")
	w.Set("tokenizer.ggml.tokens", []string{"<unk>", "<s>", "</s>", "▁hello", "\x00odd\xff"})
	w.Set("tokenizer.ggml.scores", []float32{0, -1, -2, -3.5, float32(math.Inf(-1))})
	w.Set("tokenizer.ggml.token_type", []int32{2, 3, 3, 1, 6})
	w.Set("test.arr.u8", []uint8{1, 2, 3})
	w.Set("test.arr.i8", []int8{-1, 0, 1})
	w.Set("test.arr.u16", []uint16{1, 65535})
	w.Set("test.arr.i16", []int16{-32768, 32767})
	w.Set("test.arr.u32", []uint32{7})
	w.Set("test.arr.u64", []uint64{math.MaxUint64})
	w.Set("test.arr.i64", []int64{-5})
	w.Set("test.arr.f64", []float64{math.NaN(), 2})
	w.Set("test.arr.bool", []bool{true, false})
	w.Set("test.arr.empty", []string{})
	inner1, _ := ValueOf([]int32{1, 2})
	inner2, _ := ValueOf([]string{"a"})
	deeper, _ := ValueOf([]Value{inner1})
	w.Set("test.arr.nested", []Value{inner1, inner2, deeper})
	add := func(name string, typ Type, dims ...uint64) {
		size, err := tensorSize(typ, dims)
		if err != nil {
			t.Fatal(err)
		}
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		w.AddTensor(name, typ, dims, data)
	}
	add("token_embd.weight", TypeQ4_0, 64, 10)
	add("blk.0.attn_norm.weight", TypeF32, 64)
	add("blk.0.attn_q.weight", TypeQ4_K, 256, 4)
	add("blk.0.ffn_down.weight", TypeQ6_K, 256, 3)
	add("blk.1.attn_norm.weight", TypeF16, 64)
	add("blk.1.ffn_gate_exps.weight", TypeQ8_0, 32, 2, 3)
	add("blk.1.scalar", TypeF32)
	add("blk.1.empty", TypeF32, 0, 4)
	add("output.weight", TypeBF16, 64, 10)
	if err := w.Err(); err != nil {
		t.Fatal(err)
	}
	return w
}

func encode(t testing.TB, w *Writer) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readBytes(b []byte) (*File, error) {
	return Read(bytes.NewReader(b), int64(len(b)), Limits{})
}

// rawFile assembles GGUF bytes field by field, for malformed-file tests.
type rawFile struct{ bytes.Buffer }

func (r *rawFile) u32(x uint32) *rawFile { binary.Write(r, binary.LittleEndian, x); return r }
func (r *rawFile) u64(x uint64) *rawFile { binary.Write(r, binary.LittleEndian, x); return r }
func (r *rawFile) str(s string) *rawFile { r.u64(uint64(len(s))); r.WriteString(s); return r }
func (r *rawFile) raw(b ...byte) *rawFile {
	r.Write(b)
	return r
}

// header starts a v3 file with the given counts.
func header(tensors, kvs uint64) *rawFile {
	r := &rawFile{}
	r.WriteString(Magic)
	return r.u32(3).u64(tensors).u64(kvs)
}

// tensorInfo appends one tensor info.
func (r *rawFile) tensorInfo(name string, typ Type, off uint64, dims ...uint64) *rawFile {
	r.str(name).u32(uint32(len(dims)))
	for _, d := range dims {
		r.u64(d)
	}
	return r.u32(uint32(typ)).u64(off)
}

// padTo pads with zeros to a multiple of a, then appends n data bytes.
func (r *rawFile) padTo(a int) *rawFile {
	for r.Len()%a != 0 {
		r.WriteByte(0)
	}
	return r
}

func (r *rawFile) data(n int) *rawFile {
	r.Write(make([]byte, n))
	return r
}
