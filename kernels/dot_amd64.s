//go:build amd64 && !purego

#include "textflag.h"
#include "asm_amd64.h"

// Both kernels keep eight float32 lanes in Y0. Per block: the scale
// d = fp16(x.d)·fp16(y.d) (F16C, one float32 multiply), 32 signed byte
// products summed four at a time into eight int32 lanes (VPSIGNB makes
// x unsigned for VPMADDUBSW, VPMADDWD pairs the 16-bit sums), converted to
// float32 and added with one FMA: the order of dotQ8_0Q8_0Generic and
// ggml-cpu's AVX2 kernels.

// SCALE leaves fp16(x.d)·fp16(y.d) in every lane of Y1.
#define SCALE \
	MOVWLZX (SI), AX \
	MOVWLZX (DI), BX \
	VMOVD AX, X1 \
	VMOVD BX, X2 \
	VCVTPH2PS X1, X1 \
	VCVTPH2PS X2, X2 \
	VMULSS X2, X1, X1 \
	VBROADCASTSS X1, Y1

// DOT32TO adds d (Y1) × (the 8 lane sums of the signed bytes Y2·Y3) to
// ACC; Y4..Y6 are scratch. DOT32 is DOT32TO into Y0.
#define DOT32TO(ACC) \
	VPSIGNB Y2, Y2, Y4 \
	VPSIGNB Y2, Y3, Y5 \
	VPMADDUBSW Y5, Y4, Y6 \
	VPMADDWD Y15, Y6, Y6 \
	VCVTDQ2PS Y6, Y6 \
	VFMADD231PS Y6, Y1, ACC

#define DOT32 DOT32TO(Y0)

// HSUM is ggml's hsum_float_8 of Y0 into X0: the upper half onto the
// lower, lanes 0+2 and 1+3, then 0+1.
#define HSUM \
	HSUMR(Y0, X0) \
	VZEROUPPER


// func dotQ8_0Q8_0AVX2(x, y unsafe.Pointer, n int) float32
TEXT ·dotQ8_0Q8_0AVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15 // 16 × int16 1
	TESTQ CX, CX
	JZ q8done

q8loop:
	SCALE
	VMOVDQU 2(SI), Y2
	VMOVDQU 2(DI), Y3
	DOT32
	ADDQ $34, SI
	ADDQ $34, DI
	DECQ CX
	JNZ q8loop

q8done:
	HSUM
	MOVSS X0, ret+24(FP)
	RET

// func dotQ4_0Q8_0AVX2(x, y unsafe.Pointer, n int) float32
TEXT ·dotQ4_0Q8_0AVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15 // 16 × int16 1
	VPCMPEQB Y14, Y14, Y14
	VPSRLW $12, Y14, Y14
	VPACKUSWB Y14, Y14, Y14 // 32 × 0x0F
	VPCMPEQB Y13, Y13, Y13
	VPABSB Y13, Y13
	VPSLLW $3, Y13, Y13 // 32 × 8
	TESTQ CX, CX
	JZ q4done

q4loop:
	SCALE
	VMOVDQU 2(SI), X2 // 16 bytes of nibbles
	VPSRLW $4, X2, X3
	VINSERTI128 $1, X3, Y2, Y2 // low nibbles are elements 0..15, high 16..31
	VPAND Y14, Y2, Y2
	VPSUBB Y13, Y2, Y2 // q − 8
	VMOVDQU 2(DI), Y3
	DOT32
	ADDQ $18, SI
	ADDQ $34, DI
	DECQ CX
	JNZ q4loop

q4done:
	HSUM
	MOVSS X0, ret+24(FP)
	RET

// FDOT_REDUCE folds the 64 lanes held in Y0..Y7 (Yk = lanes 8k..8k+7) as
// GGML_F32x16_REDUCE then _mm512_reduce_add_ps do, leaving the sum in X0:
// v = (a + a[32:]) + (a[16:] + a[48:]) over 16 lanes, then halves,
// quarters, lanes 0+2 and 1+3, then 0+1.
#define FDOT_REDUCE \
	VADDPS Y4, Y0, Y0 \
	VADDPS Y6, Y2, Y2 \
	VADDPS Y2, Y0, Y0 \
	VADDPS Y5, Y1, Y1 \
	VADDPS Y7, Y3, Y3 \
	VADDPS Y3, Y1, Y1 \
	VADDPS Y0, Y1, Y0 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS X0, X1, X0 \
	VMOVHLPS X0, X0, X1 \
	VADDPS X1, X0, X0 \
	VMOVSHDUP X0, X1 \
	VADDSS X1, X0, X0 \
	VZEROUPPER

// func dotF16AVX2(x, y unsafe.Pointer, steps int) float32
// The sum of x·y over steps×64 f16 values in ggml's AVX-512 order: 64
// lanes, one FMA per lane per step.
TEXT ·dotF16AVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ steps+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ CX, CX
	JZ f16done

f16loop:
	VCVTPH2PS 0(SI), Y8
	VCVTPH2PS 0(DI), Y9
	VFMADD231PS Y9, Y8, Y0
	VCVTPH2PS 16(SI), Y8
	VCVTPH2PS 16(DI), Y9
	VFMADD231PS Y9, Y8, Y1
	VCVTPH2PS 32(SI), Y8
	VCVTPH2PS 32(DI), Y9
	VFMADD231PS Y9, Y8, Y2
	VCVTPH2PS 48(SI), Y8
	VCVTPH2PS 48(DI), Y9
	VFMADD231PS Y9, Y8, Y3
	VCVTPH2PS 64(SI), Y8
	VCVTPH2PS 64(DI), Y9
	VFMADD231PS Y9, Y8, Y4
	VCVTPH2PS 80(SI), Y8
	VCVTPH2PS 80(DI), Y9
	VFMADD231PS Y9, Y8, Y5
	VCVTPH2PS 96(SI), Y8
	VCVTPH2PS 96(DI), Y9
	VFMADD231PS Y9, Y8, Y6
	VCVTPH2PS 112(SI), Y8
	VCVTPH2PS 112(DI), Y9
	VFMADD231PS Y9, Y8, Y7
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ f16loop

f16done:
	FDOT_REDUCE
	MOVSS X0, ret+24(FP)
	RET

// func dotF32AVX2(x, y unsafe.Pointer, steps int) float32
// As dotF16AVX2, for float32 values.
TEXT ·dotF32AVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ steps+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ CX, CX
	JZ f32done

f32loop:
	VMOVUPS 0(SI), Y8
	VFMADD231PS 0(DI), Y8, Y0
	VMOVUPS 32(SI), Y8
	VFMADD231PS 32(DI), Y8, Y1
	VMOVUPS 64(SI), Y8
	VFMADD231PS 64(DI), Y8, Y2
	VMOVUPS 96(SI), Y8
	VFMADD231PS 96(DI), Y8, Y3
	VMOVUPS 128(SI), Y8
	VFMADD231PS 128(DI), Y8, Y4
	VMOVUPS 160(SI), Y8
	VFMADD231PS 160(DI), Y8, Y5
	VMOVUPS 192(SI), Y8
	VFMADD231PS 192(DI), Y8, Y6
	VMOVUPS 224(SI), Y8
	VFMADD231PS 224(DI), Y8, Y7
	ADDQ $256, SI
	ADDQ $256, DI
	DECQ CX
	JNZ f32loop

f32done:
	FDOT_REDUCE
	MOVSS X0, ret+24(FP)
	RET

// Q4K_HALF adds, for 64 elements of a q4_K super-block, the low nibbles × y
// (scale word SHL/2 of X9) and high nibbles × y (word SHH/2) to the lane
// sums in Y8. Y14 holds 0x0F bytes; Y1..Y5, Y11, Y12 are scratch.
#define Q4K_HALF(QOFF, YOFF, SHL, SHH) \
	VPSRLDQ $SHL, X9, X11 \
	VPBROADCASTW X11, Y11 \
	VPSRLDQ $SHH, X9, X12 \
	VPBROADCASTW X12, Y12 \
	VMOVDQU QOFF(SI), Y1 \
	VPAND Y14, Y1, Y2 \
	VPSRLW $4, Y1, Y3 \
	VPAND Y14, Y3, Y3 \
	VMOVDQU YOFF(DI), Y4 \
	VPMADDUBSW Y4, Y2, Y2 \
	VPMADDWD Y11, Y2, Y2 \
	VMOVDQU (YOFF+32)(DI), Y5 \
	VPMADDUBSW Y5, Y3, Y3 \
	VPMADDWD Y12, Y3, Y3 \
	VPADDD Y2, Y8, Y8 \
	VPADDD Y3, Y8, Y8

// KSCALES unpacks the 12 scale bytes at 4(SI) of a q4_K/q5_K block (ggml's
// get_scale_min_k4 on four at a time): scales 0..3 in AX, 4..7 in R11,
// mins 0..3 in R10, 4..7 in R8, one per byte. BX, DX, R9, R12 are scratch.
#define KSCALES \
	MOVL 4(SI), AX \
	MOVL 8(SI), BX \
	MOVL 12(SI), DX \
	MOVL DX, R8 \
	SHRL $4, R8 \
	ANDL $0x0f0f0f0f, R8 \
	MOVL BX, R9 \
	SHRL $6, R9 \
	ANDL $0x03030303, R9 \
	SHLL $4, R9 \
	ORL R9, R8 \
	MOVL BX, R10 \
	ANDL $0x3f3f3f3f, R10 \
	MOVL DX, R11 \
	ANDL $0x0f0f0f0f, R11 \
	MOVL AX, R12 \
	SHRL $6, R12 \
	ANDL $0x03030303, R12 \
	SHLL $4, R12 \
	ORL R12, R11 \
	ANDL $0x3f3f3f3f, AX

// func dotQ4_KQ8_KAVX2(x, y unsafe.Pointer, n int) float32
// dotQ4_KQ8_KGeneric in assembly: per super-block the 6-bit scales and
// mins are unpacked as ggml does (kmask1..3), the mins meet the pairwise
// sums of q8_K's bsums in a 4-lane accumulator (X10), and the scaled
// nibble products form 8 int32 lanes added to Y0 with one FMA.
TEXT ·dotQ4_KQ8_KAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS X10, X10, X10
	VPCMPEQB Y14, Y14, Y14
	VPSRLW $12, Y14, Y14
	VPACKUSWB Y14, Y14, Y14 // 32 × 0x0F
	VPCMPEQD X13, X13, X13
	VPSLLD $31, X13, X13 // float sign bit
	TESTQ CX, CX
	JZ q4kdone

q4kloop:
	KSCALES

	// Mins: acc_m += (−y.d·dmin) × (m[2p]·s[2p] + m[2p+1]·s[2p+1]), s[k] = bsums[2k]+bsums[2k+1].
	VMOVD R10, X1
	VPINSRD $1, R8, X1, X1
	VPMOVZXBW X1, X1
	VMOVDQU 260(DI), X2
	VMOVDQU 276(DI), X3
	VPHADDW X3, X2, X2
	VPMADDWD X2, X1, X1
	VCVTDQ2PS X1, X1
	VMOVSS 0(DI), X4 // y.d
	MOVWLZX 2(SI), R9
	VMOVD R9, X5
	VCVTPH2PS X5, X5
	VMULSS X5, X4, X6
	VXORPS X13, X6, X6 // −(y.d·dmin), as (−y.d)·dmin
	VBROADCASTSS X6, X6
	VFMADD231PS X1, X6, X10

	// d = y.d · x.d in every lane of Y7.
	MOVWLZX 0(SI), R9
	VMOVD R9, X5
	VCVTPH2PS X5, X5
	VMULSS X5, X4, X7
	VBROADCASTSS X7, Y7

	// Scales as int16 in X9 (low 8 bytes, zero-extended): scale k is word k.
	VMOVD AX, X9
	VPINSRD $1, R11, X9, X9
	VPMOVZXBW X9, X9

	VPXOR Y8, Y8, Y8
	Q4K_HALF(16, 4, 0, 2)
	Q4K_HALF(48, 68, 4, 6)
	Q4K_HALF(80, 132, 8, 10)
	Q4K_HALF(112, 196, 12, 14)
	VCVTDQ2PS Y8, Y8
	VFMADD231PS Y8, Y7, Y0

	ADDQ $144, SI
	ADDQ $292, DI
	DECQ CX
	JNZ q4kloop

q4kdone:
	HSUM
	VMOVHLPS X10, X10, X1
	VADDPS X1, X10, X10
	VMOVSHDUP X10, X1
	VADDSS X1, X10, X10
	VADDSS X10, X0, X0
	MOVSS X0, ret+24(FP)
	RET

// Q6K_CHUNK adds the 32 products of the 6-bit values in Q (0..63, offset
// 32 removed through y's sum) with y at YOFF, scaled by the int8 scales at
// SCOFF (first 16 values) and SCOFF+1 (last 16), to the lanes in Y8.
// Y13 holds 32 in every byte; Y4, Y5, Y6, Y11, Y12, R9, R10 are scratch.
#define Q6K_CHUNK(Q, YOFF, SCOFF) \
	VMOVDQU YOFF(DI), Y4 \
	VPMADDUBSW Y4, Q, Y5 \
	VPMADDUBSW Y4, Y13, Y6 \
	VPSUBW Y6, Y5, Y5 \
	MOVBQSX SCOFF(SI), R9 \
	MOVBQSX (SCOFF+1)(SI), R10 \
	VMOVD R9, X11 \
	VPBROADCASTW X11, Y11 \
	VMOVD R10, X12 \
	VPBROADCASTW X12, X12 \
	VINSERTI128 $1, X12, Y11, Y11 \
	VPMADDWD Y11, Y5, Y5 \
	VPADDD Y5, Y8, Y8

// Q6K_HALF handles 128 values: low-nibble planes at QL and QL+32, high-bit
// plane at QH, activations from YOFF, scales from SCOFF.
#define Q6K_HALF(QL, QH, YOFF, SCOFF) \
	VMOVDQU QL(SI), Y1 \
	VMOVDQU (QL+32)(SI), Y2 \
	VMOVDQU QH(SI), Y3 \
	VPAND Y14, Y1, Y9 \
	VPAND Y15, Y3, Y10 \
	VPSLLW $4, Y10, Y10 \
	VPOR Y10, Y9, Y9 \
	Q6K_CHUNK(Y9, YOFF, SCOFF) \
	VPAND Y14, Y2, Y9 \
	VPSRLW $2, Y3, Y10 \
	VPAND Y15, Y10, Y10 \
	VPSLLW $4, Y10, Y10 \
	VPOR Y10, Y9, Y9 \
	Q6K_CHUNK(Y9, (YOFF+32), (SCOFF+2)) \
	VPSRLW $4, Y1, Y9 \
	VPAND Y14, Y9, Y9 \
	VPSRLW $4, Y3, Y10 \
	VPAND Y15, Y10, Y10 \
	VPSLLW $4, Y10, Y10 \
	VPOR Y10, Y9, Y9 \
	Q6K_CHUNK(Y9, (YOFF+64), (SCOFF+4)) \
	VPSRLW $4, Y2, Y9 \
	VPAND Y14, Y9, Y9 \
	VPSRLW $6, Y3, Y10 \
	VPAND Y15, Y10, Y10 \
	VPSLLW $4, Y10, Y10 \
	VPOR Y10, Y9, Y9 \
	Q6K_CHUNK(Y9, (YOFF+96), (SCOFF+6))

// func dotQ6_KQ8_KAVX2(x, y unsafe.Pointer, n int) float32
// dotQ6_KQ8_KGeneric in assembly: 8 int32 lanes per super-block, one FMA.
TEXT ·dotQ6_KQ8_KAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VPCMPEQB Y14, Y14, Y14
	VPSRLW $12, Y14, Y14
	VPACKUSWB Y14, Y14, Y14 // 32 × 0x0F
	VPCMPEQB Y15, Y15, Y15
	VPSRLW $14, Y15, Y15
	VPACKUSWB Y15, Y15, Y15 // 32 × 0x03
	VPCMPEQB Y13, Y13, Y13
	VPABSB Y13, Y13
	VPSLLW $5, Y13, Y13 // 32 × 32
	TESTQ CX, CX
	JZ q6kdone

q6kloop:
	MOVWLZX 208(SI), R9
	VMOVD R9, X5
	VCVTPH2PS X5, X5
	VMULSS 0(DI), X5, X7
	VBROADCASTSS X7, Y7 // d = x.d · y.d
	VPXOR Y8, Y8, Y8
	Q6K_HALF(0, 128, 4, 192)
	Q6K_HALF(64, 160, 132, 200)
	VCVTDQ2PS Y8, Y8
	VFMADD231PS Y8, Y7, Y0
	ADDQ $210, SI
	ADDQ $292, DI
	DECQ CX
	JNZ q6kloop

q6kdone:
	HSUM
	MOVSS X0, ret+24(FP)
	RET

// Q5K_HALF is Q4K_HALF with the fifth bits: for values 64j..64j+63 the high
// bits are bit 2j (low nibbles) and bit 2j+1 (high nibbles) of the qh bytes
// in Y6. Y15 holds 1 in every byte.
#define Q5K_HALF(QOFF, YOFF, SHL, SHH, BL, BH) \
	VPSRLDQ $SHL, X9, X11 \
	VPBROADCASTW X11, Y11 \
	VPSRLDQ $SHH, X9, X12 \
	VPBROADCASTW X12, Y12 \
	VMOVDQU QOFF(SI), Y1 \
	VPAND Y14, Y1, Y2 \
	VPSRLW $4, Y1, Y3 \
	VPAND Y14, Y3, Y3 \
	VPSRLW $BL, Y6, Y4 \
	VPAND Y15, Y4, Y4 \
	VPSLLW $4, Y4, Y4 \
	VPOR Y4, Y2, Y2 \
	VPSRLW $BH, Y6, Y5 \
	VPAND Y15, Y5, Y5 \
	VPSLLW $4, Y5, Y5 \
	VPOR Y5, Y3, Y3 \
	VMOVDQU YOFF(DI), Y4 \
	VPMADDUBSW Y4, Y2, Y2 \
	VPMADDWD Y11, Y2, Y2 \
	VMOVDQU (YOFF+32)(DI), Y5 \
	VPMADDUBSW Y5, Y3, Y3 \
	VPMADDWD Y12, Y3, Y3 \
	VPADDD Y2, Y8, Y8 \
	VPADDD Y3, Y8, Y8

// func dotQ5_KQ8_KAVX2(x, y unsafe.Pointer, n int) float32
// dotQ5_KQ8_KGeneric in assembly: as q4_K, with the fifth bit from qh and
// the mins summed to one integer, added to a scalar with one FMA (X10).
TEXT ·dotQ5_KQ8_KAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VPCMPEQB Y14, Y14, Y14
	VPSRLW $12, Y14, Y14
	VPACKUSWB Y14, Y14, Y14 // 32 × 0x0F
	VPCMPEQB Y15, Y15, Y15
	VPABSB Y15, Y15 // 32 × 1
	VPCMPEQD X13, X13, X13
	VPSLLD $31, X13, X13 // float sign bit
	VXORPS X10, X10, X10 // summs
	TESTQ CX, CX
	JZ q5kdone

q5kloop:
	KSCALES

	// summs += (−y.d·dmin) × Σ_p (m[2p]·s[2p] + m[2p+1]·s[2p+1]).
	VMOVD R10, X1
	VPINSRD $1, R8, X1, X1
	VPMOVZXBW X1, X1
	VMOVDQU 260(DI), X2
	VMOVDQU 276(DI), X3
	VPHADDW X3, X2, X2
	VPMADDWD X2, X1, X1
	VPHADDD X1, X1, X1
	VPHADDD X1, X1, X1
	VCVTDQ2PS X1, X1
	VMOVSS 0(DI), X4 // y.d
	MOVWLZX 2(SI), R9
	VMOVD R9, X5
	VCVTPH2PS X5, X5
	VMULSS X5, X4, X6
	VXORPS X13, X6, X6 // (−y.d)·dmin
	VFMADD231SS X1, X6, X10

	MOVWLZX 0(SI), R9
	VMOVD R9, X5
	VCVTPH2PS X5, X5
	VMULSS X5, X4, X7
	VBROADCASTSS X7, Y7 // d = y.d · x.d

	VMOVD AX, X9
	VPINSRD $1, R11, X9, X9
	VPMOVZXBW X9, X9 // the 8 scales as int16
	VMOVDQU 16(SI), Y6 // qh

	VPXOR Y8, Y8, Y8
	Q5K_HALF(48, 4, 0, 2, 0, 1)
	Q5K_HALF(80, 68, 4, 6, 2, 3)
	Q5K_HALF(112, 132, 8, 10, 4, 5)
	Q5K_HALF(144, 196, 12, 14, 6, 7)
	VCVTDQ2PS Y8, Y8
	VFMADD231PS Y8, Y7, Y0

	ADDQ $176, SI
	ADDQ $292, DI
	DECQ CX
	JNZ q5kloop

q5kdone:
	HSUM
	VADDSS X10, X0, X0
	MOVSS X0, ret+24(FP)
	RET

// BF16_PAIRS loads 32 bf16 values from x and y at OFF (16 pairs, one per
// 32-bit lane: even value in the low half, odd in the high half) into
// float32 vectors and adds odd then even products to ACCA (pairs 0..7) and
// ACCB (pairs 8..15): VDPBF16PS's order, exact products rounded once each.
#define BF16_PAIRS(OFF, ACCA, ACCB) \
	VMOVDQU OFF(SI), Y1 \
	VMOVDQU OFF(DI), Y2 \
	VPAND Y15, Y1, Y3 \
	VPAND Y15, Y2, Y4 \
	VFMADD231PS Y4, Y3, ACCA \
	VPSLLD $16, Y1, Y3 \
	VPSLLD $16, Y2, Y4 \
	VFMADD231PS Y4, Y3, ACCA \
	VMOVDQU (OFF+32)(SI), Y1 \
	VMOVDQU (OFF+32)(DI), Y2 \
	VPAND Y15, Y1, Y3 \
	VPAND Y15, Y2, Y4 \
	VFMADD231PS Y4, Y3, ACCB \
	VPSLLD $16, Y1, Y3 \
	VPSLLD $16, Y2, Y4 \
	VFMADD231PS Y4, Y3, ACCB

// REDUCE16 sums the 16 lanes LO (0..7) and HI (8..15) as
// _mm512_reduce_add_ps into X0 (clobbers X1).
#define REDUCE16(LO, HI) \
	VADDPS LO, HI, Y0 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS X0, X1, X0 \
	VMOVHLPS X0, X0, X1 \
	VADDPS X1, X0, X0 \
	VMOVSHDUP X0, X1 \
	VADDSS X1, X0, X0

// func dotBF16AVX2(x, y unsafe.Pointer, steps int) (c1, c2 float32)
// For steps×64 bf16 values, the two accumulators of ggml's AVX512-BF16 dot
// (c1 over the first 32 of each 64, c2 over the rest), each reduced.
TEXT ·dotBF16AVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ steps+16(FP), CX
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VPCMPEQD Y15, Y15, Y15
	VPSLLD $16, Y15, Y15 // 0xFFFF0000: the odd value of each pair
	TESTQ CX, CX
	JZ bf16done

bf16loop:
	BF16_PAIRS(0, Y8, Y9)
	BF16_PAIRS(64, Y10, Y11)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ bf16loop

bf16done:
	REDUCE16(Y8, Y9)
	MOVSS X0, c1+24(FP)
	REDUCE16(Y10, Y11)
	MOVSS X0, c2+28(FP)
	VZEROUPPER
	RET

// The 16 levels of iq4_nl and of mxfp4 (E2M1 doubled), for VPSHUFB.
DATA kvaluesIQ4NL<>+0(SB)/8, $0xf6eaddcfbfad9881
DATA kvaluesIQ4NL<>+8(SB)/8, $0x7159453526190d01
GLOBL kvaluesIQ4NL<>(SB), RODATA|NOPTR, $16
DATA kvaluesMXFP4<>+0(SB)/8, $0x0c08060403020100
DATA kvaluesMXFP4<>+8(SB)/8, $0xf4f8fafcfdfeff00
GLOBL kvaluesMXFP4<>(SB), RODATA|NOPTR, $16

// NL4_PAIRS leaves in Y6 the 16 int16 pair sums of the 32 values whose
// nibbles are at QOFF(SI) (looked up in Y12, low nibbles first) times the
// int8 activations at YOFF(DI), through VPSIGNB as ggml's mul_add_epi8.
#define NL4_PAIRS(QOFF, YOFF) \
	VMOVDQU QOFF(SI), X2 \
	VPSRLW $4, X2, X3 \
	VINSERTI128 $1, X3, Y2, Y2 \
	VPAND Y14, Y2, Y2 \
	VPSHUFB Y2, Y12, Y2 \
	VMOVDQU YOFF(DI), Y3 \
	VPSIGNB Y2, Y2, Y4 \
	VPSIGNB Y2, Y3, Y5 \
	VPMADDUBSW Y5, Y4, Y6

// NL4_BLOCK adds one 4-bit non-linear block at QOFF(SI) against the q8_0
// block at 0(DI), scale in Y1, to ACC: nibbles looked up in Y12 (the
// table in both lanes), signed products as DOT32 makes them.
#define NL4_BLOCK(QOFF, ACC) \
	NL4_PAIRS(QOFF, 2) \
	VPMADDWD Y15, Y6, Y6 \
	VCVTDQ2PS Y6, Y6 \
	VFMADD231PS Y6, Y1, ACC

// F16SCALE leaves fp16(y.d at 0(DI)) · fp16(x at XOFF(SI)) in every lane of Y1.
#define F16SCALE(XOFF) \
	MOVWLZX XOFF(SI), AX \
	MOVWLZX (DI), BX \
	VMOVD AX, X1 \
	VMOVD BX, X2 \
	VCVTPH2PS X1, X1 \
	VCVTPH2PS X2, X2 \
	VMULSS X1, X2, X1 \
	VBROADCASTSS X1, Y1

// E8M0SCALE leaves e8m0_half(x.e at 0(SI)) · fp16(y.d) in every lane of Y1:
// 2^(e−128), as denormal bits 0x00200000<<e for e < 2.
#define E8M0SCALE \
	MOVBLZX (SI), AX \
	MOVL $0x00200000, DX \
	MOVL AX, R8 \
	MOVL AX, CX \
	SHLL CX, DX \
	DECL R8 \
	SHLL $23, R8 \
	CMPL AX, $2 \
	CMOVLCS DX, R8 \
	MOVWLZX (DI), BX \
	VMOVD R8, X1 \
	VMOVD BX, X2 \
	VCVTPH2PS X2, X2 \
	VMULSS X2, X1, X1 \
	VBROADCASTSS X1, Y1

// NL4_SETUP loads the constants: 0x0F bytes (Y14), int16 ones (Y15) and
// the level table TAB in both lanes of Y12.
#define NL4_SETUP(TAB) \
	VPCMPEQB Y14, Y14, Y14 \
	VPSRLW $12, Y14, Y14 \
	VPACKUSWB Y14, Y14, Y14 \
	VPCMPEQW Y15, Y15, Y15 \
	VPSRLW $15, Y15, Y15 \
	VMOVDQU TAB(SB), X12 \
	VINSERTI128 $1, X12, Y12, Y12 \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y7, Y7, Y7

// func dotIQ4_NLPairsAVX2(x, y unsafe.Pointer, pairs int) float32
// dotNL4's main loop for iq4_nl: pairs of blocks, even blocks into one
// accumulator (Y0), odd into another (Y7), returned as hsum_float_8(Y0+Y7).
TEXT ·dotIQ4_NLPairsAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ pairs+16(FP), R9
	NL4_SETUP(kvaluesIQ4NL<>)
	TESTQ R9, R9
	JZ iq4nldone

iq4nlloop:
	F16SCALE(0)
	NL4_BLOCK(2, Y0)
	ADDQ $18, SI
	ADDQ $34, DI
	F16SCALE(0)
	NL4_BLOCK(2, Y7)
	ADDQ $18, SI
	ADDQ $34, DI
	DECQ R9
	JNZ iq4nlloop

iq4nldone:
	VADDPS Y7, Y0, Y0
	HSUM
	MOVSS X0, ret+24(FP)
	RET

// func dotMXFP4PairsAVX2(x, y unsafe.Pointer, pairs int) float32
// As dotIQ4_NLPairsAVX2 for mxfp4 blocks (E8M0 exponent, 16 bytes).
TEXT ·dotMXFP4PairsAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ pairs+16(FP), R9
	NL4_SETUP(kvaluesMXFP4<>)
	TESTQ R9, R9
	JZ mxfp4done

mxfp4loop:
	E8M0SCALE
	NL4_BLOCK(1, Y0)
	ADDQ $17, SI
	ADDQ $34, DI
	E8M0SCALE
	NL4_BLOCK(1, Y7)
	ADDQ $17, SI
	ADDQ $34, DI
	DECQ R9
	JNZ mxfp4loop

mxfp4done:
	VADDPS Y7, Y0, Y0
	HSUM
	MOVSS X0, ret+24(FP)
	RET

// IQ4XS_SUB adds sub-block ib of an iq4_xs super-block to the int32 lanes
// in Y8: values looked up from the nibbles at QOFF, times the activations
// at YOFF (VPSIGNB products, as ggml's mul_add_epi8), pairs times the
// 6-bit scale (low 4 bits from byte SLOFF >> SLSHIFT, high 2 bits from
// scales_h in R10 >> SHSHIFT, minus 32).
#define IQ4XS_SUB(QOFF, YOFF, SLOFF, SLSHIFT, SHSHIFT) \
	NL4_PAIRS(QOFF, YOFF) \
	MOVBLZX SLOFF(SI), AX \
	SHRL $SLSHIFT, AX \
	ANDL $15, AX \
	MOVL R10, BX \
	SHRL $SHSHIFT, BX \
	ANDL $3, BX \
	SHLL $4, BX \
	ORL BX, AX \
	SUBL $32, AX \
	VMOVD AX, X9 \
	VPBROADCASTW X9, Y9 \
	VPMADDWD Y9, Y6, Y6 \
	VPADDD Y6, Y8, Y8

// func dotIQ4_XSQ8_KAVX2(x, y unsafe.Pointer, n int) float32
// Per super-block: 8 int32 lanes as kLanesSigned, then one FMA with
// fp16(x.d)·y.d; hsum_float_8 at the end.
TEXT ·dotIQ4_XSQ8_KAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), R9
	NL4_SETUP(kvaluesIQ4NL<>)
	TESTQ R9, R9
	JZ iq4xsdone

iq4xsloop:
	MOVWLZX 2(SI), R10
	VPXOR Y8, Y8, Y8
	IQ4XS_SUB(8, 4, 4, 0, 0)
	IQ4XS_SUB(24, 36, 4, 4, 2)
	IQ4XS_SUB(40, 68, 5, 0, 4)
	IQ4XS_SUB(56, 100, 5, 4, 6)
	IQ4XS_SUB(72, 132, 6, 0, 8)
	IQ4XS_SUB(88, 164, 6, 4, 10)
	IQ4XS_SUB(104, 196, 7, 0, 12)
	IQ4XS_SUB(120, 228, 7, 4, 14)
	MOVWLZX 0(SI), AX
	VMOVD AX, X1
	VCVTPH2PS X1, X1
	VMULSS 0(DI), X1, X1
	VBROADCASTSS X1, Y1
	VCVTDQ2PS Y8, Y8
	VFMADD231PS Y8, Y1, Y0
	ADDQ $136, SI
	ADDQ $292, DI
	DECQ R9
	JNZ iq4xsloop

iq4xsdone:
	HSUM
	MOVSS X0, ret+24(FP)
	RET

// Q8ROW adds row BASE's block (scale fp16(x.d)·y.d with y.d in X10, the
// activations in Y3) to ACC, as SCALE and DOT32 do for one row.
#define Q8ROW(BASE, ACC) \
	MOVWLZX (BASE), AX \
	VMOVD AX, X1 \
	VCVTPH2PS X1, X1 \
	VMULSS X10, X1, X1 \
	VBROADCASTSS X1, Y1 \
	VMOVDQU 2(BASE), Y2 \
	DOT32TO(ACC)

// HSUMTO is HSUMR of ACC, stored at OFF(DX).
#define HSUMTO(ACC, XACC, OFF) \
	HSUMR(ACC, XACC) \
	MOVSS XACC, OFF(DX)

// func dotQ8_0Q8_0x4AVX2(x unsafe.Pointer, stride int, y unsafe.Pointer, n int, out *[4]float32)
// Four rows of q8_0 blocks (stride bytes apart) against one activation row:
// four independent chains of dotQ8_0Q8_0AVX2, each with its own bits, which
// hide the FMA latency one chain waits on and share the activation loads.
TEXT ·dotQ8_0Q8_0x4AVX2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ stride+8(FP), R8
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
	MOVQ out+32(FP), DX
	LEAQ (SI)(R8*1), R9
	LEAQ (SI)(R8*2), R10
	LEAQ (R9)(R8*2), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VPCMPEQW Y15, Y15, Y15
	VPSRLW $15, Y15, Y15
	TESTQ CX, CX
	JZ q8x4done

q8x4loop:
	MOVWLZX (DI), BX
	VMOVD BX, X10
	VCVTPH2PS X10, X10
	VMOVDQU 2(DI), Y3
	Q8ROW(SI, Y0)
	Q8ROW(R9, Y7)
	Q8ROW(R10, Y8)
	Q8ROW(R11, Y9)
	ADDQ $34, SI
	ADDQ $34, R9
	ADDQ $34, R10
	ADDQ $34, R11
	ADDQ $34, DI
	DECQ CX
	JNZ q8x4loop

q8x4done:
	HSUMTO(Y0, X0, 0)
	HSUMTO(Y7, X7, 4)
	HSUMTO(Y8, X8, 8)
	HSUMTO(Y9, X9, 12)
	VZEROUPPER
	RET
