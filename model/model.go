package model

import (
	"fmt"

	"github.com/smeltlm/smelt/gguf"
	"github.com/smeltlm/smelt/kernels"
	"github.com/smeltlm/smelt/mmap"
	"github.com/smeltlm/smelt/model/tokenizer"
)

// Model is a loaded model: hyperparameters, tokenizer, and weights viewed
// in place in the mapped file (norms and biases dequantized to float32).
type Model struct {
	Config Config
	Tok    *tokenizer.Tokenizer
	File   *gguf.Model
	Map    *mmap.Map
	Pool   *kernels.Pool

	// HostCopy reports the weights Load copied into host memory.
	HostCopy mmap.HostCopy
	// Repacked counts the matrices (and their bytes) Load rewrote into the
	// kernels' interleaved layout.
	Repacked struct {
		Tensors int
		Bytes   int64
	}

	matrices    []string        // names of the tensors bound as matrices (for CopyToHost)
	interleaved map[string]bool // matrices rewritten by kernels.Interleave

	embd    kernels.Matrix // (vocab, n_embd)
	outNorm []float32      // (n_embd)
	out     kernels.Matrix // (vocab, n_embd); the embedding when tied
	layers  []layer
	rope    ropeParams
}

// layer holds one transformer block's weights. Shapes are (rows, cols) of
// the product W·x: rows outputs from cols inputs.
type layer struct {
	attnNorm       []float32      // (n_embd)
	wq, wk, wv, wo kernels.Matrix // (n_head·d, n_embd), (n_kv·d, n_embd) ×2, (n_embd, n_head·d)
	bq, bk, bv     []float32      // biases (qwen2), or nil
	qNorm, kNorm   []float32      // (d) per-head RMS norms (qwen3), or nil
	ffnNorm        []float32      // (n_embd)
	gate, up, down kernels.Matrix // dense FFN: (n_ff, n_embd) ×2, (n_embd, n_ff)
	router         kernels.Matrix // MoE: (n_expert, n_embd)
	gateExp        []kernels.Matrix
	upExp          []kernels.Matrix
	downExp        []kernels.Matrix
}

// Options configure Load.
type Options struct {
	Threads  int                     // worker threads (0: one per core)
	Mmap     mmap.Mode               // how weights reach memory (default: shared mapping)
	Progress func(done, total int64) // load progress in bytes, if set
	// KeepMapped uses the matrix weights in place in the mapping. By
	// default a mapped model's matrices (all but a token embedding that is
	// not also the output) are copied into anonymous host memory at load,
	// from which the kernels stream them about three times faster.
	KeepMapped bool
	// KeepSource keeps the mapping's pages of the copied weights. By
	// default they are reclaimed as each tensor is copied, so the process
	// holds the weights once.
	KeepSource bool
	// NoRepack keeps the weights in ggml's row layout. By default the
	// matrices held in memory the engine owns (the host copy, or the
	// buffer of mmap.ModeRead) are interleaved four rows at a time where
	// the CPU has kernels for that layout (kernels.CanInterleave).
	NoRepack bool
}

// Load opens a GGUF model file (or the first of a split set).
func Load(path string, opts Options) (*Model, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	if len(f.Tensors) == 0 {
		return nil, fmt.Errorf("model: %s holds no tensors (a vocabulary-only file?)", path)
	}
	cfg, err := ConfigFrom(f.Metadata)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.New(f.Metadata)
	if err != nil {
		return nil, err
	}
	mp, err := mmap.OpenModel(f, mmap.Options{Mode: opts.Mmap, Progress: opts.Progress, KeepSource: opts.KeepSource})
	if err != nil {
		return nil, err
	}
	m := &Model{Config: cfg, Tok: tok, File: f, Map: mp, Pool: kernels.NewPool(opts.Threads)}
	if err := m.bind(); err != nil {
		m.Close()
		return nil, err
	}
	// Matrices in memory the engine owns are interleaved for the kernels
	// (see Options.NoRepack): fused with the host copy of a mapped model,
	// in place in ModeRead's buffer.
	owned := opts.Mmap == mmap.ModeRead || (opts.Mmap == mmap.ModeMap && !opts.KeepMapped)
	if owned && !opts.NoRepack {
		m.interleaved = m.interleavable()
	}
	if !opts.KeepMapped && opts.Mmap == mmap.ModeMap {
		fill := func(name string, dst, src []byte) (bool, error) {
			if !m.interleaved[name] {
				copy(dst, src)
				return false, nil
			}
			ti, _ := m.File.Tensor(name)
			rows, cols := rowsCols(ti)
			if err := kernels.InterleaveTo(dst, src, ti.Type, rows, cols); err != nil {
				return false, err
			}
			return true, nil
		}
		m.HostCopy, err = mp.CopyToHostWith(m.matrices, mmap.CopyOptions{Run: m.Pool.Run, Fill: fill})
	} else if len(m.interleaved) > 0 {
		err = m.repackInPlace()
	}
	if err == nil && (m.HostCopy.Tensors > 0 || len(m.interleaved) > 0) {
		for name := range m.interleaved {
			ti, _ := m.File.Tensor(name)
			m.Repacked.Tensors++
			m.Repacked.Bytes += int64(ti.Size)
		}
		err = m.bind() // the views now point at the copies, interleaved
	}
	if err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// interleavable returns the matrices the kernels have an interleaved
// layout for. The token embedding keeps its rows: tokens are gathered
// from it.
func (m *Model) interleavable() map[string]bool {
	set := map[string]bool{}
	for _, name := range m.matrices {
		ti, _ := m.File.Tensor(name)
		if name != tokEmbd && len(ti.Dims) >= 2 && kernels.CanInterleave(ti.Type, int(ti.Dims[1])) {
			set[name] = true
		}
	}
	return set
}

// rowsCols returns a weight tensor's rows (all of them, experts stacked)
// and row length.
func rowsCols(ti *gguf.TensorInfo) (rows, cols int) {
	return int(ti.Elements() / ti.Dims[0]), int(ti.Dims[0])
}

// repackInPlace interleaves the chosen matrices where they are (ModeRead's
// buffer), spread over the pool, and records their new home.
func (m *Model) repackInPlace() error {
	var names []string
	for _, name := range m.matrices {
		if m.interleaved[name] {
			names = append(names, name)
		}
	}
	errs := make([]error, len(names))
	m.Pool.Run(len(names), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ti, _ := m.File.Tensor(names[i])
			rows, cols := rowsCols(ti)
			data, err := m.Map.Writable(names[i]) // ModeRead: the Map's own buffer
			if err == nil {
				err = kernels.Interleave(data, ti.Type, rows, cols)
			}
			if err == nil {
				err = m.Map.SetHome(names[i], mmap.Home{Kind: mmap.HomeRepacked})
			}
			errs[i] = err
		}
	})
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("model: %s: %w", names[i], err)
		}
	}
	return nil
}

// WeightBytesPerToken returns the weight bytes one decoded token streams:
// every matrix (the token embedding only where it is also the output),
// expert tensors in proportion to the experts a token uses.
func (m *Model) WeightBytesPerToken() int64 {
	var n int64
	for _, name := range m.matrices {
		ti, _ := m.File.Tensor(name)
		size := int64(ti.Size)
		if len(ti.Dims) == 3 && m.Config.NExpert > 0 {
			size = size * int64(m.Config.NExpertUse) / int64(m.Config.NExpert)
		}
		n += size
	}
	return n
}

// Close releases the pool and the mapping.
func (m *Model) Close() error {
	m.Pool.Close()
	return m.Map.Close()
}

// VocabSize returns the number of logits per token.
func (m *Model) VocabSize() int { return m.embd.Rows }

func (m *Model) bind() error {
	c := &m.Config
	b := binder{m: m}
	m.embd = b.matrix(tokEmbd, -1, c.NEmbd)
	m.outNorm = b.vector(outputNorm, c.NEmbd)
	if _, ok := m.File.Tensor(output); ok {
		// The embedding is only gathered from (a few rows per token): it
		// stays in the mapping.
		b.names = b.names[:0]
		m.out = b.matrix(output, m.embd.Rows, c.NEmbd)
	} else {
		c.TiedOutput = true
		m.out = m.embd
	}
	var freqFactors []float32
	if _, ok := m.File.Tensor(ropeFreqs); ok {
		freqFactors = b.vector(ropeFreqs, c.RopeDims/2)
	}
	m.rope = newRopeParams(*c, freqFactors)
	m.layers = make([]layer, c.NLayer)
	qDim, kDim, vDim := c.NHead*c.HeadDim, c.NHeadKV*c.HeadDim, c.NHeadKV*c.HeadDimV
	for l := range m.layers {
		L := &m.layers[l]
		name := func(s string) string { return layerTensor(l, s) }
		L.attnNorm = b.vector(name(attnNorm), c.NEmbd)
		L.wq = b.matrix(name(attnQ), qDim, c.NEmbd)
		L.wk = b.matrix(name(attnK), kDim, c.NEmbd)
		L.wv = b.matrix(name(attnV), vDim, c.NEmbd)
		L.wo = b.matrix(name(attnOut), c.NEmbd, c.NHead*c.HeadDimV)
		if c.QKVBias {
			L.bq, L.bk, L.bv = b.vector(name(attnQBias), qDim), b.vector(name(attnKBias), kDim), b.vector(name(attnVBias), vDim)
		}
		if c.QKNorm {
			L.qNorm, L.kNorm = b.vector(name(attnQNorm), c.HeadDim), b.vector(name(attnKNorm), c.HeadDim)
		}
		L.ffnNorm = b.vector(name(ffnNorm), c.NEmbd)
		if c.NExpert > 0 {
			L.router = b.matrix(name(ffnGateInp), c.NExpert, c.NEmbd)
			L.gateExp = b.experts(name(ffnGateExp), c.NFFExpert, c.NEmbd, c.NExpert)
			L.upExp = b.experts(name(ffnUpExp), c.NFFExpert, c.NEmbd, c.NExpert)
			L.downExp = b.experts(name(ffnDownExp), c.NEmbd, c.NFFExpert, c.NExpert)
		} else {
			L.gate = b.matrix(name(ffnGate), c.NFF, c.NEmbd)
			L.up = b.matrix(name(ffnUp), c.NFF, c.NEmbd)
			L.down = b.matrix(name(ffnDown), c.NEmbd, c.NFF)
		}
	}
	m.matrices = b.names
	return b.err
}

// binder looks tensors up and checks their shapes, keeping the first error.
type binder struct {
	m     *Model
	err   error
	names []string // tensors bound as matrices
}

func (b *binder) fail(format string, args ...any) {
	if b.err == nil {
		b.err = fmt.Errorf("model: "+format, args...)
	}
}

func (b *binder) tensor(name string, dims ...int) (*gguf.TensorInfo, []byte) {
	ti, ok := b.m.File.Tensor(name)
	if !ok {
		b.fail("tensor %s is missing", name)
		return nil, nil
	}
	if len(ti.Dims) != len(dims) {
		b.fail("tensor %s has shape %v, want %d dimensions", name, ti.Dims, len(dims))
		return nil, nil
	}
	for i, d := range dims {
		if d >= 0 && ti.Dims[i] != uint64(d) {
			b.fail("tensor %s has shape %v, want %v", name, ti.Dims, dims)
			return nil, nil
		}
	}
	data, err := b.m.Map.View(name)
	if err != nil {
		b.fail("%v", err)
		return nil, nil
	}
	return ti, data
}

// matrix binds a (rows, cols) weight; rows < 0 takes any.
func (b *binder) matrix(name string, rows, cols int) kernels.Matrix {
	ti, data := b.tensor(name, cols, rows)
	if ti == nil {
		return kernels.Matrix{}
	}
	b.names = append(b.names, name)
	return kernels.Matrix{Type: ti.Type, Rows: int(ti.Dims[1]), Cols: cols, Data: data, Interleaved: b.m.interleaved[name]}
}

// experts binds a 3-D expert tensor as one (rows, cols) matrix per expert.
func (b *binder) experts(name string, rows, cols, n int) []kernels.Matrix {
	ti, data := b.tensor(name, cols, rows, n)
	if ti == nil {
		return nil
	}
	b.names = append(b.names, name)
	size := len(data) / n
	out := make([]kernels.Matrix, n)
	for e := range out {
		out[e] = kernels.Matrix{Type: ti.Type, Rows: rows, Cols: cols, Data: data[e*size : (e+1)*size],
			Interleaved: b.m.interleaved[name]}
	}
	return out
}

// vector binds a 1-D tensor, dequantized to float32.
func (b *binder) vector(name string, n int) []float32 {
	ti, data := b.tensor(name, n)
	if ti == nil {
		return nil
	}
	tr, err := kernels.For(ti.Type)
	if err != nil {
		b.fail("tensor %s: %v", name, err)
		return nil
	}
	out := make([]float32, n)
	tr.Dequantize(out, data)
	return out
}

// embed writes the embedding rows of tokens into x (n × n_embd).
func (m *Model) embed(x []float32, tokens []int32) error {
	tr, err := kernels.For(m.embd.Type)
	if err != nil {
		return err
	}
	rb, _ := m.embd.RowBytes()
	d := m.Config.NEmbd
	for i, t := range tokens {
		if t < 0 || int(t) >= m.embd.Rows {
			return fmt.Errorf("model: token %d out of range (vocabulary %d)", t, m.embd.Rows)
		}
		tr.Dequantize(x[i*d:(i+1)*d], m.embd.Data[int(t)*rb:(int(t)+1)*rb])
	}
	return nil
}
