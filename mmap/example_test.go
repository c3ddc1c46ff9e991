package mmap_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/smeltlm/smelt/gguf"
	"github.com/smeltlm/smelt/mmap"
)

// Map a model, read a tensor through its zero-copy view, then record that
// it moved to a device and release the source pages.
func Example() {
	dir, err := os.MkdirTemp("", "mmap-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "m.gguf")
	w := gguf.NewWriter()
	w.Set("general.architecture", "llama")
	w.AddTensor("blk.0.ffn_up.weight", gguf.TypeF32, []uint64{1024, 64}, make([]byte, 4*1024*64))
	if err := w.WriteFile(path); err != nil {
		log.Fatal(err)
	}
	model, err := gguf.Open(path)
	if err != nil {
		log.Fatal(err)
	}

	m, err := mmap.OpenModel(model, mmap.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	view, _ := m.View("blk.0.ffn_up.weight")
	fmt.Println("view bytes:", len(view))

	// After an upload, the mapped source is no longer needed in memory.
	if _, err := m.Moved("blk.0.ffn_up.weight", mmap.Home{Kind: mmap.HomeDevice, Device: 0}); err != nil {
		log.Fatal(err)
	}
	r, _ := m.Residency("blk.0.ffn_up.weight")
	fmt.Println("home:", r.Home, "reclaimed:", r.Reclaimed)
	// Output:
	// view bytes: 262144
	// home: device0 reclaimed: true
}
