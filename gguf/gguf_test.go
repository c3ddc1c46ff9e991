package gguf

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestTypeTraitsTable(t *testing.T) {
	// Bytes per block of every ggml block struct (ggml-common.h), and the
	// retired ids that must be refused.
	want := map[Type]uint64{
		TypeF32: 4, TypeF16: 2, TypeBF16: 2, TypeF64: 8, TypeI8: 1, TypeI16: 2, TypeI32: 4, TypeI64: 8,
		TypeQ4_0: 18, TypeQ4_1: 20, TypeQ5_0: 22, TypeQ5_1: 24, TypeQ8_0: 34, TypeQ8_1: 36,
		TypeQ2_K: 84, TypeQ3_K: 110, TypeQ4_K: 144, TypeQ5_K: 176, TypeQ6_K: 210, TypeQ8_K: 292,
		TypeIQ2_XXS: 66, TypeIQ2_XS: 74, TypeIQ3_XXS: 98, TypeIQ1_S: 50, TypeIQ4_NL: 18, TypeIQ3_S: 110,
		TypeIQ2_S: 82, TypeIQ4_XS: 136, TypeIQ1_M: 56, TypeTQ1_0: 54, TypeTQ2_0: 66, TypeMXFP4: 17, TypeNVFP4: 36, TypeQ1_0: 18,
	}
	if got := len(Types()); got != len(want) {
		t.Errorf("Types() has %d entries, want %d", got, len(want))
	}
	for ty, bytes := range want {
		tr, err := ty.Traits()
		if err != nil {
			t.Errorf("%d: %v", ty, err)
			continue
		}
		if tr.BlockBytes != bytes {
			t.Errorf("%s: %d bytes per block, want %d", tr.Name, tr.BlockBytes, bytes)
		}
		if back, ok := TypeByName(tr.Name); !ok || back != ty {
			t.Errorf("TypeByName(%q) = %v, %v", tr.Name, back, ok)
		}
	}
	for _, id := range []Type{4, 5, 31, 32, 33, 36, 37, 38, 42, 47, 1 << 31} {
		if _, err := id.Traits(); err == nil {
			t.Errorf("type id %d accepted", id)
		} else if want := "unknown ggml type id"; !strings.Contains(err.Error(), want) {
			t.Errorf("type id %d: error %q does not say %q", id, err, want)
		}
	}
}

func TestWriterRoundTrip(t *testing.T) {
	w := sampleWriter(t)
	raw := encode(t, w)
	f, err := readBytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 3 || f.Alignment != 64 || f.DataOffset%64 != 0 {
		t.Errorf("version %d alignment %d data offset %d", f.Version, f.Alignment, f.DataOffset)
	}
	if len(w.kvs) != f.Metadata.Len() {
		t.Fatalf("%d keys written, %d read", len(w.kvs), f.Metadata.Len())
	}
	for i, kv := range f.Metadata.All() {
		if kv.Key != w.kvs[i].Key || !kv.Value.Equal(w.kvs[i].Value) {
			t.Errorf("entry %d: read %s = %v, wrote %s = %v", i, kv.Key, kv.Value, w.kvs[i].Key, w.kvs[i].Value)
		}
	}
	if len(f.Tensors) != len(w.tensors) {
		t.Fatalf("%d tensors written, %d read", len(w.tensors), len(f.Tensors))
	}
	for i, ti := range f.Tensors {
		wt := w.tensors[i].info
		if ti.Name != wt.Name || ti.Type != wt.Type || !slices.Equal(ti.Dims, wt.Dims) || ti.Size != wt.Size {
			t.Errorf("tensor %d: read %+v, wrote %+v", i, ti, wt)
		}
		if ti.FileOffset%64 != 0 {
			t.Errorf("tensor %s at unaligned offset %d", ti.Name, ti.FileOffset)
		}
		var want bytes.Buffer
		w.tensors[i].fill(&want)
		if got := raw[ti.FileOffset : ti.FileOffset+int64(ti.Size)]; !bytes.Equal(got, want.Bytes()) {
			t.Errorf("tensor %s: data differs", ti.Name)
		}
	}
	// Reading and writing again gives the same bytes.
	again := rewrite(t, f, bytes.NewReader(raw))
	if !bytes.Equal(again, raw) {
		t.Errorf("rewrite differs: %d bytes vs %d", len(again), len(raw))
	}
}

// rewrite writes a parsed file again, its tensor data read from src.
func rewrite(t testing.TB, f *File, src interface {
	ReadAt([]byte, int64) (int, error)
}) []byte {
	t.Helper()
	w := NewWriter()
	w.Version = f.Version
	for _, kv := range f.Metadata.All() {
		w.Set(kv.Key, kv.Value)
	}
	for _, ti := range f.Tensors {
		w.AddTensorFunc(ti.Name, ti.Type, ti.Dims, CopyTensorFrom(src, ti.FileOffset, ti.Size))
	}
	return encode(t, w)
}

func TestMetadataAccessors(t *testing.T) {
	f, err := readBytes(encode(t, sampleWriter(t)))
	if err != nil {
		t.Fatal(err)
	}
	md := f.Metadata
	if md.Arch() != "llama" || md.ArchKey("context_length") != "llama.context_length" {
		t.Errorf("arch %q", md.Arch())
	}
	if n, err := md.Uint32(md.ArchKey("context_length")); err != nil || n != 2048 {
		t.Errorf("context_length %d %v", n, err)
	}
	if n, err := md.Int32("test.u16"); err != nil || n != 60000 {
		t.Errorf("u16 as int32: %d %v", n, err)
	}
	if _, err := md.Uint32("test.i8"); err == nil {
		t.Error("negative i8 read as uint32")
	}
	if _, err := md.Uint32("test.u64"); err == nil {
		t.Error("2^63 read as uint32")
	}
	if n, err := md.Int64("test.i64"); err != nil || n != math.MinInt64 {
		t.Errorf("i64 %d %v", n, err)
	}
	if x, err := md.Float32("test.f32"); err != nil || x != 1e-5 {
		t.Errorf("f32 %v %v", x, err)
	}
	if x, err := md.Float64("test.f64"); err != nil || x != math.Pi {
		t.Errorf("f64 %v %v", x, err)
	}
	if b, err := md.Bool("test.bool"); err != nil || !b {
		t.Errorf("bool %v %v", b, err)
	}
	if toks, err := md.Strings("tokenizer.ggml.tokens"); err != nil || len(toks) != 5 || toks[4] != "\x00odd\xff" {
		t.Errorf("tokens %q %v", toks, err)
	}
	if sc, err := md.Float32s("tokenizer.ggml.scores"); err != nil || sc[3] != -3.5 {
		t.Errorf("scores %v %v", sc, err)
	}
	if tt, err := md.Int32s("tokenizer.ggml.token_type"); err != nil || tt[4] != 6 {
		t.Errorf("token types %v %v", tt, err)
	}
	if u, err := md.Uint32s("test.arr.u8"); err != nil || !slices.Equal(u, []uint32{1, 2, 3}) {
		t.Errorf("u8 array as []uint32: %v %v", u, err)
	}
	if _, err := md.Uint32s("test.arr.i8"); err == nil {
		t.Error("[-1 0 1] read as []uint32")
	}
	if _, err := md.String("no.such.key"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("missing key: %v", err)
	}
	if _, err := md.String("test.u8"); err == nil || !strings.Contains(err.Error(), "test.u8 is u8, want str") {
		t.Errorf("type mismatch error: %v", err)
	}
	v, _ := md.Get("test.arr.nested")
	if got := v.TypeString(); got != "arr[arr,3]" {
		t.Errorf("nested type %s", got)
	}
	if got := v.String(); got != `[[1, 2], ["a"], [[1, 2]]]` {
		t.Errorf("nested formats as %s", got)
	}
	toks, _ := md.Get("tokenizer.ggml.tokens")
	if got := toks.Format(2); got != `["<unk>", "<s>", ...]` {
		t.Errorf("abbreviated array: %s", got)
	}
}

func TestSharedModels(t *testing.T) {
	for _, p := range sharedModels(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			m, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			f := m.Shards[0]
			if f.Version != 3 {
				t.Errorf("version %d", f.Version)
			}
			if m.Metadata.Arch() == "" && len(m.Tensors) > 0 {
				t.Error("no general.architecture")
			}
			// Byte-identical round trip: our writer lays a file out as ggml does.
			src, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			orig, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if again := rewrite(t, f, src); !bytes.Equal(again, orig) {
				t.Errorf("read+write is not byte-identical (%d vs %d bytes)", len(again), len(orig))
			}
		})
	}
}

func TestSharedQ4KM(t *testing.T) {
	sharedModels(t)
	m, err := Open(filepath.Join(sharedDir, "models", "llama-spm4k-q4_k_m.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Tensors) != 39 {
		t.Errorf("%d tensors, want 39", len(m.Tensors))
	}
	types := map[Type]int{}
	for _, ti := range m.Tensors {
		types[ti.Type]++
	}
	if len(types) != 3 || types[TypeQ4_K] == 0 || types[TypeQ6_K] == 0 || types[TypeF32] == 0 {
		t.Errorf("types %v, want q4_K, q6_K and f32", types)
	}
	if ti, ok := m.Tensor("blk.0.attn_norm.weight"); !ok || ti.Type != TypeF32 || !slices.Equal(ti.Dims, []uint64{256}) {
		t.Errorf("attn_norm %+v", ti)
	}
	if n, err := m.Metadata.Uint32("llama.block_count"); err != nil || n != 4 {
		t.Errorf("block_count %d %v", n, err)
	}
}

func TestSplits(t *testing.T) {
	dir := t.TempDir()
	w := sampleWriter(t)
	whole := filepath.Join(dir, "whole.gguf")
	if err := w.WriteFile(whole); err != nil {
		t.Fatal(err)
	}
	paths, err := w.WriteSplits(filepath.Join(dir, "model"), 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 3 || filepath.Base(paths[1]) != "model-00002-of-00003.gguf" {
		t.Fatalf("paths %v", paths)
	}
	ref, err := Open(whole)
	if err != nil {
		t.Fatal(err)
	}
	wholeBytes, _ := os.ReadFile(whole)
	for _, start := range paths { // any shard may be named
		m, err := Open(start)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Shards) != 3 {
			t.Fatalf("%d shards", len(m.Shards))
		}
		for _, kv := range ref.Metadata.All() {
			if v, ok := m.Metadata.Get(kv.Key); !ok || !v.Equal(kv.Value) {
				t.Errorf("key %s: %v, want %v", kv.Key, v, kv.Value)
			}
		}
		if n, _ := m.Metadata.Int32(KeySplitTensors); int(n) != len(ref.Tensors) {
			t.Errorf("split.tensors.count %d", n)
		}
		if len(m.Tensors) != len(ref.Tensors) {
			t.Fatalf("%d tensors, want %d", len(m.Tensors), len(ref.Tensors))
		}
		shards := map[int]bool{}
		for i, ti := range m.Tensors {
			want := ref.Tensors[i]
			if ti.Name != want.Name || ti.Type != want.Type || !slices.Equal(ti.Dims, want.Dims) {
				t.Errorf("tensor %d: %+v, want %+v", i, ti, want)
			}
			shardBytes, _ := os.ReadFile(paths[ti.Shard])
			got := shardBytes[ti.FileOffset : ti.FileOffset+int64(ti.Size)]
			if !bytes.Equal(got, wholeBytes[want.FileOffset:want.FileOffset+int64(want.Size)]) {
				t.Errorf("tensor %s: data differs", ti.Name)
			}
			shards[ti.Shard] = true
		}
		if len(shards) != 3 {
			t.Errorf("tensors spread over %d shards", len(shards))
		}
	}
	// A missing shard is an error naming it.
	os.Remove(paths[2])
	if _, err := Open(paths[0]); err == nil || !strings.Contains(err.Error(), "split 3 of 3") {
		t.Errorf("missing shard: %v", err)
	}
}

func TestSplitMismatch(t *testing.T) {
	dir := t.TempDir()
	w := sampleWriter(t)
	paths, err := w.WriteSplits(filepath.Join(dir, "m"), 2)
	if err != nil {
		t.Fatal(err)
	}
	// Replace shard 2 with a shard that claims to be 2 of 3.
	w2 := sampleWriter(t)
	other, err := w2.WriteSplits(filepath.Join(dir, "x"), 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other[1], paths[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(paths[0]); err == nil {
		t.Error("mismatched split accepted")
	}
	// A split file renamed so its name no longer says it is a split.
	lone := filepath.Join(dir, "lone.gguf")
	os.Rename(paths[0], lone)
	if _, err := Open(lone); err == nil || !strings.Contains(err.Error(), "-of-") {
		t.Errorf("split without split name: %v", err)
	}
}

func TestWriterErrors(t *testing.T) {
	w := NewWriter()
	w.Set("bad", struct{}{})
	if w.Err() == nil {
		t.Error("struct value accepted")
	}
	w = NewWriter()
	w.AddTensor("a", TypeQ4_0, []uint64{33}, make([]byte, 100))
	if w.Err() == nil {
		t.Error("row of 33 q4_0 elements accepted")
	}
	w = NewWriter()
	w.AddTensor("a", TypeF32, []uint64{4}, make([]byte, 15))
	if w.Err() == nil {
		t.Error("short data accepted")
	}
	w = NewWriter()
	w.AddTensor("a", TypeF32, []uint64{1}, make([]byte, 4))
	w.AddTensor("a", TypeF32, []uint64{1}, make([]byte, 4))
	if w.Err() == nil {
		t.Error("duplicate tensor accepted")
	}
	w = NewWriter()
	w.Set(KeyAlignment, uint32(24))
	if _, err := w.WriteTo(&bytes.Buffer{}); err == nil {
		t.Error("alignment 24 accepted")
	}
}
