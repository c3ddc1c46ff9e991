package kernels

import "encoding/binary"

// The 32-element block quants: q4_0, q4_1, q5_0, q5_1, q8_0, q8_1. Weight
// quantizers follow ggml's *_ref functions; the activation quantizers
// (q8_0, q8_1 for a dot) follow ggml-cpu's x86 path, whose results the
// reference data holds: scale 127/amax and rounding halves to even.

// absMax returns the largest |x| and the signed value that has it (the
// first one, as ggml's strict comparison keeps).
func absMax(x []float32) (amax, max float32) {
	for _, v := range x {
		if a := abs32(v); amax < a {
			amax, max = a, v
		}
	}
	return amax, max
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

// minMax is ggml's min/max scan. It keeps the first of equal values, where
// Go's builtin min would prefer -0 to +0.
func minMax(x []float32) (lo, hi float32) {
	lo, hi = x[0], x[0]
	for _, v := range x[1:] {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}

func inv(d float32) float32 {
	if d == 0 {
		return 0
	}
	return 1 / d
}

func quantizeQ4_0Generic(dst []blockQ4_0, x []float32) {
	for i := range dst {
		xb := x[i*qk : i*qk+qk]
		_, max := absMax(xb)
		d := max / -8
		id := inv(d)
		dst[i].D = toFP16(d)
		for j := range qk / 2 {
			x0 := min(15, truncInt8(float32(xb[j]*id)+8.5))
			x1 := min(15, truncInt8(float32(xb[j+qk/2]*id)+8.5))
			dst[i].Qs[j] = byte(x0) | byte(x1)<<4
		}
	}
}

func dequantizeQ4_0Generic(y []float32, x []blockQ4_0) {
	for i := range x {
		d := fp16(x[i].D)
		for j, q := range x[i].Qs {
			y[i*qk+j] = float32(int32(q&0xf)-8) * d
			y[i*qk+j+qk/2] = float32(int32(q>>4)-8) * d
		}
	}
}

func quantizeQ4_1Generic(dst []blockQ4_1, x []float32) {
	for i := range dst {
		xb := x[i*qk : i*qk+qk]
		lo, hi := minMax(xb)
		d := (hi - lo) / 15
		id := inv(d)
		dst[i].D, dst[i].M = toFP16(d), toFP16(lo)
		for j := range qk / 2 {
			x0 := min(15, truncInt8(float32((xb[j]-lo)*id)+0.5))
			x1 := min(15, truncInt8(float32((xb[j+qk/2]-lo)*id)+0.5))
			dst[i].Qs[j] = byte(x0) | byte(x1)<<4
		}
	}
}

func dequantizeQ4_1Generic(y []float32, x []blockQ4_1) {
	for i := range x {
		d, m := fp16(x[i].D), fp16(x[i].M)
		for j, q := range x[i].Qs {
			y[i*qk+j] = float32(float32(q&0xf)*d) + m
			y[i*qk+j+qk/2] = float32(float32(q>>4)*d) + m
		}
	}
}

func quantizeQ5_0Generic(dst []blockQ5_0, x []float32) {
	for i := range dst {
		xb := x[i*qk : i*qk+qk]
		_, max := absMax(xb)
		d := max / -16
		id := inv(d)
		dst[i].D = toFP16(d)
		var qh uint32
		for j := range qk / 2 {
			x0 := min(31, truncInt8(float32(xb[j]*id)+16.5))
			x1 := min(31, truncInt8(float32(xb[j+qk/2]*id)+16.5))
			dst[i].Qs[j] = byte(x0&0xf) | byte(x1&0xf)<<4
			qh |= uint32(x0&0x10) >> 4 << j
			qh |= uint32(x1&0x10) >> 4 << (j + qk/2)
		}
		binary.LittleEndian.PutUint32(dst[i].Qh[:], qh)
	}
}

func dequantizeQ5_0Generic(y []float32, x []blockQ5_0) {
	for i := range x {
		d := fp16(x[i].D)
		qh := binary.LittleEndian.Uint32(x[i].Qh[:])
		for j, q := range x[i].Qs {
			h0 := (qh >> j << 4) & 0x10
			h1 := (qh >> (j + 12)) & 0x10
			y[i*qk+j] = float32(int32(uint32(q&0xf)|h0)-16) * d
			y[i*qk+j+qk/2] = float32(int32(uint32(q>>4)|h1)-16) * d
		}
	}
}

func quantizeQ5_1Generic(dst []blockQ5_1, x []float32) {
	for i := range dst {
		xb := x[i*qk : i*qk+qk]
		lo, hi := minMax(xb)
		d := (hi - lo) / 31
		id := inv(d)
		dst[i].D, dst[i].M = toFP16(d), toFP16(lo)
		var qh uint32
		for j := range qk / 2 {
			x0 := uint32(uint8(float32((xb[j]-lo)*id) + 0.5))
			x1 := uint32(uint8(float32((xb[j+qk/2]-lo)*id) + 0.5))
			dst[i].Qs[j] = byte(x0&0xf) | byte(x1&0xf)<<4
			qh |= (x0 & 0x10) >> 4 << j
			qh |= (x1 & 0x10) >> 4 << (j + qk/2)
		}
		binary.LittleEndian.PutUint32(dst[i].Qh[:], qh)
	}
}

func dequantizeQ5_1Generic(y []float32, x []blockQ5_1) {
	for i := range x {
		d, m := fp16(x[i].D), fp16(x[i].M)
		qh := binary.LittleEndian.Uint32(x[i].Qh[:])
		for j, q := range x[i].Qs {
			h0 := (qh >> j << 4) & 0x10
			h1 := (qh >> (j + 12)) & 0x10
			y[i*qk+j] = float32(float32(uint32(q&0xf)|h0)*d) + m
			y[i*qk+j+qk/2] = float32(float32(uint32(q>>4)|h1)*d) + m
		}
	}
}

// quantizeQ8_0Generic is ggml's quantize_row_q8_0_ref, used for weights:
// scale 1/(amax/127), roundf.
func quantizeQ8_0Generic(dst []blockQ8_0, x []float32) {
	for i := range dst {
		xb := x[i*qk : i*qk+qk]
		amax, _ := absMax(xb)
		d := amax / 127
		id := inv(d)
		dst[i].D = toFP16(d)
		for j, v := range xb {
			dst[i].Qs[j] = int8(roundHalfAway(v * id))
		}
	}
}

// quantizeActQ8_0Generic quantizes activations for a q8_0 dot as ggml-cpu
// does on x86: scale 127/amax, rounding halves to even.
func quantizeActQ8_0Generic(dst []blockQ8_0, x []float32) {
	for i := range dst {
		xb := x[i*qk : i*qk+qk]
		amax, _ := absMax(xb)
		dst[i].D = toFP16(amax / 127)
		id := float32(0)
		if amax != 0 {
			id = 127 / amax
		}
		for j, v := range xb {
			dst[i].Qs[j] = int8(roundHalfEven(v * id))
		}
	}
}

func dequantizeQ8_0Generic(y []float32, x []blockQ8_0) {
	for i := range x {
		d := fp16(x[i].D)
		for j, q := range x[i].Qs {
			y[i*qk+j] = float32(q) * d
		}
	}
}

// quantizeQ8_1Generic is ggml's quantize_row_q8_1_ref.
func quantizeQ8_1Generic(dst []blockQ8_1, x []float32) {
	for i := range dst {
		xb := x[i*qk : i*qk+qk]
		amax, _ := absMax(xb)
		d := amax / 127
		id := inv(d)
		var sum int32
		for j, v := range xb {
			q := int8(roundHalfAway(v * id))
			dst[i].Qs[j] = q
			sum += int32(q)
		}
		dst[i].D, dst[i].S = toFP16(d), toFP16(float32(sum)*d)
	}
}

// quantizeActQ8_1Generic is ggml-cpu's x86 quantize_row_q8_1.
func quantizeActQ8_1Generic(dst []blockQ8_1, x []float32) {
	for i := range dst {
		xb := x[i*qk : i*qk+qk]
		amax, _ := absMax(xb)
		d := amax / 127
		id := float32(0)
		if amax != 0 {
			id = 127 / amax
		}
		var sum int32
		for j, v := range xb {
			q := int8(roundHalfEven(v * id))
			dst[i].Qs[j] = q
			sum += int32(q)
		}
		dst[i].D, dst[i].S = toFP16(d), toFP16(d*float32(sum))
	}
}

func dequantizeQ8_1Generic(y []float32, x []blockQ8_1) {
	for i := range x {
		d := fp16(x[i].D)
		for j, q := range x[i].Qs {
			y[i*qk+j] = float32(q) * d
		}
	}
}

// The dots compute in the order of ggml-cpu's x86 kernels, so that they
// give llama.cpp's numbers bit for bit and the SIMD versions can equal them
// exactly: per block, exact integer sums in 8 lanes of 4 elements (what
// VPDPBUSD or PMADDUBSW+PMADDWD produce), one float32 FMA per lane with the
// block's scale, and the lanes added in hsum8's tree at the end.

func dotQ4_0Q8_0Generic(x []blockQ4_0, y []blockQ8_0) float32 {
	var acc lanes8
	var qx [qk]int8
	for i := range x {
		for j, q := range x[i].Qs {
			qx[j], qx[j+qk/2] = int8(q&0xf)-8, int8(q>>4)-8
		}
		acc.fma(fp16(x[i].D)*fp16(y[i].D), &qx, &y[i].Qs)
	}
	return acc.sum()
}

func dotQ4_1Q8_1Generic(x []blockQ4_1, y []blockQ8_1) float32 {
	var acc lanes8
	var summs float32
	var qx [qk]int8
	for i := range x {
		summs += float32(fp16(x[i].M) * fp16(y[i].S))
		for j, q := range x[i].Qs {
			qx[j], qx[j+qk/2] = int8(q&0xf), int8(q>>4)
		}
		acc.fma(fp16(x[i].D)*fp16(y[i].D), &qx, &y[i].Qs)
	}
	return acc.sum() + summs
}

func dotQ5_0Q8_0Generic(x []blockQ5_0, y []blockQ8_0) float32 {
	var acc lanes8
	var qx [qk]int8
	for i := range x {
		qh := binary.LittleEndian.Uint32(x[i].Qh[:])
		for j, q := range x[i].Qs {
			qx[j] = int8(uint32(q&0xf)|(qh>>j<<4)&0x10) - 16
			qx[j+qk/2] = int8(uint32(q>>4)|(qh>>(j+12))&0x10) - 16
		}
		acc.fma(fp16(x[i].D)*fp16(y[i].D), &qx, &y[i].Qs)
	}
	return acc.sum()
}

func dotQ5_1Q8_1Generic(x []blockQ5_1, y []blockQ8_1) float32 {
	var acc lanes8
	var summs float32
	var qx [qk]int8
	for i := range x {
		summs += float32(fp16(x[i].M) * fp16(y[i].S))
		qh := binary.LittleEndian.Uint32(x[i].Qh[:])
		for j, q := range x[i].Qs {
			qx[j] = int8(uint32(q&0xf) | (qh>>j<<4)&0x10)
			qx[j+qk/2] = int8(uint32(q>>4) | (qh>>(j+12))&0x10)
		}
		acc.fma(fp16(x[i].D)*fp16(y[i].D), &qx, &y[i].Qs)
	}
	return acc.sum() + summs
}

func dotQ8_0Q8_0Generic(x []blockQ8_0, y []blockQ8_0) float32 {
	var acc lanes8
	for i := range x {
		acc.fma(fp16(x[i].D)*fp16(y[i].D), &x[i].Qs, &y[i].Qs)
	}
	return acc.sum()
}
