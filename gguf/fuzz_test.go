package gguf

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// FuzzRead parses arbitrary bytes. Whatever the input, Read must return
// without a panic or a large allocation; whatever it accepts must format,
// and must write back to a file that reads back the same.
func FuzzRead(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := readBytes(data)
		if err != nil {
			return
		}
		for _, kv := range file.Metadata.All() {
			_ = kv.Value.Format(3)
		}
		again := rewrite(t, file, bytes.NewReader(data))
		back, err := readBytes(again)
		if err != nil {
			t.Fatalf("rewritten file refused: %v", err)
		}
		if back.Metadata.Len() != file.Metadata.Len() || len(back.Tensors) != len(file.Tensors) {
			t.Fatalf("rewrite changed counts")
		}
		for i, kv := range file.Metadata.All() {
			if b := back.Metadata.All()[i]; b.Key != kv.Key || !b.Value.Equal(kv.Value) {
				t.Fatalf("entry %q changed on rewrite", kv.Key)
			}
		}
	})
}

// fuzzSeeds are small files of every shape the reader handles.
func fuzzSeeds(t testing.TB) [][]byte {
	small := NewWriter()
	small.Set("general.architecture", "llama")
	small.Set("a", []int32{1, 2})
	small.AddTensor("w", TypeQ4_0, []uint64{32, 2}, make([]byte, 36))
	small.AddTensor("n", TypeF32, []uint64{3}, make([]byte, 12))

	v2 := NewWriter()
	v2.Version = 2
	v2.Set(KeyAlignment, uint32(16))
	v2.Set("s", "x")
	v2.AddTensor("t", TypeF16, []uint64{5}, make([]byte, 10))

	empty := NewWriter()
	split := sampleWriter(t)
	split.Set(KeySplitNo, uint16(0))
	split.Set(KeySplitCount, uint16(1))
	return [][]byte{
		encode(t, small), encode(t, v2), encode(t, empty), encode(t, sampleWriter(t)), encode(t, split),
		header(1, 1).kvU32(KeyAlignment, 32).tensorInfo("t", TypeF32, 0, 4).padTo(32).data(16).Bytes(),
	}
}

// TestWriteFuzzSeeds regenerates testdata/fuzz/FuzzRead when
// SMELT_WRITE_SEEDS=1; otherwise it checks the committed seeds parse.
func TestWriteFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	if os.Getenv("SMELT_WRITE_SEEDS") == "1" {
		os.MkdirAll(dir, 0o755)
		for i, seed := range fuzzSeeds(t) {
			body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(seed)) + ")\n"
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%02d", i)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	seeds, _ := filepath.Glob(filepath.Join(dir, "seed*"))
	if len(seeds) == 0 {
		t.Fatalf("no seeds in %s; run with SMELT_WRITE_SEEDS=1", dir)
	}
	for _, p := range seeds {
		raw, _ := os.ReadFile(p)
		_, lit, _ := bytes.Cut(raw, []byte("[]byte("))
		lit = bytes.TrimSuffix(bytes.TrimSpace(lit), []byte(")"))
		s, err := strconv.Unquote(string(lit))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if _, err := readBytes([]byte(s)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}
