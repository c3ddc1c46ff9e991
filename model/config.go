package model

import (
	"errors"
	"fmt"

	"github.com/smeltlm/smelt/gguf"
)

// Config holds an architecture's hyperparameters, read from GGUF metadata
// (keys prefixed with general.architecture, as llama.cpp names them).
type Config struct {
	Arch      string
	NLayer    int
	NEmbd     int // model width
	NHead     int // query heads
	NHeadKV   int // key/value heads (GQA when fewer than NHead)
	HeadDim   int // per-head width of Q and K
	HeadDimV  int // per-head width of V
	NFF       int // feed-forward width (dense layers)
	NCtxTrain int // context length the model was trained with
	NormEps   float32
	RopeBase  float32
	RopeScale float32 // frequency scale (1/factor for linear and YaRN scaling)
	RopeDims  int     // leading dimensions of each head that rotate
	RopeNeox  bool    // rotate (i, i+d/2) pairs instead of (2i, 2i+1)
	// YaRN (rope.scaling.type "yarn"): ExtFactor 1 mixes extrapolated and
	// interpolated angles between the correction dims; AttnFactor scales
	// cos and sin; OrigCtx is the context the scaling is relative to.
	YarnExtFactor  float32
	YarnAttnFactor float32
	YarnBetaFast   float32
	YarnBetaSlow   float32
	YarnOrigCtx    int
	NExpert        int  // MoE experts per layer (0: dense)
	NExpertUse     int  // experts per token
	NFFExpert      int  // expert feed-forward width
	NormTopK       bool // renormalise the chosen experts' weights
	QKNorm         bool // RMS-normalise each Q and K head (qwen3)
	QKVBias        bool // Q, K, V projections carry biases (qwen2)
	TiedOutput     bool // no output.weight: the embedding matrix is reused
}

// arch describes what differs between architectures; everything else is
// shared by the llama-style forward pass.
type arch struct {
	neox    bool
	qkvBias bool
	qkNorm  bool
	moe     bool
}

var archs = map[string]arch{
	"llama":    {},
	"mistral":  {},
	"qwen2":    {neox: true, qkvBias: true},
	"qwen3":    {neox: true, qkNorm: true},
	"qwen3moe": {neox: true, qkNorm: true, moe: true},
}

// Architectures lists the supported general.architecture values.
func Architectures() []string {
	out := make([]string, 0, len(archs))
	for a := range archs {
		out = append(out, a)
	}
	return out
}

// ConfigFrom reads the hyperparameters of a model's architecture.
func ConfigFrom(md *gguf.Metadata) (Config, error) {
	name := md.Arch()
	a, ok := archs[name]
	if !ok {
		return Config{}, fmt.Errorf("model: architecture %q is not supported", name)
	}
	c := Config{Arch: name, RopeNeox: a.neox, QKVBias: a.qkvBias, QKNorm: a.qkNorm, RopeScale: 1}
	req := func(key string, dst *int) error {
		v, err := md.Uint32(md.ArchKey(key))
		if err != nil {
			return fmt.Errorf("model: %w", err)
		}
		*dst = int(v)
		return nil
	}
	opt := func(key string, dst *int) {
		if v, err := md.Uint32(md.ArchKey(key)); err == nil {
			*dst = int(v)
		}
	}
	for key, dst := range map[string]*int{
		"block_count": &c.NLayer, "embedding_length": &c.NEmbd, "attention.head_count": &c.NHead,
	} {
		if err := req(key, dst); err != nil {
			return c, err
		}
	}
	c.NHeadKV = c.NHead
	opt("attention.head_count_kv", &c.NHeadKV)
	opt("context_length", &c.NCtxTrain)
	opt("feed_forward_length", &c.NFF)
	if c.NHead == 0 || c.NEmbd%c.NHead != 0 {
		return c, fmt.Errorf("model: embedding %d is not divisible by %d heads", c.NEmbd, c.NHead)
	}
	c.HeadDim = c.NEmbd / c.NHead
	opt("attention.key_length", &c.HeadDim)
	c.HeadDimV = c.HeadDim
	opt("attention.value_length", &c.HeadDimV)
	c.RopeDims = c.HeadDim
	opt("rope.dimension_count", &c.RopeDims)
	if c.NHeadKV == 0 || c.NHead%c.NHeadKV != 0 {
		return c, fmt.Errorf("model: %d heads is not a multiple of %d KV heads", c.NHead, c.NHeadKV)
	}
	eps, err := md.Float32(md.ArchKey("attention.layer_norm_rms_epsilon"))
	if err != nil {
		return c, fmt.Errorf("model: %w", err)
	}
	c.NormEps = eps
	c.RopeBase = 10000
	if v, err := md.Float32(md.ArchKey("rope.freq_base")); err == nil {
		c.RopeBase = v
	}
	c.YarnAttnFactor, c.YarnBetaFast, c.YarnBetaSlow, c.YarnOrigCtx = 1, 32, 1, c.NCtxTrain
	if kind, err := md.String(md.ArchKey("rope.scaling.type")); err == nil && kind != "none" {
		if kind != "linear" && kind != "yarn" {
			return c, fmt.Errorf("model: rope scaling %q is not supported (none, linear, yarn)", kind)
		}
		if f, err := md.Float32(md.ArchKey("rope.scaling.factor")); err == nil && f > 0 {
			c.RopeScale = 1 / f
		}
		if kind == "yarn" {
			c.YarnExtFactor = 1
			if v, err := md.Float32(md.ArchKey("rope.scaling.attn_factor")); err == nil && v > 0 {
				c.YarnAttnFactor = v
			}
			opt("rope.scaling.original_context_length", &c.YarnOrigCtx)
			if v, err := md.Float32(md.ArchKey("rope.scaling.yarn_beta_fast")); err == nil && v > 0 {
				c.YarnBetaFast = v
			}
			if v, err := md.Float32(md.ArchKey("rope.scaling.yarn_beta_slow")); err == nil && v > 0 {
				c.YarnBetaSlow = v
			}
		}
	} else if f, err := md.Float32(md.ArchKey("rope.scale_linear")); err == nil && f > 0 {
		c.RopeScale = 1 / f // older files
	}
	if a.moe {
		opt("expert_count", &c.NExpert)
		opt("expert_used_count", &c.NExpertUse)
		opt("expert_feed_forward_length", &c.NFFExpert)
		c.NormTopK = true
		if c.NExpert == 0 || c.NExpertUse == 0 || c.NExpertUse > c.NExpert {
			return c, fmt.Errorf("model: MoE with %d experts, %d used", c.NExpert, c.NExpertUse)
		}
	}
	if c.NLayer <= 0 || c.RopeDims > c.HeadDim || c.RopeDims%2 != 0 {
		return c, errors.New("model: inconsistent hyperparameters")
	}
	return c, nil
}

// Tensor names, one table for every architecture (llama.cpp's names).
const (
	tokEmbd    = "token_embd.weight"
	outputNorm = "output_norm.weight"
	output     = "output.weight"
	ropeFreqs  = "rope_freqs.weight" // per-pair frequency divisors (llama 3.1)
)

// layerTensor names a per-layer tensor: blk.N.<suffix>.
func layerTensor(l int, suffix string) string { return fmt.Sprintf("blk.%d.%s", l, suffix) }

const (
	attnNorm   = "attn_norm.weight"
	attnQ      = "attn_q.weight"
	attnK      = "attn_k.weight"
	attnV      = "attn_v.weight"
	attnQBias  = "attn_q.bias"
	attnKBias  = "attn_k.bias"
	attnVBias  = "attn_v.bias"
	attnQNorm  = "attn_q_norm.weight"
	attnKNorm  = "attn_k_norm.weight"
	attnOut    = "attn_output.weight"
	ffnNorm    = "ffn_norm.weight"
	ffnGate    = "ffn_gate.weight"
	ffnUp      = "ffn_up.weight"
	ffnDown    = "ffn_down.weight"
	ffnGateInp = "ffn_gate_inp.weight"
	ffnGateExp = "ffn_gate_exps.weight"
	ffnUpExp   = "ffn_up_exps.weight"
	ffnDownExp = "ffn_down_exps.weight"
)
