package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/smeltlm/smelt"
	"github.com/smeltlm/smelt/gguf"
)

func TestUseMoreBits(t *testing.T) {
	// llama.cpp's q4_K_M on 32 layers gives attn_v/ffn_down q6_K to layers
	// 0–3, 6, 9, …, 27 and 28–31: 16 of them.
	n := 0
	for i := range 32 {
		if useMoreBits(i, 32) {
			n++
		}
	}
	if n != 16 || !useMoreBits(6, 32) || useMoreBits(5, 32) || !useMoreBits(31, 32) {
		t.Fatalf("useMoreBits picks %d of 32 layers", n)
	}
}

// TestSynthesize writes small synthetic models of several types, loads
// them and checks their layout and that they run to finite logits.
func TestSynthesize(t *testing.T) {
	vp := filepath.Join("..", "..", "shared", "models", "stories260k-f32.gguf")
	if _, err := os.Stat(vp); err != nil {
		t.Skipf("reference model %s is absent (%v); CI has it", vp, err)
	}
	vocab, err := gguf.Open(vp)
	if err != nil {
		t.Fatal(err)
	}
	for _, ft := range []string{"f16", "q8_0", "q4_0", "q4_K_M", "q5_K_M", "iq4_nl"} {
		t.Run(ft, func(t *testing.T) {
			spec := SynthSpec{Embd: 256, Layers: 8, FF: 512, Heads: 4, KVHeads: 2, Context: 256, FileType: ft, Seed: 7}
			w, err := Synthesize(spec, vocab.Metadata)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "synth.gguf")
			if err := w.WriteFile(path); err != nil {
				t.Fatal(err)
			}
			f, err := gguf.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Tensors) != 3+9*8 {
				t.Fatalf("%d tensors", len(f.Tensors))
			}
			if ft == "q4_K_M" {
				// Layers 0, 3, 6 and 7 of 8 get q6_K attn_v/ffn_down.
				for i, want := range []gguf.Type{gguf.TypeQ6_K, gguf.TypeQ4_K, gguf.TypeQ4_K, gguf.TypeQ6_K, gguf.TypeQ4_K, gguf.TypeQ4_K, gguf.TypeQ6_K, gguf.TypeQ6_K} {
					for _, name := range []string{"attn_v", "ffn_down"} {
						ti, ok := f.Tensor(fmt.Sprintf("blk.%d.%s.weight", i, name))
						if !ok || ti.Type != want {
							t.Errorf("blk.%d.%s: %v, want %v", i, name, ti.Type, want)
						}
					}
				}
			}
			m, err := smelt.Load(path, smelt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			s, err := m.NewSession(smelt.SessionOptions{ContextSize: 64})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Eval(context.Background(), []int32{1, 50, 60, 70}); err != nil {
				t.Fatal(err)
			}
			lg := s.Logits()
			spread := float32(0)
			for _, v := range lg {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("logit %v", v)
				}
				spread = max(spread, abs32(v-lg[0]))
			}
			if spread == 0 {
				t.Fatal("all logits equal: the weights are not random")
			}
		})
	}
}

func abs32(x float32) float32 { return float32(math.Abs(float64(x))) }
