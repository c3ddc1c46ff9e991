package kernels

import "encoding/binary"

// The grid i-quants: iq2_xxs, iq2_xs, iq2_s, iq3_xxs, iq3_s, iq1_s, iq1_m.
//
// Each super-block of 256 is unpacked into signed grid values v (the
// grid point's element with its sign) and one integer scale per 16
// elements, sc, the multiplier ggml's AVX2 dot applies (2·l+1 for a
// stored l). Dequantize turns sc back into ggml's float scale formula;
// the dots run kLanesSigned (VPSIGNB products in 8 exact int32 lanes),
// then one FMA per super-block and a final constant factor, as ggml's
// AVX2 kernels do.

// iqBlock is one unpacked super-block.
type iqBlock struct {
	v  [qkK]int8
	sc [16]int32
	// delta holds, for iq1_s and iq1_m, −1 or +1 per element: the sign of
	// the ±1/8 shift each group of 8 carries.
	delta [qkK]int8
}

// signed puts the 8 values of a grid point into v with the sign bits
// of signs (bit j negates element j).
func signed(v []int8, g *[8]uint8, signs uint8) {
	for j := range 8 {
		x := int8(g[j])
		if signs>>j&1 != 0 {
			x = -x
		}
		v[j] = x
	}
}

// signed4 is signed for two iq3 half-points (4 values each).
func signed4(v []int8, g1, g2 *[4]uint8, signs uint8) {
	for j := range 4 {
		a, b := int8(g1[j]), int8(g2[j])
		if signs>>j&1 != 0 {
			a = -a
		}
		if signs>>(j+4)&1 != 0 {
			b = -b
		}
		v[j], v[j+4] = a, b
	}
}

func (u *iqBlock) setScales(ib int, lo, hi uint32) {
	u.sc[2*ib], u.sc[2*ib+1] = int32(2*lo+1), int32(2*hi+1)
}

func (u *iqBlock) unpackIQ2XXS(b *blockIQ2_XXS) {
	for ib := range qkK / 32 {
		q := b.Qs[4*ib : 4*ib+4]
		idx := [4]uint16{q[0] & 0xff, q[0] >> 8, q[1] & 0xff, q[1] >> 8}
		aux := uint32(q[2]) | uint32(q[3])<<16
		for l := range 4 {
			signed(u.v[32*ib+8*l:], &iq2xxsGrid[idx[l]], ksignsIQ2XS[aux>>(7*l)&127])
		}
		u.setScales(ib, aux>>28, aux>>28)
	}
}

func (u *iqBlock) unpackIQ2XS(b *blockIQ2_XS) {
	for ib := range qkK / 32 {
		for l := range 4 {
			q := b.Qs[4*ib+l]
			signed(u.v[32*ib+8*l:], &iq2xsGrid[q&511], ksignsIQ2XS[q>>9])
		}
		u.setScales(ib, uint32(b.Scales[ib]&0xf), uint32(b.Scales[ib]>>4))
	}
}

func (u *iqBlock) unpackIQ2S(b *blockIQ2_S) {
	for ib := range qkK / 32 {
		for l := range 4 {
			idx := uint16(b.Qs[4*ib+l]) | uint16(b.Qh[ib])<<(8-2*l)&0x300
			signed(u.v[32*ib+8*l:], &iq2sGrid[idx], b.Qs[qkK/8+4*ib+l])
		}
		u.setScales(ib, uint32(b.Scales[ib]&0xf), uint32(b.Scales[ib]>>4))
	}
}

func (u *iqBlock) unpackIQ3XXS(b *blockIQ3_XXS) {
	for ib := range qkK / 32 {
		aux := binary.LittleEndian.Uint32(b.Qs[qkK/4+4*ib:])
		q := b.Qs[8*ib : 8*ib+8]
		for l := range 4 {
			signed4(u.v[32*ib+8*l:], &iq3xxsGrid[q[2*l]], &iq3xxsGrid[q[2*l+1]], ksignsIQ2XS[aux>>(7*l)&127])
		}
		u.setScales(ib, aux>>28, aux>>28)
	}
}

func (u *iqBlock) unpackIQ3S(b *blockIQ3_S) {
	for ib := range qkK / 32 {
		qh := uint16(b.Qh[ib])
		q := b.Qs[8*ib : 8*ib+8]
		for l := range 4 {
			i1 := uint16(q[2*l]) | qh<<(8-2*l)&256
			i2 := uint16(q[2*l+1]) | qh<<(7-2*l)&256
			signed4(u.v[32*ib+8*l:], &iq3sGrid[i1], &iq3sGrid[i2], b.Signs[4*ib+l])
		}
		s := uint32(b.Scales[ib/2]>>(4*(ib%2))) & 0xf
		u.setScales(ib, s, s)
	}
}

// setDelta fills the 8 delta signs of group g.
func (u *iqBlock) setDelta(g int, neg bool) {
	s := int8(1)
	if neg {
		s = -1
	}
	for j := range 8 {
		u.delta[8*g+j] = s
	}
}

func (u *iqBlock) unpackIQ1S(b *blockIQ1_S) {
	for ib := range qkK / 32 {
		qh := b.Qh[ib]
		for l := range 4 {
			idx := uint16(b.Qs[4*ib+l]) | (qh>>(3*l)&7)<<8
			copy(u.v[32*ib+8*l:32*ib+8*l+8], iq1sGrid[idx][:])
			u.setDelta(4*ib+l, qh&0x8000 != 0)
		}
		s := uint32(qh>>12) & 7
		u.setScales(ib, s, s)
	}
}

// iq1mScale is the f16 super-block scale of iq1_m, spread over the top
// nibbles of the four scale words.
func iq1mScale(b *blockIQ1_M) uint16 {
	sc := func(i int) uint16 { return binary.LittleEndian.Uint16(b.Scales[2*i:]) }
	return sc(0)>>12 | sc(1)>>8&0x00f0 | sc(2)>>4&0x0f00 | sc(3)&0xf000
}

func (u *iqBlock) unpackIQ1M(b *blockIQ1_M) {
	for ib := range qkK / 32 {
		qh0, qh1 := uint16(b.Qh[2*ib]), uint16(b.Qh[2*ib+1])
		q := b.Qs[4*ib : 4*ib+4]
		idx := [4]uint16{
			uint16(q[0]) | qh0<<8&0x700, uint16(q[1]) | qh0<<4&0x700,
			uint16(q[2]) | qh1<<8&0x700, uint16(q[3]) | qh1<<4&0x700,
		}
		for l := range 4 {
			copy(u.v[32*ib+8*l:32*ib+8*l+8], iq1sGrid[idx[l]][:])
		}
		u.setDelta(4*ib+0, qh0&0x08 != 0)
		u.setDelta(4*ib+1, qh0&0x80 != 0)
		u.setDelta(4*ib+2, qh1&0x08 != 0)
		u.setDelta(4*ib+3, qh1&0x80 != 0)
		w := uint32(binary.LittleEndian.Uint16(b.Scales[2*(ib/2):])) >> (6 * (ib % 2))
		u.setScales(ib, w&7, w>>3&7)
	}
}

// dequantIQ writes the 256 values of u: y = db(sc) · v, where db is the
// type's float scale formula (ggml's, rounding for rounding).
func (u *iqBlock) dequant(y []float32, d float32, db func(d float32, sc int32) float32) {
	for h := range 16 {
		s := db(d, u.sc[h])
		for j := 16 * h; j < 16*h+16; j++ {
			y[j] = s * float32(u.v[j])
		}
	}
}

// dequantIQ1 is dequant for iq1_s/iq1_m: y = d·sc · (v ± 1/8).
func (u *iqBlock) dequantIQ1(y []float32, d float32) {
	const delta = 0.125
	for h := range 16 {
		dl := d * float32(u.sc[h])
		for j := 16 * h; j < 16*h+16; j++ {
			y[j] = dl * (float32(u.v[j]) + delta*float32(u.delta[j]))
		}
	}
}

// iq2Scale is ggml's d·(0.5+l)·0.25 for iq2_xxs/iq2_xs/iq2_s (sc = 2l+1).
func iq2Scale(d float32, sc int32) float32 { return d * (0.5 + float32(sc>>1)) * 0.25 }

// iq3xxsScale is ggml's d·(0.5+l)·0.5.
func iq3xxsScale(d float32, sc int32) float32 { return d * (0.5 + float32(sc>>1)) * 0.5 }

// iq3sScale is ggml's d·(1+2l).
func iq3sScale(d float32, sc int32) float32 { return d * float32(sc) }

func dequantizeIQ2_XXSGeneric(y []float32, x []blockIQ2_XXS) {
	var u iqBlock
	for i := range x {
		u.unpackIQ2XXS(&x[i])
		u.dequant(y[qkK*i:], fp16(x[i].D), iq2Scale)
	}
}

func dequantizeIQ2_XSGeneric(y []float32, x []blockIQ2_XS) {
	var u iqBlock
	for i := range x {
		u.unpackIQ2XS(&x[i])
		u.dequant(y[qkK*i:], fp16(x[i].D), iq2Scale)
	}
}

func dequantizeIQ2_SGeneric(y []float32, x []blockIQ2_S) {
	var u iqBlock
	for i := range x {
		u.unpackIQ2S(&x[i])
		u.dequant(y[qkK*i:], fp16(x[i].D), iq2Scale)
	}
}

func dequantizeIQ3_XXSGeneric(y []float32, x []blockIQ3_XXS) {
	var u iqBlock
	for i := range x {
		u.unpackIQ3XXS(&x[i])
		u.dequant(y[qkK*i:], fp16(x[i].D), iq3xxsScale)
	}
}

func dequantizeIQ3_SGeneric(y []float32, x []blockIQ3_S) {
	var u iqBlock
	for i := range x {
		u.unpackIQ3S(&x[i])
		u.dequant(y[qkK*i:], fp16(x[i].D), iq3sScale)
	}
}

func dequantizeIQ1_SGeneric(y []float32, x []blockIQ1_S) {
	var u iqBlock
	for i := range x {
		u.unpackIQ1S(&x[i])
		u.dequantIQ1(y[qkK*i:], fp16(x[i].D))
	}
}

func dequantizeIQ1_MGeneric(y []float32, x []blockIQ1_M) {
	var u iqBlock
	for i := range x {
		u.unpackIQ1M(&x[i])
		u.dequantIQ1(y[qkK*i:], fp16(iq1mScale(&x[i])))
	}
}

// dotIQ is the AVX2 order shared by the iq2/iq3 dots: exact lanes per
// super-block, d = d_x·d_y, one FMA per lane, hsum_float_8, times factor.
func dotIQ[B any](x []B, y []blockQ8_K, factor float32, unpack func(*iqBlock, *B), d func(*B) float32) float32 {
	var acc lanes8
	var u iqBlock
	for i := range x {
		unpack(&u, &x[i])
		lanes := kLanesSigned(&u.v, &y[i].Qs, &u.sc)
		acc.fmaLanes(d(&x[i])*y[i].D, &lanes)
	}
	return factor * acc.sum()
}

func dotIQ2_XXSQ8_KGeneric(x []blockIQ2_XXS, y []blockQ8_K) float32 {
	return dotIQ(x, y, 0.125, (*iqBlock).unpackIQ2XXS, func(b *blockIQ2_XXS) float32 { return fp16(b.D) })
}

func dotIQ2_XSQ8_KGeneric(x []blockIQ2_XS, y []blockQ8_K) float32 {
	return dotIQ(x, y, 0.125, (*iqBlock).unpackIQ2XS, func(b *blockIQ2_XS) float32 { return fp16(b.D) })
}

func dotIQ2_SQ8_KGeneric(x []blockIQ2_S, y []blockQ8_K) float32 {
	return dotIQ(x, y, 0.125, (*iqBlock).unpackIQ2S, func(b *blockIQ2_S) float32 { return fp16(b.D) })
}

func dotIQ3_XXSQ8_KGeneric(x []blockIQ3_XXS, y []blockQ8_K) float32 {
	return dotIQ(x, y, 0.25, (*iqBlock).unpackIQ3XXS, func(b *blockIQ3_XXS) float32 { return fp16(b.D) })
}

func dotIQ3_SQ8_KGeneric(x []blockIQ3_S, y []blockQ8_K) float32 {
	return dotIQ(x, y, 1, (*iqBlock).unpackIQ3S, func(b *blockIQ3_S) float32 { return fp16(b.D) })
}

// dotIQ1_SQ8_KGeneric is ggml's AVX2 iq1_s dot: the grid part in lanes;
// the ±1/8 shifts from the activation's 16-sums (bsums), summed as one
// integer per super-block and accumulated in a scalar, which the C
// compiler contracts to an FMA.
func dotIQ1_SQ8_KGeneric(x []blockIQ1_S, y []blockQ8_K) float32 {
	var acc lanes8
	var acc1 float32
	var u iqBlock
	for i := range x {
		u.unpackIQ1S(&x[i])
		lanes := kLanesSigned(&u.v, &y[i].Qs, &u.sc)
		var sumi1 int32
		for ib := range qkK / 32 {
			s := (int32(y[i].Bsums[2*ib]) + int32(y[i].Bsums[2*ib+1])) * u.sc[2*ib]
			if x[i].Qh[ib]&0x8000 != 0 {
				s = -s
			}
			sumi1 += s
		}
		d := y[i].D * fp16(x[i].D)
		acc.fmaLanes(d, &lanes)
		acc1 = fma32(d, float32(sumi1), acc1)
	}
	return acc.sum() + 0.125*acc1
}

// dotIQ1_MQ8_KGeneric is ggml's AVX2 iq1_m dot: grid products and the
// delta signs' products (VPSIGNB of the activations) in two sets of lanes.
func dotIQ1_MQ8_KGeneric(x []blockIQ1_M, y []blockQ8_K) float32 {
	var acc1, acc2 lanes8
	var u iqBlock
	for i := range x {
		u.unpackIQ1M(&x[i])
		l1 := kLanesSigned(&u.v, &y[i].Qs, &u.sc)
		l2 := kLanesSigned(&u.delta, &y[i].Qs, &u.sc)
		d := y[i].D * fp16(iq1mScale(&x[i]))
		acc1.fmaLanes(d, &l1)
		acc2.fmaLanes(d, &l2)
	}
	return acc1.sum() + 0.125*acc2.sum()
}
