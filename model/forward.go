package model

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/smeltlm/smelt/gguf"
	"github.com/smeltlm/smelt/kernels"
	"github.com/smeltlm/smelt/tensor"
)

// kvPad is the granularity of the attended cache length: llama.cpp pads the
// cache view to 256 cells (masked). The length decides the summation order
// of the attention dots (ggml's f16 dot sums fewer than 64 values in a
// scalar tail), so the same padding is used here: with it, llama.cpp's
// token-by-token logits are reproduced bit for bit on most reference models.
const kvPad = 256

// State is one sequence being evaluated: the KV cache and the position.
// K is stored per layer as (n_ctx, n_kv·d) f16 rows, V transposed as
// (n_kv·d_v, n_ctx) f16 rows, as llama.cpp stores them without flash
// attention; both start zeroed.
type State struct {
	m      *Model
	nCtx   int
	pos    int
	k, v   [][]byte
	kvType gguf.Type       // f16 (default) or f32
	esize  int             // bytes per cached value
	dot    *kernels.Traits // the kvType dot: Q·K and P·V
}

// ErrContextFull is returned when a batch does not fit in the context.
var ErrContextFull = errors.New("model: context is full")

// NewState allocates an F16 KV cache of nCtx positions (rounded up to
// kvPad), llama.cpp's default.
func (m *Model) NewState(nCtx int) *State {
	s, _ := m.NewStateKV(nCtx, gguf.TypeF16)
	return s
}

// NewStateKV allocates a KV cache whose values are f16 or f32.
func (m *Model) NewStateKV(nCtx int, kvType gguf.Type) (*State, error) {
	if kvType != gguf.TypeF16 && kvType != gguf.TypeF32 {
		return nil, fmt.Errorf("model: KV cache type %s is not supported (f16, f32)", kvType)
	}
	nCtx = (max(nCtx, 1) + kvPad - 1) / kvPad * kvPad
	c := m.Config
	s := &State{m: m, nCtx: nCtx, k: make([][]byte, c.NLayer), v: make([][]byte, c.NLayer), kvType: kvType, esize: 2}
	if kvType == gguf.TypeF32 {
		s.esize = 4
	}
	for l := range c.NLayer {
		s.k[l] = make([]byte, s.esize*nCtx*c.NHeadKV*c.HeadDim)
		s.v[l] = make([]byte, s.esize*nCtx*c.NHeadKV*c.HeadDimV)
	}
	s.dot, _ = kernels.For(kvType)
	return s, nil
}

// KVBytes returns the size of the KV cache.
func (s *State) KVBytes() int {
	n := 0
	for l := range s.k {
		n += len(s.k[l]) + len(s.v[l])
	}
	return n
}

// put stores values in the cache's element type.
func (s *State) put(dst []byte, x []float32) {
	if s.esize == 4 {
		for i, v := range x {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
		}
		return
	}
	putF16(dst, x)
}

// putColumn stores x as column pos of the transposed V cache (row j holds
// value j of every position).
func (s *State) putColumn(cache []byte, pos int, x []float32) {
	stride := s.esize * s.nCtx
	_ = cache[s.esize*((len(x)-1)*s.nCtx+pos)+s.esize-1]
	if s.esize == 4 {
		for j, v := range x {
			binary.LittleEndian.PutUint32(cache[j*stride+4*pos:], math.Float32bits(v))
		}
		return
	}
	for j, v := range x {
		binary.LittleEndian.PutUint16(cache[j*stride+2*pos:], tensor.F32ToF16(v))
	}
}

// Pos returns the number of tokens evaluated so far.
func (s *State) Pos() int { return s.pos }

// Context returns the cache size.
func (s *State) Context() int { return s.nCtx }

// Eval runs tokens through the model as one batch and returns the logits
// of every token (n × vocab) when all is set, else of the last one.
func (s *State) Eval(tokens []int32, all bool) ([]float32, error) {
	n := len(tokens)
	if n == 0 {
		return nil, nil
	}
	if s.pos+n > s.nCtx {
		return nil, fmt.Errorf("%w: %d + %d tokens > %d", ErrContextFull, s.pos, n, s.nCtx)
	}
	m, c := s.m, s.m.Config
	x := make([]float32, n*c.NEmbd)
	if err := m.embed(x, tokens); err != nil {
		return nil, err
	}
	h := make([]float32, n*c.NEmbd)
	for l := range m.layers {
		L := &m.layers[l]
		for i := range n {
			rmsNorm(h[i*c.NEmbd:(i+1)*c.NEmbd], x[i*c.NEmbd:(i+1)*c.NEmbd], L.attnNorm, c.NormEps)
		}
		att, err := s.attention(l, L, h, n)
		if err != nil {
			return nil, err
		}
		addInto(x, att)
		for i := range n {
			rmsNorm(h[i*c.NEmbd:(i+1)*c.NEmbd], x[i*c.NEmbd:(i+1)*c.NEmbd], L.ffnNorm, c.NormEps)
		}
		var ffn []float32
		if c.NExpert > 0 {
			ffn, err = s.moe(L, h, n)
		} else {
			ffn, err = s.ffn(L.gate, L.up, L.down, h, n)
		}
		if err != nil {
			return nil, err
		}
		addInto(x, ffn)
	}
	s.pos += n
	first := n - 1
	if all {
		first = 0
	}
	rows := n - first
	for i := first; i < n; i++ {
		rmsNorm(h[i*c.NEmbd:(i+1)*c.NEmbd], x[i*c.NEmbd:(i+1)*c.NEmbd], m.outNorm, c.NormEps)
	}
	logits := make([]float32, rows*m.out.Rows)
	if err := m.Pool.MatMul(logits, m.out, h[first*c.NEmbd:], rows); err != nil {
		return nil, err
	}
	return logits, nil
}

// project computes W·h (+ bias) for n rows.
func (s *State) project(w kernels.Matrix, bias, h []float32, n int) ([]float32, error) {
	out := make([]float32, n*w.Rows)
	if err := s.m.Pool.MatMul(out, w, h, n); err != nil {
		return nil, err
	}
	if bias != nil {
		for i := range n {
			addInto(out[i*w.Rows:(i+1)*w.Rows], bias)
		}
	}
	return out, nil
}

// projectMany computes several projections of the same h (+ biases, nil
// for none) as one operation.
func (s *State) projectMany(ws []kernels.Matrix, biases [][]float32, h []float32, n int) ([][]float32, error) {
	outs := make([][]float32, len(ws))
	for k, w := range ws {
		outs[k] = make([]float32, n*w.Rows)
	}
	if err := s.m.Pool.MatMulMany(outs, ws, h, n); err != nil {
		return nil, err
	}
	for k, w := range ws {
		if k < len(biases) && biases[k] != nil {
			for i := range n {
				addInto(outs[k][i*w.Rows:(i+1)*w.Rows], biases[k])
			}
		}
	}
	return outs, nil
}

func putF16(dst []byte, x []float32) {
	for i, v := range x {
		binary.LittleEndian.PutUint16(dst[2*i:], tensor.F32ToF16(v))
	}
}

// attention runs one layer's self-attention for n new tokens.
func (s *State) attention(l int, L *layer, h []float32, n int) ([]float32, error) {
	c := s.m.Config
	qkv, err := s.projectMany([]kernels.Matrix{L.wq, L.wk, L.wv}, [][]float32{L.bq, L.bk, L.bv}, h, n)
	if err != nil {
		return nil, err
	}
	q, k, v := qkv[0], qkv[1], qkv[2]
	d, dv := c.HeadDim, c.HeadDimV
	cos, sin := make([]float32, c.RopeDims/2), make([]float32, c.RopeDims/2)
	kRow := c.NHeadKV * d
	for i := range n {
		pos := s.pos + i
		ropeCache(cos, sin, pos, s.m.rope)
		for hd := range c.NHead {
			qh := q[i*c.NHead*d+hd*d : i*c.NHead*d+(hd+1)*d]
			if L.qNorm != nil {
				rmsNorm(qh, qh, L.qNorm, c.NormEps)
			}
			rope(qh, c.RopeDims, c.RopeNeox, cos, sin)
		}
		for hd := range c.NHeadKV {
			kh := k[i*kRow+hd*d : i*kRow+(hd+1)*d]
			if L.kNorm != nil {
				rmsNorm(kh, kh, L.kNorm, c.NormEps)
			}
			rope(kh, c.RopeDims, c.RopeNeox, cos, sin)
		}
		e := s.esize
		s.put(s.k[l][e*pos*kRow:e*(pos+1)*kRow], k[i*kRow:(i+1)*kRow])
		s.putColumn(s.v[l], pos, v[i*c.NHeadKV*dv:(i+1)*c.NHeadKV*dv])
	}
	// The attended length: all cached cells, padded, masked past each token.
	nKV := min(s.nCtx, (s.pos+n+kvPad-1)/kvPad*kvPad)
	scale := 1 / float32(math.Sqrt(float64(d)))
	group := c.NHead / c.NHeadKV
	out := make([]float32, n*c.NHead*dv)
	e := s.esize
	s.m.Pool.Run(n*c.NHead, func(lo, hi int) {
		// Q and the attention weights take the cache's type for their
		// products, as ggml converts src1 to the vec_dot type of src0.
		qf := make([]byte, e*d)
		p := make([]float32, nKV)
		pf := make([]byte, e*nKV)
		for job := lo; job < hi; job++ {
			i, hd := job/c.NHead, job%c.NHead
			kvh := hd / group
			s.put(qf, q[i*c.NHead*d+hd*d:i*c.NHead*d+(hd+1)*d])
			valid := s.pos + i + 1
			for t := range valid {
				p[t] = s.dot.Dot(s.k[l][e*(t*kRow+kvh*d):e*(t*kRow+(kvh+1)*d)], qf)
			}
			softmaxMasked(p, valid, scale)
			s.put(pf, p)
			// Past the valid positions the weights are exact zeros, which add
			// nothing in the dot's 64-element steps: stop after the last step
			// that holds a valid position (same bits, less work).
			span := min(nKV, (valid+63)&^63)
			o := out[i*c.NHead*dv+hd*dv : i*c.NHead*dv+(hd+1)*dv]
			for j := range dv {
				row := (kvh*dv + j) * s.nCtx
				o[j] = s.dot.Dot(s.v[l][e*row:e*(row+span)], pf[:e*span])
			}
		}
	})
	return s.project(L.wo, nil, out, n)
}

// ffn is the SwiGLU feed-forward: down(silu(gate·h) ⊙ up·h).
func (s *State) ffn(gate, up, down kernels.Matrix, h []float32, n int) ([]float32, error) {
	gu, err := s.projectMany([]kernels.Matrix{gate, up}, nil, h, n)
	if err != nil {
		return nil, err
	}
	g, u := gu[0], gu[1]
	// SwiGLU over the threads in pieces of 256 values: each piece starts
	// at a multiple of 16, so every value takes the same exp path
	// (kernels.VExp on whole groups of 16) as in one call over the row.
	const piece = 256
	ff := gate.Rows
	pieces := (ff + piece - 1) / piece
	s.m.Pool.Run(n*pieces, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			i, a := t/pieces, t%pieces*piece
			b := min(a+piece, ff)
			row := g[i*ff+a : i*ff+b]
			swiglu(row, row, u[i*ff+a:i*ff+b])
		}
	})
	return s.project(down, nil, g, n)
}

// moe routes each token to its top experts: softmax over the router's
// logits, the NExpertUse largest kept (renormalised when NormTopK), and
// the experts' outputs summed with those weights.
func (s *State) moe(L *layer, h []float32, n int) ([]float32, error) {
	c := s.m.Config
	logits, err := s.project(L.router, nil, h, n)
	if err != nil {
		return nil, err
	}
	out := make([]float32, n*c.NEmbd)
	idx := make([]int, c.NExpert)
	for i := range n {
		p := logits[i*c.NExpert : (i+1)*c.NExpert]
		softmaxMasked(p, c.NExpert, 1)
		for e := range idx {
			idx[e] = e
		}
		sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
		top := idx[:c.NExpertUse]
		var wsum float32
		for _, e := range top {
			wsum += p[e]
		}
		hi := h[i*c.NEmbd : (i+1)*c.NEmbd]
		for _, e := range top {
			y, err := s.ffn(L.gateExp[e], L.upExp[e], L.downExp[e], hi, 1)
			if err != nil {
				return nil, err
			}
			w := p[e]
			if c.NormTopK {
				w /= wsum
			}
			for j, v := range y {
				out[i*c.NEmbd+j] += w * v
			}
		}
	}
	return out, nil
}
