package kernels_test

import (
	"fmt"
	"math"

	"github.com/smeltlm/smelt/gguf"
	"github.com/smeltlm/smelt/kernels"
)

// Quantize a 4×64 weight matrix to q8_0 and multiply it by a vector on a
// two-thread pool.
func Example() {
	const rows, cols = 4, 64
	tr, err := kernels.For(gguf.TypeQ8_0)
	if err != nil {
		panic(err)
	}
	w := make([]float32, rows*cols)
	for i := range w {
		w[i] = float32(math.Sin(float64(i)))
	}
	m := kernels.Matrix{Type: gguf.TypeQ8_0, Rows: rows, Cols: cols}
	rb, _ := m.RowBytes()
	m.Data = make([]byte, rows*rb)
	for r := range rows {
		tr.Quantize(m.Data[r*rb:(r+1)*rb], w[r*cols:(r+1)*cols])
	}

	x := make([]float32, cols)
	for i := range x {
		x[i] = 1
	}
	pool := kernels.NewPool(2)
	defer pool.Close()
	y := make([]float32, rows)
	if err := pool.MatVec(y, m, x); err != nil {
		panic(err)
	}
	for r := range rows {
		var exact float64
		for c := range cols {
			exact += float64(w[r*cols+c])
		}
		fmt.Printf("row %d: %.2f (float: %.2f)\n", r, y[r], exact)
	}
	// Output:
	// row 0: 0.09 (float: 0.10)
	// row 1: 1.10 (float: 1.09)
	// row 2: 0.78 (float: 0.76)
	// row 3: -0.47 (float: -0.50)
}

// Interleave an 8×256 q4_0 matrix in place, as model loading does: the
// products are bit for bit those of the row layout, with or without the
// interleaved kernels on this CPU.
func ExampleInterleave() {
	const rows, cols = 8, 256
	tr, _ := kernels.For(gguf.TypeQ4_0)
	m := kernels.Matrix{Type: gguf.TypeQ4_0, Rows: rows, Cols: cols}
	rb, _ := m.RowBytes()
	m.Data = make([]byte, rows*rb)
	w := make([]float32, cols)
	for r := range rows {
		for c := range w {
			w[c] = float32(math.Cos(float64(r*cols + c)))
		}
		tr.Quantize(m.Data[r*rb:(r+1)*rb], w)
	}
	x := make([]float32, cols)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	pool := kernels.NewPool(2)
	defer pool.Close()
	rowsOut := make([]float32, rows)
	if err := pool.MatVec(rowsOut, m, x); err != nil {
		panic(err)
	}

	im := m
	im.Data = append([]byte(nil), m.Data...)
	if err := kernels.Interleave(im.Data, m.Type, rows, cols); err != nil {
		panic(err)
	}
	im.Interleaved = true
	groupsOut := make([]float32, rows)
	if err := pool.MatVec(groupsOut, im, x); err != nil {
		panic(err)
	}
	same := true
	for r := range rows {
		same = same && math.Float32bits(rowsOut[r]) == math.Float32bits(groupsOut[r])
	}
	fmt.Println("same bits:", same)
	// Output: same bits: true
}
