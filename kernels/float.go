package kernels

import (
	"encoding/binary"
	"math"
	"unsafe"

	"github.com/smeltlm/smelt/tensor"
)

// Float rows: f32, f16 and bf16. Conversions are exact or round to nearest
// even as ggml's are. The dots follow ggml-cpu's AVX-512 order: four
// 16-lane accumulators over 64-element steps, reduced as GGML_F32_VEC_REDUCE
// and _mm512_reduce_add_ps do, with the tail added in float64.

// lanes64 is the 4 × 16 float32 accumulator of the AVX-512 float dots.
type lanes64 [64]float32

// reduce is GGML_F32x16_REDUCE: fold the four vectors pairwise, then
// _mm512_reduce_add_ps (halves, quarters, then lanes 0+2 and 1+3).
func (a *lanes64) reduce() float32 {
	var v [16]float32
	for l := range 16 {
		v[l] = (a[l] + a[32+l]) + (a[16+l] + a[48+l])
	}
	return ReduceAdd16(&v)
}

// floatDot is the AVX-512 dot of two float rows of n elements; load
// decodes 64 elements starting at element i of a row.
func floatDot(n int, x, y []byte, load func(dst *[64]float32, src []byte, i, cnt int)) float32 {
	var acc lanes64
	var xs, ys [64]float32
	np := n &^ 63
	for i := 0; i < np; i += 64 {
		load(&xs, x, i, 64)
		load(&ys, y, i, 64)
		for l := range 64 {
			acc[l] = fma32(xs[l], ys[l], acc[l])
		}
	}
	sum := float64(acc.reduce())
	if tail := n - np; tail > 0 {
		load(&xs, x, np, tail)
		load(&ys, y, np, tail)
		for l := range tail {
			sum += float64(xs[l] * ys[l])
		}
	}
	return float32(sum)
}

// floatDotSteps is floatDot with the whole 64-element steps done by an
// assembly kernel that returns their reduced sum; the tail is added as
// floatDot adds it.
func floatDotSteps(n int, x, y []byte, asm func(x, y unsafe.Pointer, steps int) float32,
	load func(dst *[64]float32, src []byte, i, cnt int)) float32 {
	steps := n / 64
	var sum float64
	if steps > 0 {
		sum = float64(asm(unsafe.Pointer(&x[0]), unsafe.Pointer(&y[0]), steps))
	}
	if tail := n - steps*64; tail > 0 {
		var xs, ys [64]float32
		load(&xs, x, steps*64, tail)
		load(&ys, y, steps*64, tail)
		for l := range tail {
			sum += float64(xs[l] * ys[l])
		}
	}
	return float32(sum)
}

func loadF32(dst *[64]float32, src []byte, i, cnt int) {
	for l := range cnt {
		dst[l] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*(i+l):]))
	}
}

func loadF16(dst *[64]float32, src []byte, i, cnt int) {
	for l := range cnt {
		dst[l] = fp16(binary.LittleEndian.Uint16(src[2*(i+l):]))
	}
}

func f32At(b []byte, i int) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])) }
func f16At(b []byte, i int) float32 { return fp16(binary.LittleEndian.Uint16(b[2*i:])) }
func bf16At(b []byte, i int) float32 {
	return tensor.BF16ToF32(binary.LittleEndian.Uint16(b[2*i:]))
}

func dequantizeF32Generic(y []float32, x []byte) {
	for i := range y {
		y[i] = f32At(x, i)
	}
}

func quantizeF32Generic(dst []byte, x []float32) {
	for i, v := range x {
		binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
	}
}

func dotF32Generic(x, y []byte) float32 {
	return floatDot(len(x)/4, x, y, loadF32)
}

func dequantizeF16Generic(y []float32, x []byte) {
	for i := range y {
		y[i] = f16At(x, i)
	}
}

func quantizeF16Generic(dst []byte, x []float32) {
	for i, v := range x {
		binary.LittleEndian.PutUint16(dst[2*i:], toFP16(v))
	}
}

func dotF16Generic(x, y []byte) float32 {
	return floatDot(len(x)/2, x, y, loadF16)
}

func dequantizeBF16Generic(y []float32, x []byte) {
	for i := range y {
		y[i] = bf16At(x, i)
	}
}

func quantizeBF16Generic(dst []byte, x []float32) {
	for i, v := range x {
		binary.LittleEndian.PutUint16(dst[2*i:], tensor.F32ToBF16(v))
	}
}

// dotBF16Generic follows ggml's AVX512-BF16 path: VDPBF16PS adds the odd
// then the even product of each pair into one of 16 lanes (products of two
// bf16 are exact in float32), with two accumulators over 64-element steps.
func dotBF16Generic(x, y []byte) float32 {
	n := len(x) / 2
	var c1, c2 [16]float32
	i := 0
	for ; i+64 <= n; i += 64 {
		for l := range 16 {
			for half, c := range []*[16]float32{&c1, &c2} {
				e := i + 32*half + 2*l
				c[l] += bf16At(x, e+1) * bf16At(y, e+1)
				c[l] += bf16At(x, e) * bf16At(y, e)
			}
		}
	}
	sum := float64(ReduceAdd16(&c1)) + float64(ReduceAdd16(&c2))
	for ; i < n; i++ {
		sum += float64(bf16At(x, i) * bf16At(y, i))
	}
	return float32(sum)
}

// ReduceAdd16 sums 16 floats in the order of _mm512_reduce_add_ps (GCC):
// upper half onto lower, then quarters, then lanes 0+2 and 1+3.
func ReduceAdd16(v *[16]float32) float32 {
	var h [8]float32
	for l := range 8 {
		h[l] = v[8+l] + v[l]
	}
	var q [4]float32
	for l := range 4 {
		q[l] = h[4+l] + h[l]
	}
	return (q[0] + q[2]) + (q[1] + q[3])
}
