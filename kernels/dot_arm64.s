//go:build arm64 && !purego

#include "textflag.h"

// Instructions the Go assembler does not name, encoded by hand:
// SDOT Vd.4S, Vn.16B, Vm.16B; SCVTF Vd.4S, Vn.4S; FADD Vd.4S, Vn.4S, Vm.4S;
// FADDP Sd, Vn.2S.
#define SDOT(m, n, d) WORD $(0x4E809400 | (m)<<16 | (n)<<5 | (d))
#define SCVTF4S(n, d) WORD $(0x4E21D800 | (n)<<5 | (d))
#define FADD4S(m, n, d) WORD $(0x4E20D400 | (m)<<16 | (n)<<5 | (d))
#define FADDP2S(n, d) WORD $(0x7E30D800 | (n)<<5 | (d))

// BLOCKSCALE leaves fp16(x.d)·fp16(y.d) in every lane of V5.
#define BLOCKSCALE \
	MOVHU (R0), R3 \
	MOVHU (R1), R4 \
	FMOVS R3, F0 \
	FMOVS R4, F1 \
	FCVTHS F0, F0 \
	FCVTHS F1, F1 \
	FMULS F1, F0, F0 \
	VDUP V0.S[0], V5.S4

// ACCUMULATE takes a block's eight integer lanes in V6 (0..3) and V7
// (4..7) and adds d × their float values to V16 and V17.
#define ACCUMULATE \
	SCVTF4S(6, 6) \
	SCVTF4S(7, 7) \
	VFMLA V5.S4, V6.S4, V16.S4 \
	VFMLA V5.S4, V7.S4, V17.S4

// FOLD sums the lanes as lanes8.sum: (a0+a4 + (a2+a6)) + (a1+a5 + (a3+a7)).
#define FOLD \
	FADD4S(17, 16, 18) \
	VEXT $8, V18.B16, V18.B16, V19.B16 \
	FADD4S(19, 18, 18) \
	FADDP2S(18, 0)

// func dotQ8_0Q8_0SDOT(x, y unsafe.Pointer, n int) float32
TEXT ·dotQ8_0Q8_0SDOT(SB), NOSPLIT, $0-28
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD n+16(FP), R2
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	CBZ R2, q8done

q8loop:
	BLOCKSCALE
	ADD $2, R0, R5
	ADD $2, R1, R6
	VLD1 (R5), [V1.B16, V2.B16]
	VLD1 (R6), [V3.B16, V4.B16]
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	SDOT(3, 1, 6)
	SDOT(4, 2, 7)
	ACCUMULATE
	ADD $34, R0
	ADD $34, R1
	SUBS $1, R2
	BNE q8loop

q8done:
	FOLD
	FMOVS F0, ret+24(FP)
	RET

// func dotQ4_0Q8_0SDOT(x, y unsafe.Pointer, n int) float32
TEXT ·dotQ4_0Q8_0SDOT(SB), NOSPLIT, $0-28
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD n+16(FP), R2
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	MOVD $0x0f0f0f0f0f0f0f0f, R7
	VDUP R7, V30.D2
	MOVD $0x0808080808080808, R7
	VDUP R7, V31.D2
	CBZ R2, q4done

q4loop:
	BLOCKSCALE
	ADD $2, R0, R5
	ADD $2, R1, R6
	VLD1 (R5), [V1.B16]
	VLD1 (R6), [V3.B16, V4.B16]
	VAND V30.B16, V1.B16, V2.B16 // elements 0..15
	VUSHR $4, V1.B16, V1.B16     // elements 16..31
	VSUB V31.B16, V2.B16, V2.B16 // q − 8
	VSUB V31.B16, V1.B16, V1.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	SDOT(3, 2, 6)
	SDOT(4, 1, 7)
	ACCUMULATE
	ADD $18, R0
	ADD $34, R1
	SUBS $1, R2
	BNE q4loop

q4done:
	FOLD
	FMOVS F0, ret+24(FP)
	RET

#define SMULL4H(m, n, d) WORD $(0x0E60C000 | (m)<<16 | (n)<<5 | (d))
#define SMULL28H(m, n, d) WORD $(0x4E60C000 | (m)<<16 | (n)<<5 | (d))
#define MLA4S(m, n, d) WORD $(0x4EA09400 | (m)<<16 | (n)<<5 | (d))

// Q4K_GROUP adds 64 elements of a q4_K super-block (32 quant bytes at QOFF
// of the block, 64 activations at YOFF of the q8_K block) to the lanes in
// V14 (0..3) and V15 (4..7): low nibbles times the scale in SCL (a lane
// of V21/V22), high nibbles times the scale in SCH.
#define Q4K_GROUP(QOFF, YOFF, SCL, SCH) \
	K4LOAD(QOFF, YOFF) \
	K4DOT(SCL, SCH)

// K4LOAD loads 32 quant bytes at QOFF of the block (low nibbles in V3,
// V4, high in V5, V6) and 64 activations at YOFF (V7..V10).
#define K4LOAD(QOFF, YOFF) \
	ADD $QOFF, R0, R5 \
	ADD $YOFF, R1, R6 \
	VLD1 (R5), [V3.B16, V4.B16] \
	VLD1 (R6), [V7.B16, V8.B16, V9.B16, V10.B16] \
	VUSHR $4, V3.B16, V5.B16 \
	VUSHR $4, V4.B16, V6.B16 \
	VAND V31.B16, V3.B16, V3.B16 \
	VAND V31.B16, V4.B16, V4.B16

// K4DOT multiplies the values in V3..V6 with the activations (SDOT) and
// adds them times the sub-block scales SCL (V3, V4) and SCH (V5, V6) to
// the lanes in V14 and V15.
#define K4DOT(SCL, SCH) \
	VEOR V26.B16, V26.B16, V26.B16 \
	VEOR V27.B16, V27.B16, V27.B16 \
	VEOR V28.B16, V28.B16, V28.B16 \
	VEOR V29.B16, V29.B16, V29.B16 \
	SDOT(7, 3, 26) \
	SDOT(8, 4, 27) \
	SDOT(9, 5, 28) \
	SDOT(10, 6, 29) \
	VDUP SCL, V20.S4 \
	MLA4S(20, 26, 14) \
	MLA4S(20, 27, 15) \
	VDUP SCH, V20.S4 \
	MLA4S(20, 28, 14) \
	MLA4S(20, 29, 15)

// K4HEAD starts a q4_K/q5_K super-block at R0 (q8_K block at R1): the
// 6-bit scales 0..3 in R6, 4..7 in R9, mins 0..3 in R7, 4..7 in R10
// (kmask1..3), d = y.d·x.d in V12 and dmin = (−y.d)·x.dmin in V13, the
// scales as int32 in V21 (0..3) and V22 (4..7), and in V27 the four
// m[2p]·s[2p] + m[2p+1]·s[2p+1], s[k] the int16 sum bsums[2k]+bsums[2k+1].
#define K4HEAD \
	MOVWU 4(R0), R3 \
	MOVWU 8(R0), R4 \
	MOVWU 12(R0), R5 \
	ANDW $0x3f3f3f3f, R3, R6 \
	ANDW $0x3f3f3f3f, R4, R7 \
	LSRW $6, R3, R8 \
	ANDW $0x03030303, R8, R8 \
	LSLW $4, R8, R8 \
	ANDW $0x0f0f0f0f, R5, R9 \
	ORRW R8, R9, R9 \
	LSRW $6, R4, R8 \
	ANDW $0x03030303, R8, R8 \
	LSLW $4, R8, R8 \
	LSRW $4, R5, R10 \
	ANDW $0x0f0f0f0f, R10, R10 \
	ORRW R8, R10, R10 \
	FMOVS (R1), F2 \
	MOVHU (R0), R3 \
	MOVHU 2(R0), R4 \
	FMOVS R3, F0 \
	FMOVS R4, F1 \
	FCVTHS F0, F0 \
	FCVTHS F1, F1 \
	FMULS F0, F2, F0 \
	FNEGS F2, F2 \
	FMULS F1, F2, F1 \
	VDUP V0.S[0], V12.S4 \
	VDUP V1.S[0], V13.S4 \
	ADD $260, R1, R5 \
	VLD1 (R5), [V23.H8, V24.H8] \
	VADDP V24.H8, V23.H8, V25.H8 \
	VMOV R7, V26.S[0] \
	VMOV R10, V26.S[1] \
	VUXTL V26.B8, V26.H8 \
	SMULL4H(25, 26, 27) \
	SMULL28H(25, 26, 28) \
	VADDP V28.S4, V27.S4, V27.S4 \
	VMOV R6, V21.S[0] \
	VMOV R9, V21.S[1] \
	VUXTL V21.B8, V21.H8 \
	VUXTL2 V21.H8, V22.S4 \
	VUXTL V21.H4, V21.S4

// func dotQ4_KQ8_KSDOT(x, y unsafe.Pointer, n int) float32
// dotQ4_KQ8_KGeneric in NEON: per super-block the 6-bit scales and mins
// unpacked in general registers (kmask1..3), the mins against the pairwise
// bsums sums (SMULL, ADDP) into four float lanes (V11), the scaled nibble
// products (SDOT, then MLA by the sub-block scale) into eight int32 lanes,
// converted and added with one fused multiply-add by d.
TEXT ·dotQ4_KQ8_KSDOT(SB), NOSPLIT, $0-28
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD n+16(FP), R2
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V11.B16, V11.B16, V11.B16
	MOVD $0x0f0f0f0f0f0f0f0f, R7
	VDUP R7, V31.D2
	CBZ R2, q4kdone

q4kloop:
	K4HEAD
	SCVTF4S(27, 27)
	VFMLA V13.S4, V27.S4, V11.S4
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	Q4K_GROUP(16, 4, V21.S[0], V21.S[1])
	Q4K_GROUP(48, 68, V21.S[2], V21.S[3])
	Q4K_GROUP(80, 132, V22.S[0], V22.S[1])
	Q4K_GROUP(112, 196, V22.S[2], V22.S[3])
	SCVTF4S(14, 14)
	SCVTF4S(15, 15)
	VFMLA V12.S4, V14.S4, V16.S4
	VFMLA V12.S4, V15.S4, V17.S4

	ADD $144, R0
	ADD $292, R1
	SUBS $1, R2
	BNE q4kloop

q4kdone:
	FOLD
	// The mins' lanes: (m0+m2) + (m1+m3), added to the sum.
	VEXT $8, V11.B16, V11.B16, V19.B16
	FADD4S(19, 11, 11)
	FADDP2S(11, 1)
	FADDS F1, F0, F0
	FMOVS F0, ret+24(FP)
	RET

#define SXTL8H(n, d) WORD $(0x0F08A400 | (n)<<5 | (d))
#define SXTL28H(n, d) WORD $(0x4F08A400 | (n)<<5 | (d))
#define SXTL4S(n, d) WORD $(0x0F10A400 | (n)<<5 | (d))
#define SXTL24S(n, d) WORD $(0x4F10A400 | (n)<<5 | (d))

// Q6K_FINISH takes a chunk's 6-bit values (0..63) in V10 (elements 0..15)
// and V11 (16..31), removes the offset 32, multiplies with the 32
// activations at YOFF (SDOT) and adds the products times the two
// sub-block scales (lanes SCA, SCB) to V14 and V15.
#define Q6K_FINISH(YOFF, SCA, SCB) \
	VSUB V29.B16, V10.B16, V10.B16 \
	VSUB V29.B16, V11.B16, V11.B16 \
	ADD $YOFF, R1, R6 \
	VLD1 (R6), [V6.B16, V7.B16] \
	VEOR V8.B16, V8.B16, V8.B16 \
	VEOR V9.B16, V9.B16, V9.B16 \
	SDOT(6, 10, 8) \
	SDOT(7, 11, 9) \
	VDUP SCA, V20.S4 \
	MLA4S(20, 8, 14) \
	VDUP SCB, V20.S4 \
	MLA4S(20, 9, 15)

// Q6K_MERGE masks the high bits in V12/V13 to bits 4-5 and merges them
// into the low nibbles in V10/V11.
#define Q6K_MERGE \
	VAND V30.B16, V12.B16, V12.B16 \
	VAND V30.B16, V13.B16, V13.B16 \
	VORR V12.B16, V10.B16, V10.B16 \
	VORR V13.B16, V11.B16, V11.B16

// Q6K_HALF handles 128 elements: low bits from ql at QL (64 bytes in
// V0..V3), high bits from qh at QH (32 bytes in V4, V5), activations from
// YOFF, sub-block scales from the lanes of SA (chunks 0 and 1) and SB
// (chunks 2 and 3).
#define Q6K_HALF(QL, QH, YOFF, SA, SB) \
	ADD $QL, R0, R5 \
	VLD1 (R5), [V0.B16, V1.B16, V2.B16, V3.B16] \
	ADD $QH, R0, R5 \
	VLD1 (R5), [V4.B16, V5.B16] \
	VAND V31.B16, V0.B16, V10.B16 \
	VAND V31.B16, V1.B16, V11.B16 \
	VSHL $4, V4.B16, V12.B16 \
	VSHL $4, V5.B16, V13.B16 \
	Q6K_MERGE \
	Q6K_FINISH(YOFF, SA.S[0], SA.S[1]) \
	VAND V31.B16, V2.B16, V10.B16 \
	VAND V31.B16, V3.B16, V11.B16 \
	VSHL $2, V4.B16, V12.B16 \
	VSHL $2, V5.B16, V13.B16 \
	Q6K_MERGE \
	Q6K_FINISH(YOFF+32, SA.S[2], SA.S[3]) \
	VUSHR $4, V0.B16, V10.B16 \
	VUSHR $4, V1.B16, V11.B16 \
	VAND V30.B16, V4.B16, V12.B16 \
	VAND V30.B16, V5.B16, V13.B16 \
	VORR V12.B16, V10.B16, V10.B16 \
	VORR V13.B16, V11.B16, V11.B16 \
	Q6K_FINISH(YOFF+64, SB.S[0], SB.S[1]) \
	VUSHR $4, V2.B16, V10.B16 \
	VUSHR $4, V3.B16, V11.B16 \
	VUSHR $2, V4.B16, V12.B16 \
	VUSHR $2, V5.B16, V13.B16 \
	Q6K_MERGE \
	Q6K_FINISH(YOFF+96, SB.S[2], SB.S[3])

// func dotQ6_KQ8_KSDOT(x, y unsafe.Pointer, n int) float32
// dotQ6_KQ8_KGeneric in NEON: the 6-bit values rebuilt from ql/qh, less
// 32, times the activations (SDOT) and their sub-block's int8 scale (MLA)
// into eight int32 lanes, converted and added with one FMA by d.
TEXT ·dotQ6_KQ8_KSDOT(SB), NOSPLIT, $0-28
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD n+16(FP), R2
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	MOVD $0x0f0f0f0f0f0f0f0f, R7
	VDUP R7, V31.D2
	MOVD $0x3030303030303030, R7
	VDUP R7, V30.D2
	MOVD $0x2020202020202020, R7
	VDUP R7, V29.D2
	CBZ R2, q6kdone

q6kloop:
	// d = y.d·x.d in V27.
	FMOVS (R1), F2
	MOVHU 208(R0), R3
	FMOVS R3, F0
	FCVTHS F0, F0
	FMULS F0, F2, F0
	VDUP V0.S[0], V27.S4

	// The sixteen int8 scales as int32 in V23..V26.
	ADD $192, R0, R5
	VLD1 (R5), [V20.B16]
	SXTL8H(20, 21)
	SXTL28H(20, 22)
	SXTL4S(21, 23)
	SXTL24S(21, 24)
	SXTL4S(22, 25)
	SXTL24S(22, 26)

	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	Q6K_HALF(0, 128, 4, V23, V24)
	Q6K_HALF(64, 160, 132, V25, V26)
	SCVTF4S(14, 14)
	SCVTF4S(15, 15)
	VFMLA V27.S4, V14.S4, V16.S4
	VFMLA V27.S4, V15.S4, V17.S4

	ADD $210, R0
	ADD $292, R1
	SUBS $1, R2
	BNE q6kloop

q6kdone:
	FOLD
	FMOVS F0, ret+24(FP)
	RET

#define FCVTL4S(n, d) WORD $(0x0E217800 | (n)<<5 | (d))
#define FCVTL24S(n, d) WORD $(0x4E217800 | (n)<<5 | (d))

// FREDUCE64 folds the 64 lanes in V16..V31 (V16+k = lanes 4k..4k+3) into
// F0 as lanes64.reduce does: a[l]+a[32+l], plus a[16+l]+a[48+l], then
// ReduceAdd16's halves, quarters, and (q0+q2) + (q1+q3).
#define FREDUCE64 \
	FADD4S(24, 16, 16) \
	FADD4S(25, 17, 17) \
	FADD4S(26, 18, 18) \
	FADD4S(27, 19, 19) \
	FADD4S(28, 20, 20) \
	FADD4S(29, 21, 21) \
	FADD4S(30, 22, 22) \
	FADD4S(31, 23, 23) \
	FADD4S(20, 16, 16) \
	FADD4S(21, 17, 17) \
	FADD4S(22, 18, 18) \
	FADD4S(23, 19, 19) \
	FADD4S(16, 18, 18) \
	FADD4S(17, 19, 19) \
	FADD4S(18, 19, 19) \
	VEXT $8, V19.B16, V19.B16, V20.B16 \
	FADD4S(20, 19, 19) \
	FADDP2S(19, 0)

#define ZERO64 \
	VEOR V16.B16, V16.B16, V16.B16 \
	VEOR V17.B16, V17.B16, V17.B16 \
	VEOR V18.B16, V18.B16, V18.B16 \
	VEOR V19.B16, V19.B16, V19.B16 \
	VEOR V20.B16, V20.B16, V20.B16 \
	VEOR V21.B16, V21.B16, V21.B16 \
	VEOR V22.B16, V22.B16, V22.B16 \
	VEOR V23.B16, V23.B16, V23.B16 \
	VEOR V24.B16, V24.B16, V24.B16 \
	VEOR V25.B16, V25.B16, V25.B16 \
	VEOR V26.B16, V26.B16, V26.B16 \
	VEOR V27.B16, V27.B16, V27.B16 \
	VEOR V28.B16, V28.B16, V28.B16 \
	VEOR V29.B16, V29.B16, V29.B16 \
	VEOR V30.B16, V30.B16, V30.B16 \
	VEOR V31.B16, V31.B16, V31.B16

// F16_16 converts 16 halves of x and y (post-incremented R0, R1) and adds
// their products to the four accumulators A..A+3.
#define F16_16(A0, A1, A2, A3) \
	VLD1.P 32(R0), [V0.H8, V1.H8] \
	VLD1.P 32(R1), [V2.H8, V3.H8] \
	FCVTL4S(0, 8) \
	FCVTL24S(0, 9) \
	FCVTL4S(1, 10) \
	FCVTL24S(1, 11) \
	FCVTL4S(2, 12) \
	FCVTL24S(2, 13) \
	FCVTL4S(3, 14) \
	FCVTL24S(3, 15) \
	VFMLA V12.S4, V8.S4, A0.S4 \
	VFMLA V13.S4, V9.S4, A1.S4 \
	VFMLA V14.S4, V10.S4, A2.S4 \
	VFMLA V15.S4, V11.S4, A3.S4

// func dotF16NEON(x, y unsafe.Pointer, steps int) float32
// The reduced sum of x·y over steps×64 halves in floatDot's order: 64
// float32 lanes, one fused multiply-add per lane per step.
TEXT ·dotF16NEON(SB), NOSPLIT, $0-28
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD steps+16(FP), R2
	ZERO64

f16loop:
	F16_16(V16, V17, V18, V19)
	F16_16(V20, V21, V22, V23)
	F16_16(V24, V25, V26, V27)
	F16_16(V28, V29, V30, V31)
	SUBS $1, R2
	BNE f16loop
	FREDUCE64
	FMOVS F0, ret+24(FP)
	RET

// F32_16 adds the products of 16 floats of x and y to A0..A3.
#define F32_16(A0, A1, A2, A3) \
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4] \
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4] \
	VFMLA V4.S4, V0.S4, A0.S4 \
	VFMLA V5.S4, V1.S4, A1.S4 \
	VFMLA V6.S4, V2.S4, A2.S4 \
	VFMLA V7.S4, V3.S4, A3.S4

// func dotF32NEON(x, y unsafe.Pointer, steps int) float32
TEXT ·dotF32NEON(SB), NOSPLIT, $0-28
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD steps+16(FP), R2
	ZERO64

f32loop:
	F32_16(V16, V17, V18, V19)
	F32_16(V20, V21, V22, V23)
	F32_16(V24, V25, V26, V27)
	F32_16(V28, V29, V30, V31)
	SUBS $1, R2
	BNE f32loop
	FREDUCE64
	FMOVS F0, ret+24(FP)
	RET

// Q5K_GROUP is Q4K_GROUP for q5_K: the values' fifth bits, bit BLO (low
// nibbles) and BHI (high) of qh[l] (V18: l < 16, V19), add 16 (V30).
#define Q5K_GROUP(QOFF, YOFF, SCL, SCH, BLO, BHI) \
	K4LOAD(QOFF, YOFF) \
	MOVD $BLO, R7 \
	VDUP R7, V24.D2 \
	MOVD $BHI, R7 \
	VDUP R7, V25.D2 \
	VCMTST V24.B16, V18.B16, V0.B16 \
	VCMTST V24.B16, V19.B16, V1.B16 \
	VCMTST V25.B16, V18.B16, V2.B16 \
	VCMTST V25.B16, V19.B16, V23.B16 \
	VAND V30.B16, V0.B16, V0.B16 \
	VAND V30.B16, V1.B16, V1.B16 \
	VAND V30.B16, V2.B16, V2.B16 \
	VAND V30.B16, V23.B16, V23.B16 \
	VORR V0.B16, V3.B16, V3.B16 \
	VORR V1.B16, V4.B16, V4.B16 \
	VORR V2.B16, V5.B16, V5.B16 \
	VORR V23.B16, V6.B16, V6.B16 \
	K4DOT(SCL, SCH)

// func dotQ5_KQ8_KSDOT(x, y unsafe.Pointer, n int) float32
// dotQ5_KQ8_KGeneric in NEON: dotQ4_KQ8_KSDOT with the fifth bits, and the
// mins summed into one scalar (ggml's summs, lane 0 of V11).
TEXT ·dotQ5_KQ8_KSDOT(SB), NOSPLIT, $0-28
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD n+16(FP), R2
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V11.B16, V11.B16, V11.B16
	MOVD $0x0f0f0f0f0f0f0f0f, R7
	VDUP R7, V31.D2
	MOVD $0x1010101010101010, R7
	VDUP R7, V30.D2
	CBZ R2, q5kdone

q5kloop:
	K4HEAD
	VADDV V27.S4, V27
	SCVTF4S(27, 27)
	VFMLA V13.S4, V27.S4, V11.S4
	ADD $16, R0, R5
	VLD1 (R5), [V18.B16, V19.B16]
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	Q5K_GROUP(48, 4, V21.S[0], V21.S[1], 0x0101010101010101, 0x0202020202020202)
	Q5K_GROUP(80, 68, V21.S[2], V21.S[3], 0x0404040404040404, 0x0808080808080808)
	Q5K_GROUP(112, 132, V22.S[0], V22.S[1], 0x1010101010101010, 0x2020202020202020)
	Q5K_GROUP(144, 196, V22.S[2], V22.S[3], 0x4040404040404040, 0x8080808080808080)
	SCVTF4S(14, 14)
	SCVTF4S(15, 15)
	VFMLA V12.S4, V14.S4, V16.S4
	VFMLA V12.S4, V15.S4, V17.S4
	ADD $176, R0
	ADD $292, R1
	SUBS $1, R2
	BNE q5kloop

q5kdone:
	FOLD
	FADDS F11, F0, F0
	FMOVS F0, ret+24(FP)
	RET

// NL4BLOCK adds one iq4_nl block (R0) times its q8_0 block (R1) to the
// lanes ACCLO/ACCHI: the nibbles looked up in the value table V29 (TBL),
// SDOT with the activations, one fused multiply-add by fp16(x.d)·fp16(y.d).
#define NL4BLOCK(ACCLO, ACCHI) \
	BLOCKSCALE \
	ADD $2, R0, R5 \
	ADD $2, R1, R6 \
	VLD1 (R5), [V1.B16] \
	VLD1 (R6), [V3.B16, V4.B16] \
	VAND V30.B16, V1.B16, V2.B16 \
	VUSHR $4, V1.B16, V1.B16 \
	VTBL V2.B16, [V29.B16], V2.B16 \
	VTBL V1.B16, [V29.B16], V1.B16 \
	VEOR V6.B16, V6.B16, V6.B16 \
	VEOR V7.B16, V7.B16, V7.B16 \
	SDOT(3, 2, 6) \
	SDOT(4, 1, 7) \
	SCVTF4S(6, 6) \
	SCVTF4S(7, 7) \
	VFMLA V5.S4, V6.S4, ACCLO.S4 \
	VFMLA V5.S4, V7.S4, ACCHI.S4 \
	ADD $18, R0 \
	ADD $34, R1

// func dotIQ4_NLPairsSDOT(x, y unsafe.Pointer, pairs int, table *[16]int8) float32
// dotNL4's loop over whole pairs of iq4_nl blocks: even blocks into one
// accumulator (V16, V17), odd ones into another (V18, V19), added lane by
// lane, then folded as lanes8.sum.
TEXT ·dotIQ4_NLPairsSDOT(SB), NOSPLIT, $0-36
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD pairs+16(FP), R2
	MOVD table+24(FP), R7
	VLD1 (R7), [V29.B16]
	MOVD $0x0f0f0f0f0f0f0f0f, R7
	VDUP R7, V30.D2
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16

nl4loop:
	NL4BLOCK(V16, V17)
	NL4BLOCK(V18, V19)
	SUBS $1, R2
	BNE nl4loop
	FADD4S(18, 16, 16)
	FADD4S(19, 17, 17)
	FOLD
	FMOVS F0, ret+32(FP)
	RET

// XS_SCALE puts sub-block IB's scale of an iq4_xs block (the 4-bit part
// from ScalesL in R4, the 2-bit part from ScalesH in R3), minus 32, in
// lane LANE of V.
#define XS_SCALE(IB, V, LANE) \
	LSRW $(4*IB), R4, R5 \
	ANDW $15, R5, R5 \
	LSRW $(2*IB), R3, R6 \
	ANDW $3, R6, R6 \
	ORRW R6<<4, R5, R5 \
	SUBW $32, R5, R5 \
	VMOV R5, V.S[LANE]

// XS_SUB adds sub-block IB (16 quant bytes at 8+16·IB, activations at
// 4+32·IB) to the lanes V14/V15: values from the table V29 (TBL), SDOT,
// then MLA by the sub-block's scale (lane SC).
#define XS_SUB(IB, SC) \
	ADD $(8+16*IB), R0, R5 \
	ADD $(4+32*IB), R1, R6 \
	VLD1 (R5), [V1.B16] \
	VLD1 (R6), [V3.B16, V4.B16] \
	VAND V30.B16, V1.B16, V2.B16 \
	VUSHR $4, V1.B16, V1.B16 \
	VTBL V2.B16, [V29.B16], V2.B16 \
	VTBL V1.B16, [V29.B16], V1.B16 \
	VEOR V6.B16, V6.B16, V6.B16 \
	VEOR V7.B16, V7.B16, V7.B16 \
	SDOT(3, 2, 6) \
	SDOT(4, 1, 7) \
	VDUP SC, V20.S4 \
	MLA4S(20, 6, 14) \
	MLA4S(20, 7, 15)

// func dotIQ4_XSQ8_KSDOT(x, y unsafe.Pointer, n int, table *[16]int8) float32
// dotIQ4_XSQ8_KGeneric in NEON: per super-block the eight 6-bit scales,
// the values looked up (TBL) and multiplied with the activations (SDOT),
// scaled (MLA) into eight int32 lanes, one FMA by fp16(x.d)·y.d.
TEXT ·dotIQ4_XSQ8_KSDOT(SB), NOSPLIT, $0-36
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD n+16(FP), R2
	MOVD table+24(FP), R7
	VLD1 (R7), [V29.B16]
	MOVD $0x0f0f0f0f0f0f0f0f, R7
	VDUP R7, V30.D2
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	CBZ R2, xsdone

xsloop:
	MOVHU 2(R0), R3
	MOVWU 4(R0), R4
	XS_SCALE(0, V21, 0)
	XS_SCALE(1, V21, 1)
	XS_SCALE(2, V21, 2)
	XS_SCALE(3, V21, 3)
	XS_SCALE(4, V22, 0)
	XS_SCALE(5, V22, 1)
	XS_SCALE(6, V22, 2)
	XS_SCALE(7, V22, 3)
	MOVHU (R0), R3
	FMOVS R3, F0
	FCVTHS F0, F0
	FMOVS (R1), F1
	FMULS F1, F0, F0
	VDUP V0.S[0], V12.S4
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	XS_SUB(0, V21.S[0])
	XS_SUB(1, V21.S[1])
	XS_SUB(2, V21.S[2])
	XS_SUB(3, V21.S[3])
	XS_SUB(4, V22.S[0])
	XS_SUB(5, V22.S[1])
	XS_SUB(6, V22.S[2])
	XS_SUB(7, V22.S[3])
	SCVTF4S(14, 14)
	SCVTF4S(15, 15)
	VFMLA V12.S4, V14.S4, V16.S4
	VFMLA V12.S4, V15.S4, V17.S4
	ADD $136, R0
	ADD $292, R1
	SUBS $1, R2
	BNE xsloop

xsdone:
	FOLD
	FMOVS F0, ret+32(FP)
	RET

// BF16_8 takes 8 bf16 pairs of x (X) and y (Y) as 32-bit words and adds
// to ACC the odd elements' products (the word's high half is its float),
// then the even ones' (the low half shifted up), as VDPBF16PS does.
#define BF16_8(X, Y, ACC) \
	VAND V31.B16, X.B16, V2.B16 \
	VAND V31.B16, Y.B16, V3.B16 \
	VSHL $16, X.S4, V4.S4 \
	VSHL $16, Y.S4, V5.S4 \
	VFMLA V3.S4, V2.S4, ACC.S4 \
	VFMLA V5.S4, V4.S4, ACC.S4

// BF16_16 loads 16 elements of x and y (post-incremented) and adds them
// to A0, A1.
#define BF16_16(A0, A1) \
	VLD1.P 32(R0), [V8.B16, V9.B16] \
	VLD1.P 32(R1), [V10.B16, V11.B16] \
	BF16_8(V8, V10, A0) \
	BF16_8(V9, V11, A1)

// REDUCE16V folds 16 lanes (registers a0..a3, a3 also as VA3) as
// ReduceAdd16 into lane 0 of register d: halves, quarters, then
// (q0+q2) + (q1+q3).
#define REDUCE16V(a0, a1, a2, a3, VA3, d) \
	FADD4S(a0, a2, a2) \
	FADD4S(a1, a3, a3) \
	FADD4S(a2, a3, a3) \
	VEXT $8, VA3.B16, VA3.B16, V20.B16 \
	FADD4S(20, a3, a3) \
	FADDP2S(a3, d)

// func dotBF16NEON(x, y unsafe.Pointer, steps int) (c1, c2 float32)
// dotBF16Generic's main loop over steps×64 elements: two 16-lane
// accumulators (elements 0..31 and 32..63 of each step, a pair per lane),
// each reduced as ReduceAdd16.
TEXT ·dotBF16NEON(SB), NOSPLIT, $0-32
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD steps+16(FP), R2
	MOVD $0xffff0000ffff0000, R7
	VDUP R7, V31.D2
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16

bf16loop:
	BF16_16(V16, V17)
	BF16_16(V18, V19)
	BF16_16(V24, V25)
	BF16_16(V26, V27)
	SUBS $1, R2
	BNE bf16loop
	REDUCE16V(16, 17, 18, 19, V19, 0)
	REDUCE16V(24, 25, 26, 27, V27, 1)
	FMOVS F0, c1+24(FP)
	FMOVS F1, c2+28(FP)
	RET
