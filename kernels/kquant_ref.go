package kernels

import "math"

// The k-quant weight quantizers, as ggml's quantize_row_qN_K_ref (no
// importance matrix). Every float operation keeps ggml's order and
// float32 rounding; float32() around a product marks a rounding point that
// must not be fused into an FMA.

// groupMaxEps is ggml's GROUP_MAX_EPS: below it a group counts as all zero.
const groupMaxEps = 1e-15

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

func clampInt(l, lo, hi int32) int32 { return max(lo, min(hi, l)) }

// makeQXQuants is ggml's make_qx_quants with rmse_type 1 and no weights:
// symmetric quantization to [-nmax, nmax-1] with a search over 18 nearby
// scales, weighting errors by x². L receives l + nmax.
func makeQXQuants(nmax int32, x []float32, L []int8) float32 {
	amax, max := absMax(x)
	if amax < groupMaxEps {
		clear(L)
		return 0
	}
	fmax := float32(nmax)
	iscale := -fmax / max
	var sumlx, suml2 float32
	for i, v := range x {
		l := clampInt(nearestInt(iscale*v), -nmax, nmax-1)
		L[i] = int8(l + nmax)
		w := v * v
		fl := float32(l)
		sumlx += float32(w * v * fl)
		suml2 += float32(w * fl * fl)
	}
	scale := float32(0)
	if suml2 != 0 {
		scale = sumlx / suml2
	}
	best := scale * sumlx
	for is := int32(-9); is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale = -(fmax + float32(0.1*float32(is))) / max
		sumlx, suml2 = 0, 0
		for _, v := range x {
			l := float32(clampInt(nearestInt(iscale*v), -nmax, nmax-1))
			w := v * v
			sumlx += float32(w * v * l)
			suml2 += float32(w * l * l)
		}
		if suml2 > 0 && float32(sumlx*sumlx) > float32(best*suml2) {
			for i, v := range x {
				L[i] = int8(nmax + clampInt(nearestInt(iscale*v), -nmax, nmax-1))
			}
			scale = sumlx / suml2
			best = scale * sumlx
		}
	}
	return scale
}

// makeQ3Quants is ggml's make_q3_quants with do_rmse: start from the
// max-based scale, then move single quants while the weighted fit improves.
// L receives l + nmax.
func makeQ3Quants(nmax int32, x []float32, L []int8) float32 {
	amax, max := absMax(x)
	if amax < groupMaxEps {
		clear(L)
		return 0
	}
	iscale := -float32(nmax) / max
	var sumlx, suml2 float32
	for i, v := range x {
		l := clampInt(nearestInt(iscale*v), -nmax, nmax-1)
		L[i] = int8(l)
		w := v * v
		fl := float32(l)
		sumlx += float32(w * v * fl)
		suml2 += float32(w * fl * fl)
	}
	for range 5 {
		changed := 0
		for i, v := range x {
			w := v * v
			li := float32(L[i])
			slx := sumlx - float32(w*v*li)
			if slx > 0 {
				sl2 := suml2 - float32(w*li*li)
				newL := clampInt(nearestInt(v*sl2/slx), -nmax, nmax-1)
				if newL != int32(L[i]) {
					fl := float32(newL)
					slx += float32(w * v * fl)
					sl2 += float32(w * fl * fl)
					if sl2 > 0 && float32(slx*slx)*suml2 > float32(sumlx*sumlx)*sl2 {
						L[i], sumlx, suml2 = int8(newL), slx, sl2
						changed++
					}
				}
			}
		}
		if changed == 0 {
			break
		}
	}
	for i := range L[:len(x)] {
		L[i] += int8(nmax)
	}
	if suml2 > 0 {
		return sumlx / suml2
	}
	return 0
}

// makeQKX2Quants is ggml's make_qkx2_quants: asymmetric quantization to
// [0, nmax] with a min, searching nstep+1 scales and solving the weighted
// least-squares fit for each. It returns the scale and -min.
func makeQKX2Quants(nmax int32, x, weights []float32, L, Laux []uint8, rmin, rdelta float32, nstep int, useMAD bool) (scale, negMin float32) {
	n := len(x)
	lo, hi := x[0], x[0]
	sumW := weights[0]
	sumX := sumW * x[0]
	for i := 1; i < n; i++ {
		if x[i] < lo {
			lo = x[i]
		}
		if x[i] > hi {
			hi = x[i]
		}
		w := weights[i]
		sumW += w
		sumX += float32(w * x[i])
	}
	if lo > 0 {
		lo = 0
	}
	if hi == lo {
		clear(L[:n])
		return 0, -lo
	}
	fmax := float32(nmax)
	iscale := fmax / (hi - lo)
	scale = 1 / iscale
	errOf := func(diff float32) float32 {
		if useMAD {
			return abs32(diff)
		}
		return diff * diff
	}
	var bestErr float32
	for i := range n {
		l := clampInt(nearestInt(iscale*(x[i]-lo)), 0, nmax)
		L[i] = uint8(l)
		diff := float32(scale*float32(l)) + lo - x[i]
		bestErr += float32(weights[i] * errOf(diff))
	}
	if nstep < 1 {
		return scale, -lo
	}
	for is := range nstep + 1 {
		iscale = (rmin + float32(rdelta*float32(is)) + fmax) / (hi - lo)
		var sumL, sumL2, sumXL float32
		for i := range n {
			l := clampInt(nearestInt(iscale*(x[i]-lo)), 0, nmax)
			Laux[i] = uint8(l)
			w := weights[i]
			fl := float32(l)
			sumL += float32(w * fl)
			sumL2 += float32(w * fl * fl)
			sumXL += float32(w * fl * x[i])
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if D > 0 {
			thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
			thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
			if thisMin > 0 {
				thisMin = 0
				thisScale = sumXL / sumL2
			}
			var curErr float32
			for i := range n {
				diff := float32(thisScale*float32(Laux[i])) + thisMin - x[i]
				curErr += float32(weights[i] * errOf(diff))
			}
			if curErr < bestErr {
				copy(L[:n], Laux[:n])
				bestErr, scale, lo = curErr, thisScale, thisMin
			}
		}
	}
	return scale, -lo
}

// scaleMinK4 unpacks sub-block j's 6-bit scale and min (get_scale_min_k4).
func scaleMinK4(j int, q *[12]byte) (d, m uint8) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return q[j+4]&0xf | (q[j-4]>>6)<<4, q[j+4]>>4 | (q[j]>>6)<<4
}

// packScaleMinK4 stores sub-block j's 6-bit scale and min.
func packScaleMinK4(j int, q *[12]byte, ls, lm uint8) {
	if j < 4 {
		q[j], q[j+4] = ls, lm
		return
	}
	q[j+4] = ls&0xf | (lm&0xf)<<4
	q[j-4] |= (ls >> 4) << 6
	q[j] |= (lm >> 4) << 6
}

// pack2Bits stores 256 2-bit values as q2_K and q3_K do: byte l of each
// 32-byte group holds elements l, l+32, l+64, l+96 of its 128.
func pack2Bits(qs *[qkK / 4]byte, L *[qkK]uint8) {
	for j := 0; j < qkK; j += 128 {
		for l := range 32 {
			qs[j/4+l] = L[j+l] | L[j+l+32]<<2 | L[j+l+64]<<4 | L[j+l+96]<<6
		}
	}
}

func quantizeQ2_KGeneric(dst []blockQ2_K, x []float32) {
	var L [qkK]uint8
	var Laux [16]uint8
	var weights [16]float32
	var mins, scales [qkK / 16]float32
	const q4scale = 15
	for i := range dst {
		y := &dst[i]
		xb := x[i*qkK : (i+1)*qkK]
		var maxScale, maxMin float32
		for j := range qkK / 16 {
			for l := range 16 {
				weights[l] = abs32(xb[16*j+l])
			}
			scales[j], mins[j] = makeQKX2Quants(3, xb[16*j:16*j+16], weights[:], L[16*j:], Laux[:], -0.5, 0.1, 15, true)
			maxScale, maxMin = max(maxScale, scales[j]), max(maxMin, mins[j])
		}
		if maxScale > 0 {
			iscale := q4scale / maxScale
			for j := range qkK / 16 {
				y.Scales[j] = uint8(nearestInt(iscale * scales[j]))
			}
			y.D = toFP16(maxScale / q4scale)
		} else {
			clear(y.Scales[:])
			y.D = toFP16(0)
		}
		if maxMin > 0 {
			iscale := q4scale / maxMin
			for j := range qkK / 16 {
				y.Scales[j] |= uint8(nearestInt(iscale*mins[j])) << 4
			}
			y.Dmin = toFP16(maxMin / q4scale)
		} else {
			y.Dmin = toFP16(0)
		}
		for j := range qkK / 16 {
			d := fp16(y.D) * float32(y.Scales[j]&0xf)
			if d == 0 {
				continue
			}
			dm := fp16(y.Dmin) * float32(y.Scales[j]>>4)
			for ii := range 16 {
				L[16*j+ii] = uint8(clampInt(nearestInt((xb[16*j+ii]+dm)/d), 0, 3))
			}
		}
		pack2Bits(&y.Qs, &L)
	}
}

func quantizeQ3_KGeneric(dst []blockQ3_K, x []float32) {
	var L [qkK]int8
	var scales [qkK / 16]float32
	for i := range dst {
		y := &dst[i]
		xb := x[i*qkK : (i+1)*qkK]
		var maxScale, amax float32
		for j := range qkK / 16 {
			scales[j] = makeQ3Quants(4, xb[16*j:16*j+16], L[16*j:16*j+16])
			if s := abs32(scales[j]); s > amax {
				amax, maxScale = s, scales[j]
			}
		}
		clear(y.Scales[:])
		if maxScale != 0 {
			iscale := -32 / maxScale
			for j := range qkK / 16 {
				l := clampInt(int32(int8(nearestInt(iscale*scales[j]))), -32, 31) + 32
				if j < 8 {
					y.Scales[j] = uint8(l & 0xf)
				} else {
					y.Scales[j-8] |= uint8(l&0xf) << 4
				}
				y.Scales[j%4+8] |= uint8(l>>4) << (2 * (j / 4))
			}
			y.D = toFP16(1 / iscale)
		} else {
			y.D = toFP16(0)
		}
		sc := q3KScales(&y.Scales)
		for j := range qkK / 16 {
			d := fp16(y.D) * float32(sc[j])
			if d == 0 {
				continue
			}
			for ii := range 16 {
				L[16*j+ii] = int8(clampInt(nearestInt(xb[16*j+ii]/d), -4, 3) + 4)
			}
		}
		clear(y.Hmask[:])
		var Lu [qkK]uint8
		m, hm := 0, uint8(1)
		for j := range qkK {
			Lu[j] = uint8(L[j])
			if Lu[j] > 3 {
				y.Hmask[m] |= hm
				Lu[j] -= 4
			}
			if m++; m == qkK/8 {
				m, hm = 0, hm<<1
			}
		}
		pack2Bits(&y.Qs, &Lu)
	}
}

// q3KScales unpacks the sixteen 6-bit scales of a q3_K block, minus 32.
func q3KScales(s *[12]byte) [16]int8 {
	var out [16]int8
	for j := range 16 {
		var lo uint8
		if j < 8 {
			lo = s[j] & 0xf
		} else {
			lo = s[j-8] >> 4
		}
		out[j] = int8(lo|((s[8+j%4]>>(2*(j/4)))&3)<<4) - 32
	}
	return out
}

// quantizeQ4_KGeneric and quantizeQ5_KGeneric share everything but nmax and
// the search range; emit stores the final levels.
func quantizeKx8(x []float32, nmax int32, rmin float32, nstep int, d, dmin *uint16, sc *[12]byte, L *[qkK]uint8) {
	var Laux [32]uint8
	var weights [32]float32
	var mins, scales [qkK / 32]float32
	var maxScale, maxMin float32
	for j := range qkK / 32 {
		xs := x[32*j : 32*j+32]
		var sumX2 float32
		for _, v := range xs {
			sumX2 += float32(v * v)
		}
		avX := sqrt32(sumX2 / 32)
		for l, v := range xs {
			weights[l] = avX + abs32(v)
		}
		scales[j], mins[j] = makeQKX2Quants(nmax, xs, weights[:], L[32*j:], Laux[:], rmin, 0.1, nstep, false)
		maxScale, maxMin = max(maxScale, scales[j]), max(maxMin, mins[j])
	}
	var invScale, invMin float32
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	clear(sc[:])
	for j := range qkK / 32 {
		ls := min(63, uint8(nearestInt(invScale*scales[j])))
		lm := min(63, uint8(nearestInt(invMin*mins[j])))
		packScaleMinK4(j, sc, ls, lm)
	}
	*d, *dmin = toFP16(maxScale/63), toFP16(maxMin/63)
	for j := range qkK / 32 {
		s, m := scaleMinK4(j, sc)
		dj := fp16(*d) * float32(s)
		if dj == 0 {
			continue
		}
		dm := fp16(*dmin) * float32(m)
		for ii := range 32 {
			L[32*j+ii] = uint8(clampInt(nearestInt((x[32*j+ii]+dm)/dj), 0, nmax))
		}
	}
}

func quantizeQ4_KGeneric(dst []blockQ4_K, x []float32) {
	var L [qkK]uint8
	for i := range dst {
		y := &dst[i]
		quantizeKx8(x[i*qkK:(i+1)*qkK], 15, -1, 20, &y.D, &y.Dmin, &y.Scales, &L)
		for j := 0; j < qkK; j += 64 {
			for l := range 32 {
				y.Qs[j/2+l] = L[j+l] | L[j+l+32]<<4
			}
		}
	}
}

func quantizeQ5_KGeneric(dst []blockQ5_K, x []float32) {
	var L [qkK]uint8
	for i := range dst {
		y := &dst[i]
		quantizeKx8(x[i*qkK:(i+1)*qkK], 31, -0.5, 15, &y.D, &y.Dmin, &y.Scales, &L)
		clear(y.Qh[:])
		m1, m2 := uint8(1), uint8(2)
		for n := 0; n < qkK; n += 64 {
			for j := range 32 {
				l1, l2 := L[n+j], L[n+j+32]
				if l1 > 15 {
					l1 -= 16
					y.Qh[j] |= m1
				}
				if l2 > 15 {
					l2 -= 16
					y.Qh[j] |= m2
				}
				y.Qs[n/2+j] = l1 | l2<<4
			}
			m1, m2 = m1<<2, m2<<2
		}
	}
}

func quantizeQ6_KGeneric(dst []blockQ6_K, x []float32) {
	var L [qkK]int8
	var scales [qkK / 16]float32
	for i := range dst {
		y := &dst[i]
		xb := x[i*qkK : (i+1)*qkK]
		var maxScale, maxAbs float32
		for ib := range qkK / 16 {
			scales[ib] = makeQXQuants(32, xb[16*ib:16*ib+16], L[16*ib:16*ib+16])
			if a := abs32(scales[ib]); a > maxAbs {
				maxAbs, maxScale = a, scales[ib]
			}
		}
		if maxAbs < groupMaxEps {
			*y = blockQ6_K{}
			continue
		}
		iscale := -128 / maxScale
		y.D = toFP16(1 / iscale)
		for ib := range qkK / 16 {
			y.Scales[ib] = int8(min(127, nearestInt(iscale*scales[ib])))
		}
		for j := range qkK / 16 {
			d := fp16(y.D) * float32(y.Scales[j])
			if d == 0 {
				continue
			}
			for ii := range 16 {
				L[16*j+ii] = int8(clampInt(nearestInt(xb[16*j+ii]/d), -32, 31) + 32)
			}
		}
		for j := 0; j < qkK; j += 128 {
			ql, qh := y.Ql[j/2:], y.Qh[j/4:]
			for l := range 32 {
				q1, q2 := uint8(L[j+l])&0xf, uint8(L[j+l+32])&0xf
				q3, q4 := uint8(L[j+l+64])&0xf, uint8(L[j+l+96])&0xf
				ql[l], ql[l+32] = q1|q3<<4, q2|q4<<4
				qh[l] = uint8(L[j+l])>>4 | (uint8(L[j+l+32])>>4)<<2 | (uint8(L[j+l+64])>>4)<<4 | (uint8(L[j+l+96])>>4)<<6
			}
		}
	}
}

// quantizeQ8_KGeneric is ggml's quantize_row_q8_K_ref, the activation
// quantizer of the k-quant dots.
func quantizeQ8_KGeneric(dst []blockQ8_K, x []float32) {
	for i := range dst {
		y := &dst[i]
		xb := x[i*qkK : (i+1)*qkK]
		amax, max := absMax(xb)
		if amax == 0 {
			*y = blockQ8_K{}
			continue
		}
		iscale := -127 / max
		for j, v := range xb {
			y.Qs[j] = int8(min(127, nearestInt(iscale*v)))
		}
		for j := range qkK / 16 {
			var sum int16
			for _, q := range y.Qs[16*j : 16*j+16] {
				sum += int16(q)
			}
			y.Bsums[j] = sum
		}
		y.D = 1 / iscale
	}
}
