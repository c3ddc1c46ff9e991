package bench

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/smeltlm/smelt/gguf"
	"github.com/smeltlm/smelt/tensor"
)

// SynthSpec describes a llama model with random weights: a model of any
// size, for measuring speed where the shared models are too small to
// leave the caches. Its output is noise, but every tensor is well formed
// (finite scales, valid quant blocks), so it runs like a real model.
type SynthSpec struct {
	Embd     int    // n_embd (default 2048)
	Layers   int    // block count (default 16)
	FF       int    // feed-forward length (default 5632)
	Heads    int    // attention heads (default 32)
	KVHeads  int    // key/value heads (default 8)
	Context  int    // context length in the metadata (default 4096)
	FileType string // "f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "iq4_nl", "q4_K_M", "q4_K_S", "q5_K_M", "q6_K"
	Seed     uint64
}

func (s *SynthSpec) defaults() {
	def := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	def(&s.Embd, 2048)
	def(&s.Layers, 16)
	def(&s.FF, 5632)
	def(&s.Heads, 32)
	def(&s.KVHeads, 8)
	def(&s.Context, 4096)
	if s.FileType == "" {
		s.FileType = "q4_0"
	}
}

// useMoreBits is llama.cpp's choice of the layers that get a bigger type
// for attn_v and ffn_down in the _M k-quant mixes.
func useMoreBits(i, n int) bool {
	return i < n/8 || i >= 7*n/8 || (i-n/8)%3 == 2
}

// synthTypes returns the type of each kind of weight in layer i, following
// llama.cpp's mixes for the k-quant file types.
func synthTypes(ft string, i, n int) (embd, out, attnV, ffnDown, other gguf.Type, err error) {
	switch strings.ToLower(ft) {
	case "q4_k_m", "q5_k_m":
		base := gguf.TypeQ4_K
		if strings.HasPrefix(strings.ToLower(ft), "q5") {
			base = gguf.TypeQ5_K
		}
		big := base
		if useMoreBits(i, n) {
			big = gguf.TypeQ6_K
		}
		return base, gguf.TypeQ6_K, big, big, base, nil
	case "q4_k_s":
		return gguf.TypeQ4_K, gguf.TypeQ6_K, gguf.TypeQ4_K, gguf.TypeQ4_K, gguf.TypeQ4_K, nil
	default:
		t, ok := gguf.TypeByName(strings.ToLower(ft))
		if !ok {
			return 0, 0, 0, 0, 0, fmt.Errorf("bench: unknown file type %q", ft)
		}
		if t == gguf.TypeQ6_K || t == gguf.TypeQ8_0 || !isQuantized(t) {
			return t, t, t, t, t, nil
		}
		// Like llama.cpp, the output matrix of a legacy-quant model is q6_K.
		return t, gguf.TypeQ6_K, t, t, t, nil
	}
}

func isQuantized(t gguf.Type) bool {
	tr, err := t.Traits()
	return err == nil && tr.Quantized
}

// Synthesize builds the model's file in a Writer (tokenizer metadata copied
// from vocab, which must hold a tokenizer) and returns it; tensor bytes
// are generated while the file is written, so memory use stays small.
func Synthesize(spec SynthSpec, vocab *gguf.Metadata) (*gguf.Writer, error) {
	spec.defaults()
	if spec.Embd%spec.Heads != 0 || spec.Heads%spec.KVHeads != 0 {
		return nil, fmt.Errorf("bench: %d heads, %d kv heads do not divide n_embd %d", spec.Heads, spec.KVHeads, spec.Embd)
	}
	tokens, err := vocab.Strings("tokenizer.ggml.tokens")
	if err != nil {
		return nil, fmt.Errorf("bench: the vocabulary file: %w", err)
	}
	nVocab := uint64(len(tokens))
	w := gguf.NewWriter()
	w.Set("general.architecture", "llama")
	w.Set("general.name", fmt.Sprintf("synth-%dx%d-%s", spec.Embd, spec.Layers, spec.FileType))
	for _, kv := range vocab.All() {
		if strings.HasPrefix(kv.Key, "tokenizer.") {
			w.Set(kv.Key, kv.Value)
		}
	}
	headDim := spec.Embd / spec.Heads
	w.Set("llama.context_length", uint32(spec.Context))
	w.Set("llama.embedding_length", uint32(spec.Embd))
	w.Set("llama.block_count", uint32(spec.Layers))
	w.Set("llama.feed_forward_length", uint32(spec.FF))
	w.Set("llama.attention.head_count", uint32(spec.Heads))
	w.Set("llama.attention.head_count_kv", uint32(spec.KVHeads))
	w.Set("llama.rope.dimension_count", uint32(headDim))
	w.Set("llama.rope.freq_base", float32(10000))
	w.Set("llama.attention.layer_norm_rms_epsilon", float32(1e-5))

	seed := spec.Seed
	add := func(name string, t gguf.Type, dims ...uint64) {
		seed++
		w.AddTensorFunc(name, t, dims, randomTensor(t, dims, seed))
	}
	e, ff, kv := uint64(spec.Embd), uint64(spec.FF), uint64(spec.KVHeads*headDim)
	embdT, outT, _, _, _, err := synthTypes(spec.FileType, 0, spec.Layers)
	if err != nil {
		return nil, err
	}
	add("token_embd.weight", embdT, e, nVocab)
	add("output_norm.weight", gguf.TypeF32, e)
	add("output.weight", outT, e, nVocab)
	for i := range spec.Layers {
		_, _, vT, downT, t, _ := synthTypes(spec.FileType, i, spec.Layers)
		p := fmt.Sprintf("blk.%d.", i)
		add(p+"attn_norm.weight", gguf.TypeF32, e)
		add(p+"attn_q.weight", t, e, e)
		add(p+"attn_k.weight", t, e, kv)
		add(p+"attn_v.weight", vT, e, kv)
		add(p+"attn_output.weight", t, e, e)
		add(p+"ffn_norm.weight", gguf.TypeF32, e)
		add(p+"ffn_gate.weight", t, e, ff)
		add(p+"ffn_up.weight", t, e, ff)
		add(p+"ffn_down.weight", downT, ff, e)
	}
	return w, w.Err()
}

// scaleFields lists, per block type, the byte offsets of its f16 scales;
// every other byte of a block may take any value.
var scaleFields = map[gguf.Type][]int{
	gguf.TypeQ4_0: {0}, gguf.TypeQ4_1: {0, 2}, gguf.TypeQ5_0: {0}, gguf.TypeQ5_1: {0, 2},
	gguf.TypeQ8_0: {0}, gguf.TypeIQ4_NL: {0}, gguf.TypeIQ4_XS: {0},
	gguf.TypeQ2_K: {80, 82}, gguf.TypeQ3_K: {108}, gguf.TypeQ4_K: {0, 2},
	gguf.TypeQ5_K: {0, 2}, gguf.TypeQ6_K: {208},
}

// randomTensor writes random weights of type t, one row at a time. Norm
// weights (1-D f32) are 1; float matrices are uniform in ±0.05; quant
// blocks have random contents and small positive scales.
func randomTensor(t gguf.Type, dims []uint64, seed uint64) func(io.Writer) error {
	return func(out io.Writer) error {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		rows := uint64(1)
		for _, d := range dims[1:] {
			rows *= d
		}
		rowBytes, err := t.RowBytes(dims[0])
		if err != nil {
			return err
		}
		row := make([]byte, rowBytes)
		for range rows {
			switch t {
			case gguf.TypeF32:
				for j := range dims[0] {
					v := float32(1)
					if len(dims) > 1 {
						v = (rng.Float32() - 0.5) / 10
					}
					binary.LittleEndian.PutUint32(row[4*j:], math.Float32bits(v))
				}
			case gguf.TypeF16:
				for j := range dims[0] {
					binary.LittleEndian.PutUint16(row[2*j:], tensor.F32ToF16((rng.Float32()-0.5)/10))
				}
			case gguf.TypeBF16:
				for j := range dims[0] {
					binary.LittleEndian.PutUint16(row[2*j:], tensor.F32ToBF16((rng.Float32()-0.5)/10))
				}
			default:
				fields, ok := scaleFields[t]
				if !ok {
					return fmt.Errorf("bench: cannot synthesize %s weights", t)
				}
				tr, _ := t.Traits()
				for j := 0; j+8 <= len(row); j += 8 {
					binary.LittleEndian.PutUint64(row[j:], rng.Uint64())
				}
				for j := len(row) &^ 7; j < len(row); j++ {
					row[j] = byte(rng.Uint32())
				}
				for b := 0; b < len(row); b += int(tr.BlockBytes) {
					for _, f := range fields {
						// 0.0005–0.001: weights of a few hundredths.
						binary.LittleEndian.PutUint16(row[b+f:], 0x1000|uint16(rng.IntN(0x400)))
					}
				}
			}
			if _, err := out.Write(row); err != nil {
				return err
			}
		}
		return nil
	}
}
