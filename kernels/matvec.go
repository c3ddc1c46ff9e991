package kernels

import (
	"fmt"

	"github.com/smeltlm/smelt/gguf"
)

// Matrix is a weight matrix as stored in a model: Rows rows of Cols elements
// of Type, row-major, in Data (ggml's ne[0] = Cols, ne[1] = Rows).
type Matrix struct {
	Type       gguf.Type
	Rows, Cols int
	Data       []byte
	// Interleaved says Data holds the rows in the interleaved layout
	// Interleave writes (groups of four rows, block column by column).
	Interleaved bool
}

// RowBytes returns the size of one row.
func (m Matrix) RowBytes() (int, error) {
	rb, err := m.Type.RowBytes(uint64(m.Cols))
	return int(rb), err
}

func (m Matrix) check() (*Traits, int, error) {
	tr, err := For(m.Type)
	if err != nil {
		return nil, 0, err
	}
	if tr.Dot == nil {
		return nil, 0, fmt.Errorf("kernels: no dot for %s", m.Type)
	}
	rb, err := m.RowBytes()
	if err != nil {
		return nil, 0, err
	}
	if len(m.Data) != rb*m.Rows {
		return nil, 0, fmt.Errorf("kernels: %s matrix %d×%d needs %d bytes, has %d", m.Type, m.Rows, m.Cols, rb*m.Rows, len(m.Data))
	}
	return tr, rb, nil
}

// QuantizeActivations converts n rows of cols floats to the activation type
// of weight type t, as the dot products expect them. dst may be nil.
func QuantizeActivations(dst []byte, t gguf.Type, x []float32, n, cols int) ([]byte, error) {
	return quantizeActs(dst, t, x, n, cols, func(n int, fn func(lo, hi int)) { fn(0, n) })
}

// quantizeActivations is QuantizeActivations over the pool's threads.
func (p *Pool) quantizeActivations(t gguf.Type, x []float32, n, cols int) ([]byte, error) {
	return quantizeActs(nil, t, x, n, cols, p.Run)
}

// quantizeActs quantizes in pieces of whole activation blocks (about 1024
// values) that run spreads over its threads.
func quantizeActs(dst []byte, t gguf.Type, x []float32, n, cols int, run func(n int, fn func(lo, hi int))) ([]byte, error) {
	tr, err := For(t)
	if err != nil {
		return nil, err
	}
	vt, err := For(tr.VecDotType)
	if err != nil {
		return nil, err
	}
	tt, err := tr.VecDotType.Traits()
	if err != nil {
		return nil, err
	}
	rb, err := tr.VecDotType.RowBytes(uint64(cols))
	if err != nil {
		return nil, err
	}
	if cap(dst) < int(rb)*n {
		dst = make([]byte, int(rb)*n)
	}
	dst = dst[:int(rb)*n]
	be, bb := int(tt.BlockSize), int(tt.BlockBytes)
	blocksPerPiece := max(1, 1024/be)
	pieces := (cols/be + blocksPerPiece - 1) / blocksPerPiece
	run(n*pieces, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			r, b0 := u/pieces, u%pieces*blocksPerPiece
			b1 := min(b0+blocksPerPiece, cols/be)
			row := dst[r*int(rb):]
			vt.QuantizeAct(row[b0*bb:b1*bb], x[r*cols+b0*be:r*cols+b1*be])
		}
	})
	return dst, nil
}

// MatVec computes dst = W·x: dst[r] is the dot of row r with x, the
// activations quantized once to the weight type's activation type.
func (p *Pool) MatVec(dst []float32, w Matrix, x []float32) error {
	return p.MatMul(dst, w, x, 1)
}

// MatMul computes n products at once: for each of the n activation rows
// x[i·Cols:(i+1)·Cols], dst[i·Rows:(i+1)·Rows] = W·x_i. Each weight row is
// read once for all n activations, and rows are split over the pool.
func (p *Pool) MatMul(dst []float32, w Matrix, x []float32, n int) error {
	return p.MatMulMany([][]float32{dst}, []Matrix{w}, x, n)
}

// MatMulMany computes MatMul for several matrices of the same input (a
// layer's q, k and v; gate and up) as one operation: the activations are
// quantized once per activation type and the threads share all the rows,
// so there is one hand-over to the workers instead of one per matrix.
func (p *Pool) MatMulMany(dsts [][]float32, ws []Matrix, x []float32, n int) error {
	if len(dsts) != len(ws) {
		return fmt.Errorf("kernels: %d outputs for %d matrices", len(dsts), len(ws))
	}
	tasks := make([]mmTask, len(ws))
	acts := map[gguf.Type][]byte{}
	total := 0
	for k, w := range ws {
		t := &tasks[k]
		if err := t.prepare(p, dsts[k], w, x, n, acts); err != nil {
			return err
		}
		t.first = total
		total += t.units
	}
	p.Run(total, func(lo, hi int) {
		for k := range tasks {
			t := &tasks[k]
			if a, b := max(lo, t.first), min(hi, t.first+t.units); a < b {
				t.do(a-t.first, b-t.first)
			}
		}
	})
	return nil
}

// mmTask is one matrix of a MatMulMany: its units are rows, or groups of
// four rows when the matrix is interleaved.
type mmTask struct {
	w          Matrix
	dst        []float32
	tr         *Traits
	rb         int
	xq         []byte
	xrb, n     int
	first      int // index of the task's first unit in the operation
	units      int
	interleave func(group, y []byte, out *[4]float32)
	// interleave2, where set, takes two activations a call (prompts).
	interleave2 func(group, y []byte, ystride int, out *[8]float32)
}

func (t *mmTask) prepare(p *Pool, dst []float32, w Matrix, x []float32, n int, acts map[gguf.Type][]byte) error {
	tr, rb, err := w.check()
	if err != nil {
		return err
	}
	if len(x) != n*w.Cols || len(dst) != n*w.Rows {
		return fmt.Errorf("kernels: matmul %d×%d by %d activations: x has %d values, dst %d", w.Rows, w.Cols, n, len(x), len(dst))
	}
	xq, ok := acts[tr.VecDotType]
	if !ok {
		if xq, err = p.quantizeActivations(w.Type, x, n, w.Cols); err != nil {
			return err
		}
		acts[tr.VecDotType] = xq
	}
	*t = mmTask{w: w, dst: dst, tr: tr, rb: rb, xq: xq, xrb: len(xq) / max(n, 1), n: n, units: w.Rows}
	if w.Interleaved {
		if w.Rows%groupRows != 0 || x4Layouts[w.Type] == nil {
			return fmt.Errorf("kernels: %s matrix %d×%d cannot be interleaved", w.Type, w.Rows, w.Cols)
		}
		t.units = w.Rows / groupRows
		t.interleave = x4Kernel(w.Type)
		t.interleave2 = x4Kernel2(w.Type)
		if t.interleave == nil {
			t.interleave = func(group, y []byte, out *[4]float32) { dotX4Generic(w.Type, group, y, out) }
		}
	}
	return nil
}

// do computes units [lo, hi) of the task.
func (t *mmTask) do(lo, hi int) {
	w, rb, n, xq, xrb, dst := t.w, t.rb, t.n, t.xq, t.xrb, t.dst
	if t.interleave != nil {
		gb := groupRows * rb
		var out [4]float32
		var out2 [8]float32
		for g := lo; g < hi; g++ {
			group := w.Data[g*gb : (g+1)*gb]
			i := 0
			if t.interleave2 != nil {
				for ; i+1 < n; i += 2 {
					t.interleave2(group, xq[i*xrb:(i+2)*xrb], xrb, &out2)
					copy(dst[i*w.Rows+g*groupRows:], out2[:4])
					copy(dst[(i+1)*w.Rows+g*groupRows:], out2[4:])
				}
			}
			for ; i < n; i++ {
				t.interleave(group, xq[i*xrb:(i+1)*xrb], &out)
				copy(dst[i*w.Rows+g*groupRows:], out[:])
			}
		}
		return
	}
	r := lo
	// Dot4 shares each activation load among four rows and hides the
	// FMA latency; it pays when the rows are reused for several
	// activations (a prompt). For one (decode), four interleaved
	// streams from memory measured slower than one: 8.2 vs 13.8 t/s.
	if t.tr.Dot4 != nil && n > 1 {
		var out [4]float32
		for ; r+4 <= hi; r += 4 {
			rows := w.Data[r*rb : (r+4)*rb]
			for i := range n {
				t.tr.Dot4(rows, rb, xq[i*xrb:(i+1)*xrb], &out)
				for k, v := range out {
					dst[i*w.Rows+r+k] = v
				}
			}
		}
	}
	for ; r < hi; r++ {
		row := w.Data[r*rb : (r+1)*rb]
		for i := range n {
			dst[i*w.Rows+r] = t.tr.Dot(row, xq[i*xrb:(i+1)*xrb])
		}
	}
}
