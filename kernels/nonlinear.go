package kernels

import "math"

// Non-linear and ternary quants: iq4_nl, iq4_xs, mxfp4, tq1_0, tq2_0.

// kvaluesIQ4NL are ggml's 16 iq4_nl levels.
var kvaluesIQ4NL = [16]int8{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}

// kvaluesMXFP4 are the E2M1 values doubled (the scale is halved to match).
var kvaluesMXFP4 = [16]int8{0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12}

// bestIndexInt8 is ggml's best_index_int8: the nearest of the sorted levels,
// the upper one on an exact midpoint (compared exactly, 2x against the sum).
func bestIndexInt8(vals *[16]int8, x float32) int {
	x2 := x + x
	idx := 0
	for step := 8; step > 0; step >>= 1 {
		if j := idx + step; x2 >= float32(int32(vals[j-1])+int32(vals[j])) {
			idx = j
		}
	}
	return idx
}

// quantizeIQ4Impl is ggml's quantize_row_iq4_nl_impl without importance
// weights, for one super-block of 32 (iq4_nl) or 256 (iq4_xs) values:
// per 32-value block, a weighted fit of the scale over 2·ntry+1 candidate
// scales (none when ntry < 0), then for 256 a 6-bit scale per block.
func quantizeIQ4Impl(x []float32, ntry int, dh *uint16, q4 []byte, scalesH *uint16, scalesL []byte) {
	var L [qkK]uint8
	var weight [32]float32
	var scales [qkK / 32]float32
	nb := len(x) / 32
	clear(q4)
	*dh = toFP16(0)
	var maxScale, amaxScale float32
	for ib := range nb {
		xb := x[32*ib : 32*ib+32]
		Lb := L[32*ib : 32*ib+32]
		for j, v := range xb {
			weight[j] = v * v
		}
		amax, max := absMax(xb)
		if amax < groupMaxEps {
			scales[ib] = 0
			clear(Lb)
			continue
		}
		v0 := float32(kvaluesIQ4NL[0])
		d := max / v0
		if ntry > 0 {
			d = -max / v0
		}
		id := 1 / d
		var sumqx, sumq2 float32
		for j, v := range xb {
			l := bestIndexInt8(&kvaluesIQ4NL, id*v)
			Lb[j] = uint8(l)
			q := float32(kvaluesIQ4NL[l])
			w := weight[j]
			sumqx += float32(w * q * v)
			sumq2 += float32(w * q * q)
		}
		d = 0
		if sumq2 > 0 {
			d = sumqx / sumq2
		}
		best := d * sumqx
		for itry := -ntry; itry <= ntry; itry++ {
			id = float32(itry+int(kvaluesIQ4NL[0])) / max
			sumqx, sumq2 = 0, 0
			for j, v := range xb {
				q := float32(kvaluesIQ4NL[bestIndexInt8(&kvaluesIQ4NL, id*v)])
				w := weight[j]
				sumqx += float32(w * q * v)
				sumq2 += float32(w * q * q)
			}
			if sumq2 > 0 && float32(sumqx*sumqx) > float32(best*sumq2) {
				d = sumqx / sumq2
				best = d * sumqx
			}
		}
		scales[ib] = d
		if a := abs32(d); a > amaxScale {
			amaxScale, maxScale = a, d
		}
	}
	if nb > 1 {
		*scalesH = 0
		d := -maxScale / 32
		*dh = toFP16(d)
		id := inv(d)
		for ib := range nb {
			l := clampInt(nearestInt(id*scales[ib]), -32, 31)
			dl := d * float32(l)
			idl := inv(dl)
			for j, v := range x[32*ib : 32*ib+32] {
				L[32*ib+j] = uint8(bestIndexInt8(&kvaluesIQ4NL, idl*v))
			}
			l += 32
			lo, hi := uint8(l&0xf), uint16(l>>4)
			if ib%2 == 0 {
				scalesL[ib/2] = lo
			} else {
				scalesL[ib/2] |= lo << 4
			}
			*scalesH |= hi << (2 * (ib % 8))
		}
	} else {
		*dh = toFP16(scales[0])
		if ntry > 0 {
			id := inv(scales[0])
			for j, v := range x {
				L[j] = uint8(bestIndexInt8(&kvaluesIQ4NL, id*v))
			}
		}
	}
	for i := range len(x) / 32 {
		for j := range 16 {
			q4[16*i+j] = L[32*i+j] | L[32*i+16+j]<<4
		}
	}
}

// quantizeIQ4_NLGeneric is ggml's quantize_iq4_nl (what ggml_quantize_chunk
// runs): 7 search steps each side.
func quantizeIQ4_NLGeneric(dst []blockIQ4_NL, x []float32) {
	var unusedH uint16
	for i := range dst {
		quantizeIQ4Impl(x[32*i:32*i+32], 7, &dst[i].D, dst[i].Qs[:], &unusedH, nil)
	}
}

func dequantizeIQ4_NLGeneric(y []float32, x []blockIQ4_NL) {
	for i := range x {
		d := fp16(x[i].D)
		for j, q := range x[i].Qs {
			y[32*i+j] = d * float32(kvaluesIQ4NL[q&0xf])
			y[32*i+j+16] = d * float32(kvaluesIQ4NL[q>>4])
		}
	}
}

// nl4Kernel is one of the 4-bit table types (iq4_nl, mxfp4) for dotNL4:
// a block's scale and its 32 values.
type nl4Kernel struct {
	scale  func(i int) float32
	values func(i int, q *[32]int8)
}

// dotNL4 is ggml's AVX2 dot of the 4-bit table types: pairs of blocks
// into two accumulators, added lane by lane and folded, then dotNL4Tail
// for an odd last block.
func dotNL4(nb int, k nl4Kernel, y []blockQ8_0) float32 {
	var acc1, acc2 lanes8
	var q [32]int8
	ib := 0
	for ; ib+1 < nb; ib += 2 {
		k.values(ib, &q)
		acc1.fma(k.scale(ib), &q, &y[ib].Qs)
		k.values(ib+1, &q)
		acc2.fma(k.scale(ib+1), &q, &y[ib+1].Qs)
	}
	var both lanes8
	for l := range both {
		both[l] = acc1[l] + acc2[l]
	}
	return dotNL4Tail(both.sum(), ib, nb, k, y)
}

// dotNL4Tail adds blocks ib.. to sum as ggml's scalar tail does: an exact
// integer sum, then sumf += d*sumi, which C compilers contract to a fused
// multiply-add where the target has FMA (as the x86 reference builds do).
func dotNL4Tail(sum float32, ib, nb int, k nl4Kernel, y []blockQ8_0) float32 {
	var q [32]int8
	for ; ib < nb; ib++ {
		k.values(ib, &q)
		var s int32
		for j := range 32 {
			s += int32(q[j]) * int32(y[ib].Qs[j])
		}
		sum = fma32(k.scale(ib), float32(s), sum)
	}
	return sum
}

func iq4nlKernel(x []blockIQ4_NL, y []blockQ8_0) nl4Kernel {
	return nl4Kernel{
		scale: func(i int) float32 { return fp16(y[i].D) * fp16(x[i].D) },
		values: func(i int, q *[32]int8) {
			for j, b := range x[i].Qs {
				q[j], q[j+16] = kvaluesIQ4NL[b&0xf], kvaluesIQ4NL[b>>4]
			}
		},
	}
}

func mxfp4Kernel(x []blockMXFP4, y []blockQ8_0) nl4Kernel {
	return nl4Kernel{
		scale: func(i int) float32 { return e8m0Half(x[i].E) * fp16(y[i].D) },
		values: func(i int, q *[32]int8) {
			for j, b := range x[i].Qs {
				q[j], q[j+16] = kvaluesMXFP4[b&0xf], kvaluesMXFP4[b>>4]
			}
		},
	}
}

func dotIQ4_NLQ8_0Generic(x []blockIQ4_NL, y []blockQ8_0) float32 {
	return dotNL4(len(x), iq4nlKernel(x, y), y)
}

func quantizeIQ4_XSGeneric(dst []blockIQ4_XS, x []float32) {
	for i := range dst {
		quantizeIQ4Impl(x[qkK*i:qkK*(i+1)], 7, &dst[i].D, dst[i].Qs[:], &dst[i].ScalesH, dst[i].ScalesL[:])
	}
}

// iq4xsScale is the 6-bit scale of 32-value block ib, minus 32.
func iq4xsScale(b *blockIQ4_XS, ib int) int32 {
	return int32((b.ScalesL[ib/2]>>(4*(ib%2)))&0xf|uint8((b.ScalesH>>(2*ib))&3)<<4) - 32
}

func dequantizeIQ4_XSGeneric(y []float32, x []blockIQ4_XS) {
	for i := range x {
		d := fp16(x[i].D)
		for ib := range qkK / 32 {
			dl := d * float32(iq4xsScale(&x[i], ib))
			out := y[qkK*i+32*ib:]
			for j, q := range x[i].Qs[16*ib : 16*ib+16] {
				out[j] = dl * float32(kvaluesIQ4NL[q&0xf])
				out[j+16] = dl * float32(kvaluesIQ4NL[q>>4])
			}
		}
	}
}

func dotIQ4_XSQ8_KGeneric(x []blockIQ4_XS, y []blockQ8_K) float32 {
	var acc lanes8
	var q [qkK]int8
	var sc [16]int32
	for i := range x {
		for ib := range qkK / 32 {
			s := iq4xsScale(&x[i], ib)
			sc[2*ib], sc[2*ib+1] = s, s
			for j, b := range x[i].Qs[16*ib : 16*ib+16] {
				q[32*ib+j], q[32*ib+16+j] = kvaluesIQ4NL[b&0xf], kvaluesIQ4NL[b>>4]
			}
		}
		lanes := kLanesSigned(&q, &y[i].Qs, &sc)
		acc.fmaLanes(fp16(x[i].D)*y[i].D, &lanes)
	}
	return acc.sum()
}

// e8m0Half is ggml's GGML_E8M0_TO_FP32_HALF: 2^(e-128), denormal for e < 2.
func e8m0Half(e uint8) float32 {
	if e < 2 {
		return math.Float32frombits(0x00200000 << e)
	}
	return math.Float32frombits(uint32(e-1) << 23)
}

func quantizeMXFP4Generic(dst []blockMXFP4, x []float32) {
	for i := range dst {
		xb := x[32*i : 32*i+32]
		amax, _ := absMax(xb)
		var e uint8
		if amax > 0 {
			e = uint8(int32(math.Floor(float64(float32(math.Log2(float64(amax)))))) - 2 + 127)
		}
		d := e8m0Half(e)
		dst[i].E = e
		best := func(v float32) byte {
			bi, be := 0, abs32(float32(kvaluesMXFP4[0])*d-v)
			for k := 1; k < 16; k++ {
				if err := abs32(float32(kvaluesMXFP4[k])*d - v); err < be {
					bi, be = k, err
				}
			}
			return byte(bi)
		}
		for j := range 16 {
			dst[i].Qs[j] = best(xb[j]) | best(xb[j+16])<<4
		}
	}
}

func dequantizeMXFP4Generic(y []float32, x []blockMXFP4) {
	for i := range x {
		d := e8m0Half(x[i].E)
		for j, q := range x[i].Qs {
			y[32*i+j] = float32(kvaluesMXFP4[q&0xf]) * d
			y[32*i+j+16] = float32(kvaluesMXFP4[q>>4]) * d
		}
	}
}

func dotMXFP4Q8_0Generic(x []blockMXFP4, y []blockQ8_0) float32 {
	return dotNL4(len(x), mxfp4Kernel(x, y), y)
}

// Ternary quants. lroundf rounds halves away from zero.
func lround(x float32) int32 { return int32(math.Round(float64(x))) }

var pow3 = [6]uint8{1, 3, 9, 27, 81, 243}

// trit extracts the ternary digit held in the top of q×3 (0, 1 or 2).
func trit(q uint8) int8 { return int8((uint16(q) * 3) >> 8) }

func quantizeTQ1_0Generic(dst []blockTQ1_0, x []float32) {
	for i := range dst {
		xb := x[qkK*i : qkK*(i+1)]
		amax, _ := absMax(xb)
		d := amax
		id := inv(d)
		dst[i].D = toFP16(d)
		pack := func(vals []float32, stride, n int) uint8 {
			var q uint8
			for k := range n {
				q = q*3 + uint8(lround(vals[k*stride]*id)+1)
			}
			return q
		}
		ceil243 := func(q uint8) uint8 { return uint8((uint16(q)*256 + 242) / 243) }
		for m := range 32 {
			dst[i].Qs[m] = ceil243(pack(xb[m:], 32, 5))
		}
		for m := range 16 {
			dst[i].Qs[32+m] = ceil243(pack(xb[160+m:], 16, 5))
		}
		for j := range 4 {
			dst[i].Qh[j] = ceil243(pack(xb[240+j:], 4, 4) * 3)
		}
	}
}

// tq1Trits writes the 256 digits (0, 1, 2) of a tq1_0 block in element order.
func tq1Trits(t *[qkK]int8, b *blockTQ1_0) {
	for n := range 5 {
		for m := range 32 {
			t[32*n+m] = trit(b.Qs[m] * pow3[n])
		}
		for m := range 16 {
			t[160+16*n+m] = trit(b.Qs[32+m] * pow3[n])
		}
	}
	for n := range 4 {
		for j := range 4 {
			t[240+4*n+j] = trit(b.Qh[j] * pow3[n])
		}
	}
}

func dequantizeTQ1_0Generic(y []float32, x []blockTQ1_0) {
	var t [qkK]int8
	for i := range x {
		d := fp16(x[i].D)
		tq1Trits(&t, &x[i])
		for e, v := range t {
			y[qkK*i+e] = float32(v-1) * d
		}
	}
}

func quantizeTQ2_0Generic(dst []blockTQ2_0, x []float32) {
	for i := range dst {
		xb := x[qkK*i : qkK*(i+1)]
		amax, _ := absMax(xb)
		id := inv(amax)
		dst[i].D = toFP16(amax)
		for j := 0; j < qkK/4; j += 32 {
			for m := range 32 {
				var q uint8
				for n := range 4 {
					q += uint8((lround(xb[4*j+m+32*n]*id)+1)&3) << (2 * n)
				}
				dst[i].Qs[j+m] = q
			}
		}
	}
}

func tq2Trits(t *[qkK]int8, b *blockTQ2_0) {
	for j := 0; j < qkK/4; j += 32 {
		for l := range 4 {
			for m := range 32 {
				t[4*j+32*l+m] = int8((b.Qs[j+m] >> (2 * l)) & 3)
			}
		}
	}
}

func dequantizeTQ2_0Generic(y []float32, x []blockTQ2_0) {
	var t [qkK]int8
	for i := range x {
		d := fp16(x[i].D)
		tq2Trits(&t, &x[i])
		for e, v := range t {
			y[qkK*i+e] = float32(v-1) * d
		}
	}
}

// ternaryDot is the x86 order of both ternary dots: digit×activation lane
// sums with each lane's two bsums subtracted (so −1, 0, +1 come out), then
// float lanes accumulated with the block scale.
func ternaryDot(nb int, trits func(i int, t *[qkK]int8), d func(i int) float32, y []blockQ8_K) float32 {
	var acc lanes8
	var t [qkK]int8
	ones := [16]int32{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	for i := range nb {
		trits(i, &t)
		lanes := kLanes(&t, &y[i].Qs, &ones)
		for k := range lanes {
			lanes[k] -= int32(y[i].Bsums[2*k]) + int32(y[i].Bsums[2*k+1])
		}
		acc.fmaLanes(d(i), &lanes)
	}
	return acc.sum()
}

func dotTQ1_0Q8_KGeneric(x []blockTQ1_0, y []blockQ8_K) float32 {
	return ternaryDot(len(x), func(i int, t *[qkK]int8) { tq1Trits(t, &x[i]) },
		func(i int) float32 { return y[i].D * fp16(x[i].D) }, y)
}

func dotTQ2_0Q8_KGeneric(x []blockTQ2_0, y []blockQ8_K) float32 {
	return ternaryDot(len(x), func(i int, t *[qkK]int8) { tq2Trits(t, &x[i]) },
		func(i int) float32 { return y[i].D * fp16(x[i].D) }, y)
}
