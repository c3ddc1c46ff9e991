package model

import (
	"bytes"
	"math"
	"testing"

	"github.com/smeltlm/smelt/gguf"
)

// yarnReference computes cos/sin for pair i in float64 from the YaRN
// definition: interpolated and extrapolated frequencies mixed by a linear
// ramp between the correction dims, magnitude 1 + 0.1·ln(scale factor).
func yarnReference(pos, i int, p ropeParams, ff float64) (float64, float64) {
	freq := math.Pow(float64(p.base), -2*float64(i)/float64(p.dims)) / ff
	extrap := float64(pos) * freq
	t := float64(p.freqScale) * extrap
	m := float64(p.attnFactor)
	if p.extFactor != 0 {
		y := (float64(i) - float64(p.corrDims[0])) / math.Max(0.001, float64(p.corrDims[1]-p.corrDims[0]))
		mix := (1 - math.Min(1, math.Max(0, y))) * float64(p.extFactor)
		t = t*(1-mix) + extrap*mix
		m *= 1 + 0.1*math.Log(1/float64(p.freqScale))
	}
	return math.Cos(t) * m, math.Sin(t) * m
}

func TestRopeCache(t *testing.T) {
	ff := make([]float32, 32)
	for i := range ff {
		ff[i] = 1 + float32(i)/8
	}
	cases := map[string]ropeParams{
		"plain":        {dims: 64, base: 10000, freqScale: 1, attnFactor: 1},
		"linear":       {dims: 64, base: 10000, freqScale: 0.25, attnFactor: 1},
		"freq-factors": {dims: 64, base: 500000, freqScale: 1, attnFactor: 1, freqFactors: ff},
		"yarn": {dims: 64, base: 1000000, freqScale: 0.25, extFactor: 1, attnFactor: 1,
			corrDims: yarnCorrDims(64, 4096, 1000000, 32, 1)},
	}
	for name, p := range cases {
		cos, sin := make([]float32, 32), make([]float32, 32)
		for _, pos := range []int{0, 1, 7, 100, 3000} {
			ropeCache(cos, sin, pos, p)
			for i := range 32 {
				f := 1.0
				if p.freqFactors != nil {
					f = float64(p.freqFactors[i])
				}
				wc, ws := yarnReference(pos, i, p, f)
				// theta is built by repeated float32 products, as in ggml:
				// allow its rounding, growing with the position.
				tol := 1e-6 + 2e-7*float64(pos)
				if math.Abs(float64(cos[i])-wc) > tol || math.Abs(float64(sin[i])-ws) > tol {
					t.Fatalf("%s pos %d pair %d: (%v, %v), want (%v, %v)", name, pos, i, cos[i], sin[i], wc, ws)
				}
			}
		}
	}
	if d := yarnCorrDims(64, 4096, 1000000, 32, 1); d[0] < 0 || d[1] > 63 || d[0] >= d[1] {
		t.Errorf("correction dims %v", d)
	}
}

func TestConfigYarn(t *testing.T) {
	w := gguf.NewWriter()
	w.Set("general.architecture", "qwen2")
	for k, v := range map[string]any{
		"qwen2.block_count": uint32(2), "qwen2.embedding_length": uint32(256), "qwen2.attention.head_count": uint32(4),
		"qwen2.attention.head_count_kv": uint32(2), "qwen2.context_length": uint32(32768),
		"qwen2.feed_forward_length": uint32(512), "qwen2.attention.layer_norm_rms_epsilon": float32(1e-6),
		"qwen2.rope.freq_base": float32(1e6), "qwen2.rope.scaling.type": "yarn", "qwen2.rope.scaling.factor": float32(4),
		"qwen2.rope.scaling.original_context_length": uint32(8192),
	} {
		w.Set(k, v)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), gguf.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ConfigFrom(f.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	if c.RopeScale != 0.25 || c.YarnExtFactor != 1 || c.YarnOrigCtx != 8192 || !c.RopeNeox || !c.QKVBias || c.HeadDim != 64 {
		t.Errorf("config %+v", c)
	}
	w.Set("qwen2.rope.scaling.type", "longrope")
	buf.Reset()
	w.WriteTo(&buf)
	f, _ = gguf.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), gguf.Limits{})
	if _, err := ConfigFrom(f.Metadata); err == nil {
		t.Error("unsupported rope scaling accepted")
	}
}
