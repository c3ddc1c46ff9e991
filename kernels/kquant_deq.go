package kernels

// k-quant dequantizers, as ggml's dequantize_row_qN_K. ggml-base is built
// without FMA, so each product is rounded before the min is subtracted.

func dequantizeQ2_KGeneric(out []float32, x []blockQ2_K) {
	for i := range x {
		d, dmin := fp16(x[i].D), fp16(x[i].Dmin)
		y := out[i*qkK : (i+1)*qkK]
		is := 0
		for n := 0; n < qkK; n += 128 {
			q := x[i].Qs[n/4:]
			for shift := 0; shift < 8; shift += 2 {
				for half := range 2 {
					sc := x[i].Scales[is]
					is++
					dl, ml := d*float32(sc&0xf), dmin*float32(sc>>4)
					for l := range 16 {
						y[l] = float32(dl*float32((q[l+16*half]>>shift)&3)) - ml
					}
					y = y[16:]
				}
			}
		}
	}
}

func dequantizeQ3_KGeneric(out []float32, x []blockQ3_K) {
	for i := range x {
		d := fp16(x[i].D)
		sc := q3KScales(&x[i].Scales)
		y := out[i*qkK : (i+1)*qkK]
		is := 0
		m := uint8(1)
		for n := 0; n < qkK; n += 128 {
			q := x[i].Qs[n/4:]
			for shift := 0; shift < 8; shift += 2 {
				for half := range 2 {
					dl := d * float32(sc[is])
					is++
					for l := range 16 {
						v := int32((q[l+16*half] >> shift) & 3)
						if x[i].Hmask[l+16*half]&m == 0 {
							v -= 4
						}
						y[l] = dl * float32(v)
					}
					y = y[16:]
				}
				m <<= 1
			}
		}
	}
}

func dequantizeQ4_KGeneric(out []float32, x []blockQ4_K) {
	for i := range x {
		d, dmin := fp16(x[i].D), fp16(x[i].Dmin)
		y := out[i*qkK : (i+1)*qkK]
		for j := 0; j < qkK/64; j++ {
			s1, m1 := scaleMinK4(2*j, &x[i].Scales)
			s2, m2 := scaleMinK4(2*j+1, &x[i].Scales)
			d1, dm1 := d*float32(s1), dmin*float32(m1)
			d2, dm2 := d*float32(s2), dmin*float32(m2)
			q := x[i].Qs[32*j : 32*j+32]
			for l, b := range q {
				y[64*j+l] = float32(d1*float32(b&0xf)) - dm1
				y[64*j+32+l] = float32(d2*float32(b>>4)) - dm2
			}
		}
	}
}

func dequantizeQ5_KGeneric(out []float32, x []blockQ5_K) {
	for i := range x {
		d, dmin := fp16(x[i].D), fp16(x[i].Dmin)
		y := out[i*qkK : (i+1)*qkK]
		u1, u2 := uint8(1), uint8(2)
		for j := 0; j < qkK/64; j++ {
			s1, m1 := scaleMinK4(2*j, &x[i].Scales)
			s2, m2 := scaleMinK4(2*j+1, &x[i].Scales)
			d1, dm1 := d*float32(s1), dmin*float32(m1)
			d2, dm2 := d*float32(s2), dmin*float32(m2)
			q := x[i].Qs[32*j : 32*j+32]
			for l, b := range q {
				lo, hi := uint32(b&0xf), uint32(b>>4)
				if x[i].Qh[l]&u1 != 0 {
					lo += 16
				}
				if x[i].Qh[l]&u2 != 0 {
					hi += 16
				}
				y[64*j+l] = float32(d1*float32(lo)) - dm1
				y[64*j+32+l] = float32(d2*float32(hi)) - dm2
			}
			u1, u2 = u1<<2, u2<<2
		}
	}
}

func dequantizeQ6_KGeneric(out []float32, x []blockQ6_K) {
	for i := range x {
		d := fp16(x[i].D)
		y := out[i*qkK : (i+1)*qkK]
		for n := 0; n < qkK; n += 128 {
			ql, qh, sc := x[i].Ql[n/2:], x[i].Qh[n/4:], x[i].Scales[n/16:]
			for l := range 32 {
				is := l / 16
				q1 := int32(ql[l]&0xf|(qh[l]>>0&3)<<4) - 32
				q2 := int32(ql[l+32]&0xf|(qh[l]>>2&3)<<4) - 32
				q3 := int32(ql[l]>>4|(qh[l]>>4&3)<<4) - 32
				q4 := int32(ql[l+32]>>4|(qh[l]>>6&3)<<4) - 32
				y[n+l] = d * float32(sc[is]) * float32(q1)
				y[n+l+32] = d * float32(sc[is+2]) * float32(q2)
				y[n+l+64] = d * float32(sc[is+4]) * float32(q3)
				y[n+l+96] = d * float32(sc[is+6]) * float32(q4)
			}
		}
	}
}

func dequantizeQ8_KGeneric(out []float32, x []blockQ8_K) {
	for i := range x {
		for j, q := range x[i].Qs {
			out[i*qkK+j] = x[i].D * float32(q)
		}
	}
}
