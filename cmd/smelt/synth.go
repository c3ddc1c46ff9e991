package main

import (
	"fmt"
	"io"
	"os"

	"github.com/smeltlm/smelt/bench"
	"github.com/smeltlm/smelt/gguf"
)

func runSynth(args []string, stdout io.Writer) error {
	fs := newFlags("synth", "smelt synth -o OUT.gguf --vocab MODEL.gguf [--embd 2048] [--layers 16] [--type q4_0]", stdout)
	out := fs.String("o", "", "output file")
	vocab := fs.String("vocab", "", "GGUF file whose tokenizer the model takes")
	var spec bench.SynthSpec
	fs.IntVar(&spec.Embd, "embd", 2048, "n_embd")
	fs.IntVar(&spec.Layers, "layers", 16, "number of layers")
	fs.IntVar(&spec.FF, "ff", 5632, "feed-forward length")
	fs.IntVar(&spec.Heads, "heads", 32, "attention heads")
	fs.IntVar(&spec.KVHeads, "kv-heads", 8, "key/value heads")
	fs.IntVar(&spec.Context, "ctx", 4096, "context length written to the metadata")
	fs.StringVar(&spec.FileType, "type", "q4_0", "weight type: f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl, q6_K, q4_K_S, q4_K_M, q5_K_M")
	seed := fs.Uint64("seed", 1, "random seed")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *out == "" || *vocab == "" {
		return fmt.Errorf("%w: -o and --vocab are required", errUsage)
	}
	spec.Seed = *seed
	v, err := gguf.Open(*vocab)
	if err != nil {
		return err
	}
	w, err := bench.Synthesize(spec, v.Metadata)
	if err != nil {
		return err
	}
	if err := w.WriteFile(*out); err != nil {
		return err
	}
	st, err := os.Stat(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%.2f MiB)\n", *out, float64(st.Size())/(1<<20))
	return nil
}
