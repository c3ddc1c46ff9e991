package model

import (
	"math"

	"github.com/smeltlm/smelt/kernels"
)

// The element-wise operations of the forward pass, each computed as
// ggml-cpu computes it.

// rmsNorm writes x / sqrt(mean(x²) + eps) · w, the sum of squares in
// float64 as ggml_compute_forward_rms_norm keeps it.
func rmsNorm(dst, x, w []float32, eps float32) {
	var sum float64
	for _, v := range x {
		sum += float64(v * v)
	}
	mean := float32(sum / float64(len(x)))
	scale := 1 / float32(math.Sqrt(float64(mean+eps)))
	for i, v := range x {
		dst[i] = v * scale * w[i]
	}
}

// expf is the C library's expf (correctly rounded here).
func expf(x float32) float32 { return float32(math.Exp(float64(x))) }

// swiglu writes silu(x)·g, 16 at a time with ggml's vectorised exp, the
// tail with expf, as ggml_vec_swiglu_f32 does.
func swiglu(dst, x, g []float32) { kernels.SwiGLU(dst, x, g) }

// ropeParams are the inputs of ggml's rope beyond the position.
type ropeParams struct {
	dims        int
	base        float32
	freqScale   float32
	extFactor   float32    // YaRN mix (0: off)
	attnFactor  float32    // scales cos and sin
	corrDims    [2]float32 // YaRN correction range
	freqFactors []float32  // per-pair divisors of theta, or nil
}

func newRopeParams(c Config, freqFactors []float32) ropeParams {
	p := ropeParams{dims: c.RopeDims, base: c.RopeBase, freqScale: c.RopeScale, extFactor: c.YarnExtFactor,
		attnFactor: c.YarnAttnFactor, freqFactors: freqFactors}
	if p.attnFactor == 0 {
		p.attnFactor = 1
	}
	if p.extFactor != 0 {
		p.corrDims = yarnCorrDims(c.RopeDims, c.YarnOrigCtx, c.RopeBase, c.YarnBetaFast, c.YarnBetaSlow)
	}
	return p
}

// yarnCorrDims is ggml_rope_yarn_corr_dims: the pair indices where
// rotations complete beta_fast and beta_slow turns over the original
// context.
func yarnCorrDims(dims, origCtx int, base, betaFast, betaSlow float32) [2]float32 {
	corr := func(rot float32) float32 {
		return float32(dims) * float32(math.Log(float64(float32(origCtx)/(rot*2*math.Pi)))) / (2 * float32(math.Log(float64(base))))
	}
	start := float32(math.Floor(float64(corr(betaFast))))
	end := float32(math.Ceil(float64(corr(betaSlow))))
	return [2]float32{max(0, start), min(float32(dims-1), end)}
}

// ropeCache fills cos/sin for one position as ggml_rope_cache_init and
// rope_yarn do: theta starts at the position and is multiplied by
// base^(-2/dims) for each pair, in float32; with YaRN the angle mixes the
// interpolated and extrapolated values and the magnitude grows by
// 1 + 0.1·ln(1/freqScale).
func ropeCache(cos, sin []float32, pos int, p ropeParams) {
	thetaScale := float32(math.Pow(float64(p.base), -2/float64(p.dims)))
	theta := float32(pos)
	for i := 0; i < p.dims/2; i++ {
		extrap := theta
		if p.freqFactors != nil {
			extrap = theta / p.freqFactors[i]
		}
		t := p.freqScale * extrap
		mscale := p.attnFactor
		if p.extFactor != 0 {
			y := (float32(i) - p.corrDims[0]) / max(0.001, p.corrDims[1]-p.corrDims[0])
			mix := (1 - min(1, max(0, y))) * p.extFactor
			t = t*(1-mix) + extrap*mix
			mscale *= 1 + 0.1*float32(math.Log(float64(1/p.freqScale)))
		}
		cos[i] = float32(math.Cos(float64(t))) * mscale
		sin[i] = float32(math.Sin(float64(t))) * mscale
		theta *= thetaScale
	}
}

// rope rotates the first dims values of one head: pairs (2i, 2i+1), or with
// neox pairs (i, i+dims/2).
func rope(x []float32, dims int, neox bool, cos, sin []float32) {
	for i := 0; i < dims/2; i++ {
		a, b := 2*i, 2*i+1
		if neox {
			a, b = i, i+dims/2
		}
		x0, x1 := x[a], x[b]
		x[a] = float32(x0*cos[i]) - float32(x1*sin[i])
		x[b] = float32(x0*sin[i]) + float32(x1*cos[i])
	}
}

// softmaxMasked is ggml's soft_max over a padded row: scores[:valid] are
// scaled, the rest masked (−inf). exp runs 16 at a time with kernels.VExp,
// each group summed in _mm512_reduce_add_ps order into a float64, the tail with
// expf; then everything is multiplied by float32(1/sum).
func softmaxMasked(p []float32, valid int, scale float32) {
	negInf := float32(math.Inf(-1))
	max := negInf
	for i := range p {
		if i < valid {
			p[i] *= scale
		} else {
			p[i] = negInf
		}
		if p[i] > max {
			max = p[i]
		}
	}
	var sum float64
	full := kernels.VExpGroups(p, p, -max) // p − max is p + (−max), bit for bit
	for i := 0; i < full; i += 16 {
		sum += float64(kernels.ReduceAdd16((*[16]float32)(p[i : i+16])))
	}
	for i := full; i < len(p); i++ {
		p[i] = expf(p[i] - max)
		sum += float64(p[i])
	}
	inv := float32(1 / sum)
	for i := range p {
		p[i] *= inv
	}
}

func addInto(dst, x []float32) {
	for i, v := range x {
		dst[i] += v
	}
}
