package kernels

// k-quant × q8_K dots, in the order of ggml-cpu's AVX2 kernels so that they
// reproduce llama.cpp's numbers: each super-block's quants are decoded to
// int8, multiplied with the activations into 8 exact int32 lanes (kLanes),
// and the lanes enter float32 through one FMA with the block scale. The
// mins go through q8_K's bsums (sums of 16 activations) on each kernel's
// own path, as in ggml.

// kLanes returns the 8 lane sums of a super-block: lane k holds, over the
// eight 32-element chunks, sc[e/16] × Σ q[e]·y[e] for the four elements
// e = 32v+4k … 32v+4k+3 (what PMADDUBSW, PMADDWD with the scales, and
// PADDD produce; no partial sum can overflow).
func kLanes(q, y *[qkK]int8, sc *[16]int32) [8]int32 {
	var lanes [8]int32
	for v := range 8 {
		for k := range 8 {
			e := 32*v + 4*k
			s := int32(q[e])*int32(y[e]) + int32(q[e+1])*int32(y[e+1]) +
				int32(q[e+2])*int32(y[e+2]) + int32(q[e+3])*int32(y[e+3])
			lanes[k] += sc[e/16] * s
		}
	}
	return lanes
}

// kLanesSigned is kLanes for signed weights, whose products go through
// VPSIGNB as ggml's mul_add_epi8 does (mul8: a −128 activation against a
// negative weight wraps).
func kLanesSigned(q, y *[qkK]int8, sc *[16]int32) [8]int32 {
	var lanes [8]int32
	for v := range 8 {
		for k := range 8 {
			e := 32*v + 4*k
			s := mul8(q[e], y[e]) + mul8(q[e+1], y[e+1]) + mul8(q[e+2], y[e+2]) + mul8(q[e+3], y[e+3])
			lanes[k] += sc[e/16] * s
		}
	}
	return lanes
}

// fmaLanes adds d × lanes to the accumulator, lane by lane.
func (a *lanes8) fmaLanes(d float32, lanes *[8]int32) {
	for k, l := range lanes {
		a[k] = fma32(d, float32(l), a[k])
	}
}

// unpack2 spreads q2_K/q3_K-style 2-bit quants to element order: byte l of
// each 32-byte group holds elements l, l+32, l+64, l+96 of its 128.
func unpack2(q *[qkK]int8, qs *[qkK / 4]byte) {
	for n := 0; n < qkK; n += 128 {
		for shift := 0; shift < 4; shift++ {
			for l := range 32 {
				q[n+32*shift+l] = int8((qs[n/4+l] >> (2 * shift)) & 3)
			}
		}
	}
}

func dotQ2_KQ8_KGeneric(x []blockQ2_K, y []blockQ8_K) float32 {
	var acc lanes8
	var q [qkK]int8
	var sc [16]int32
	for i := range x {
		d := y[i].D * fp16(x[i].D)
		dmin := -y[i].D * fp16(x[i].Dmin)
		var mins [8]int32
		for k := range 8 {
			mins[k] = int32(x[i].Scales[2*k]>>4)*int32(y[i].Bsums[2*k]) +
				int32(x[i].Scales[2*k+1]>>4)*int32(y[i].Bsums[2*k+1])
		}
		acc.fmaLanes(dmin, &mins)
		for j := range 16 {
			sc[j] = int32(x[i].Scales[j] & 0xf)
		}
		unpack2(&q, &x[i].Qs)
		lanes := kLanes(&q, &y[i].Qs, &sc)
		acc.fmaLanes(d, &lanes)
	}
	return acc.sum()
}

func dotQ3_KQ8_KGeneric(x []blockQ3_K, y []blockQ8_K) float32 {
	var acc lanes8
	var q [qkK]int8
	var sc [16]int32
	for i := range x {
		d := y[i].D * fp16(x[i].D)
		for j, s := range q3KScales(&x[i].Scales) {
			sc[j] = int32(s)
		}
		unpack2(&q, &x[i].Qs)
		// The high bit of element e is bit e/32 of hmask[e%32]; clear means -4.
		for e := range qkK {
			if x[i].Hmask[e%32]&(1<<(e/32)) == 0 {
				q[e] -= 4
			}
		}
		lanes := kLanes(&q, &y[i].Qs, &sc)
		acc.fmaLanes(d, &lanes)
	}
	return acc.sum()
}

// k4Scales unpacks the eight 6-bit scales and mins of q4_K/q5_K, the scales
// spread to the 16-element granularity kLanes takes.
func k4Scales(s *[12]byte) (sc [16]int32, mins [8]int32) {
	for j := range 8 {
		d, m := scaleMinK4(j, s)
		sc[2*j], sc[2*j+1] = int32(d), int32(d)
		mins[j] = int32(m)
	}
	return sc, mins
}

// k4MinSums is the 4-lane PMADDWD of the mins with pairwise bsums sums.
func k4MinSums(mins *[8]int32, bsums *[16]int16) [4]int32 {
	var q8s [8]int32
	for k := range 8 {
		q8s[k] = int32(int16(bsums[2*k] + bsums[2*k+1]))
	}
	var prod [4]int32
	for p := range 4 {
		prod[p] = mins[2*p]*q8s[2*p] + mins[2*p+1]*q8s[2*p+1]
	}
	return prod
}

func dotQ4_KQ8_KGeneric(x []blockQ4_K, y []blockQ8_K) float32 {
	var acc lanes8
	var accM [4]float32
	var q [qkK]int8
	for i := range x {
		d := y[i].D * fp16(x[i].D)
		dmin := -y[i].D * fp16(x[i].Dmin)
		sc, mins := k4Scales(&x[i].Scales)
		prod := k4MinSums(&mins, &y[i].Bsums)
		for p := range 4 {
			accM[p] = fma32(dmin, float32(prod[p]), accM[p])
		}
		for j := range qkK / 64 {
			for l, b := range x[i].Qs[32*j : 32*j+32] {
				q[64*j+l], q[64*j+32+l] = int8(b&0xf), int8(b>>4)
			}
		}
		lanes := kLanes(&q, &y[i].Qs, &sc)
		acc.fmaLanes(d, &lanes)
	}
	return acc.sum() + ((accM[0] + accM[2]) + (accM[1] + accM[3]))
}

func dotQ5_KQ8_KGeneric(x []blockQ5_K, y []blockQ8_K) float32 {
	var acc lanes8
	var summs float32
	var q [qkK]int8
	for i := range x {
		d := y[i].D * fp16(x[i].D)
		dmin := -y[i].D * fp16(x[i].Dmin)
		sc, mins := k4Scales(&x[i].Scales)
		prod := k4MinSums(&mins, &y[i].Bsums)
		summs = fma32(dmin, float32(prod[0]+prod[1]+prod[2]+prod[3]), summs)
		for j := range qkK / 64 {
			for l, b := range x[i].Qs[32*j : 32*j+32] {
				lo, hi := int8(b&0xf), int8(b>>4)
				if x[i].Qh[l]&(1<<(2*j)) != 0 {
					lo += 16
				}
				if x[i].Qh[l]&(1<<(2*j+1)) != 0 {
					hi += 16
				}
				q[64*j+l], q[64*j+32+l] = lo, hi
			}
		}
		lanes := kLanes(&q, &y[i].Qs, &sc)
		acc.fmaLanes(d, &lanes)
	}
	return acc.sum() + summs
}

func dotQ6_KQ8_KGeneric(x []blockQ6_K, y []blockQ8_K) float32 {
	var acc lanes8
	var q [qkK]int8
	var sc [16]int32
	for i := range x {
		d := y[i].D * fp16(x[i].D)
		for j, s := range x[i].Scales {
			sc[j] = int32(s)
		}
		for n := 0; n < qkK; n += 128 {
			ql, qh := x[i].Ql[n/2:], x[i].Qh[n/4:]
			for l := range 32 {
				q[n+l] = int8(ql[l]&0xf|(qh[l]>>0&3)<<4) - 32
				q[n+l+32] = int8(ql[l+32]&0xf|(qh[l]>>2&3)<<4) - 32
				q[n+l+64] = int8(ql[l]>>4|(qh[l]>>4&3)<<4) - 32
				q[n+l+96] = int8(ql[l+32]>>4|(qh[l]>>6&3)<<4) - 32
			}
		}
		lanes := kLanes(&q, &y[i].Qs, &sc)
		acc.fmaLanes(d, &lanes)
	}
	return acc.sum()
}
