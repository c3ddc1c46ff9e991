package gguf_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/smeltlm/smelt/gguf"
)

// Build a small model with the Writer, then open it and read its metadata
// and tensor table.
func Example() {
	dir, err := os.MkdirTemp("", "gguf-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tiny.gguf")

	w := gguf.NewWriter()
	w.Set("general.architecture", "llama")
	w.Set("llama.context_length", uint32(4096))
	w.Set("tokenizer.ggml.tokens", []string{"<unk>", "<s>", "</s>"})
	w.AddTensor("output_norm.weight", gguf.TypeF32, []uint64{8}, make([]byte, 32))
	w.AddTensor("token_embd.weight", gguf.TypeQ8_0, []uint64{32, 3}, make([]byte, 3*34))
	if err := w.WriteFile(path); err != nil {
		log.Fatal(err)
	}

	m, err := gguf.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	ctx, _ := m.Metadata.Uint32(m.Metadata.ArchKey("context_length"))
	tokens, _ := m.Metadata.Strings("tokenizer.ggml.tokens")
	fmt.Println(m.Metadata.Arch(), ctx, len(tokens))
	for _, t := range m.Tensors {
		fmt.Println(t.Name, t.Type, t.Dims, t.Size)
	}
	// Output:
	// llama 4096 3
	// output_norm.weight f32 [8] 32
	// token_embd.weight q8_0 [32 3] 102
}
