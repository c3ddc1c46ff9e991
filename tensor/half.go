package tensor

import "math"

// f16ToF32Table holds the float32 value of every IEEE binary16 bit
// pattern, as ggml's table does: conversion is one load.
var f16ToF32Table = func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for h := range t {
		t[h] = f16ToF32Slow(uint16(h))
	}
	return &t
}()

// F16ToF32 converts IEEE binary16 bits to float32 exactly.
func F16ToF32(h uint16) float32 { return f16ToF32Table[h] }

func f16ToF32Slow(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf, nan: keep the payload
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
	case man == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal: man × 2^-24, exact in float32.
	f := float32(man) * (1.0 / (1 << 24))
	if sign != 0 {
		f = -f
	}
	return f
}

// F32ToF16 converts float32 to IEEE binary16 bits, rounding to nearest
// even as ggml (and the F16C instruction) does; NaNs stay NaN (quiet).
func F32ToF16(f float32) uint16 {
	x := math.Float32bits(f)
	sign := uint16(x>>16) & 0x8000
	abs := x & 0x7fffffff
	switch {
	case abs > 0x7f800000: // NaN
		return sign | 0x7e00 | uint16(abs>>13)&0x3ff
	case abs >= 0x477ff000: // rounds to infinity (≥ 65520)
		return sign | 0x7c00
	case abs >= 0x38800000: // normal half (≥ 2^-14)
		// Rebias the exponent and round the 13 dropped mantissa bits.
		r := abs - 0x38000000
		r += 0xfff + (r>>13)&1
		return sign | uint16(r>>13)
	case abs > 0x33000000: // subnormal half: value × 2^24, rounded to even
		man := abs&0x7fffff | 0x800000
		shift := 126 - abs>>23 // 14 + (113 - exp) … bits to drop
		round := uint32(1)<<(shift-1) - 1 + (man>>shift)&1
		return sign | uint16((man+round)>>shift)
	}
	return sign // |f| ≤ 2^-25 rounds to zero
}

// BF16ToF32 converts bfloat16 bits to float32 (exact).
func BF16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// F32ToBF16 converts float32 to bfloat16 bits as ggml does: round to
// nearest even; NaNs are made quiet.
func F32ToBF16(f float32) uint16 {
	u := math.Float32bits(f)
	if u&0x7fffffff > 0x7f800000 {
		return uint16(u>>16) | 64
	}
	return uint16((u + 0x7fff + (u>>16)&1) >> 16)
}
