//go:build amd64 && !purego

#include "textflag.h"

// Interleaved-group kernels (interleave.go): per block column, the four
// rows' scales d_k = fp16(x.d_k)·fp16(y.d) in one multiply, the rows'
// quants in two 64-byte halves (rows 0|1 and rows 2|3), the activation
// block broadcast to both halves of Z5. Each row keeps ggml's eight
// float32 lanes, rows 0 and 1 in Z8 and rows 2 and 3 in Z9: lane k is the
// exact integer sum of elements 4k..4k+3, converted, then one FMA, the
// order of the AVX2 kernels. The lanes are folded as hsum_float_8.

// Permutation indexes spreading d0..d3 over the lanes of two rows.
DATA x4perm<>+0(SB)/8, $0x0000000000000000
DATA x4perm<>+8(SB)/8, $0x0000000000000000
DATA x4perm<>+16(SB)/8, $0x0000000000000000
DATA x4perm<>+24(SB)/8, $0x0000000000000000
DATA x4perm<>+32(SB)/8, $0x0000000100000001
DATA x4perm<>+40(SB)/8, $0x0000000100000001
DATA x4perm<>+48(SB)/8, $0x0000000100000001
DATA x4perm<>+56(SB)/8, $0x0000000100000001
DATA x4perm<>+64(SB)/8, $0x0000000200000002
DATA x4perm<>+72(SB)/8, $0x0000000200000002
DATA x4perm<>+80(SB)/8, $0x0000000200000002
DATA x4perm<>+88(SB)/8, $0x0000000200000002
DATA x4perm<>+96(SB)/8, $0x0000000300000003
DATA x4perm<>+104(SB)/8, $0x0000000300000003
DATA x4perm<>+112(SB)/8, $0x0000000300000003
DATA x4perm<>+120(SB)/8, $0x0000000300000003
GLOBL x4perm<>(SB), RODATA|NOPTR, $128

// X4SETUP zeroes the accumulators and loads the permutations (Z12, Z11)
// and zero (Z15); OFFSET is the byte the weights are offset by (VNNI
// multiplies unsigned bytes), broadcast into Z13.
#define X4SETUP(OFFSET) \
	MOVQ w+0(FP), SI \
	MOVQ y+8(FP), DI \
	MOVQ nb+16(FP), CX \
	MOVQ out+24(FP), DX \
	VPXORD Z8, Z8, Z8 \
	VPXORD Z9, Z9, Z9 \
	VPXORD Z15, Z15, Z15 \
	VMOVDQU64 x4perm<>+0(SB), Z12 \
	VMOVDQU64 x4perm<>+64(SB), Z11 \
	MOVL OFFSET, AX \
	VPBROADCASTD AX, Z13

// X4COLUMN starts a column: d_k in X6 spread as Z4 (rows 0|1) and Z7
// (rows 2|3); the activation block in Z5; Z2 = −(offset × the sums of
// four activations).
#define X4COLUMN \
	VCVTPH2PS (SI), X6 \
	MOVWLZX (DI), AX \
	VMOVD AX, X7 \
	VCVTPH2PS X7, X7 \
	VBROADCASTSS X7, X7 \
	VMULPS X7, X6, X6 \
	VPERMPS Z6, Z12, Z4 \
	VPERMPS Z6, Z11, Z7 \
	VBROADCASTI64X4 2(DI), Z5 \
	VMOVDQA64 Z15, Z2 \
	VPDPBUSD Z5, Z13, Z2 \
	VPSUBD Z2, Z15, Z2

// X4ACCUMULATE takes the offset quants of rows 0|1 in Z0 and rows 2|3 in
// Z1 and adds d × (lane sums) to Z8 and Z9.
#define X4ACCUMULATE \
	VMOVDQA64 Z2, Z3 \
	VPDPBUSD Z5, Z0, Z3 \
	VMOVDQA64 Z2, Z10 \
	VPDPBUSD Z5, Z1, Z10 \
	VCVTDQ2PS Z3, Z3 \
	VCVTDQ2PS Z10, Z10 \
	VFMADD231PS Z3, Z4, Z8 \
	VFMADD231PS Z10, Z7, Z9

// X4STORE folds each row's eight lanes as hsum_float_8 into out[0..3].
#define X4STORE \
	VEXTRACTF64X4 $1, Z8, Y2 \
	VEXTRACTF64X4 $1, Z9, Y3 \
	HSUMR(Y8, X8) \
	MOVSS X8, 0(DX) \
	HSUMR(Y2, X2) \
	MOVSS X2, 4(DX) \
	HSUMR(Y9, X9) \
	MOVSS X9, 8(DX) \
	HSUMR(Y3, X3) \
	MOVSS X3, 12(DX) \
	VZEROUPPER

#define HSUMR(ACC, XACC) \
	VEXTRACTF128 $1, ACC, X1 \
	VADDPS XACC, X1, XACC \
	VMOVHLPS XACC, XACC, X1 \
	VADDPS X1, XACC, XACC \
	VMOVSHDUP XACC, X1 \
	VADDSS X1, XACC, XACC

// func dotQ8_0x4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)
TEXT ·dotQ8_0x4VNNI(SB), NOSPLIT, $0-32
	X4SETUP($0x80808080)

q8x4loop:
	X4COLUMN
	VMOVDQU64 8(SI), Z0
	VMOVDQU64 72(SI), Z1
	VPXORD Z13, Z0, Z0 // x + 128
	VPXORD Z13, Z1, Z1
	X4ACCUMULATE
	ADDQ $136, SI
	ADDQ $34, DI
	DECQ CX
	JNZ q8x4loop
	X4STORE
	RET

// func dotQ4_0x4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)
TEXT ·dotQ4_0x4VNNI(SB), NOSPLIT, $0-32
	X4SETUP($0x08080808)
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z14

q4x4loop:
	X4COLUMN
	VMOVDQU64 8(SI), Z0
	VPSRLW $4, Z0, Z1
	VPANDD Z14, Z0, Z0 // rows 0|1: nibble q, offset 8 from q − 8
	VPANDD Z14, Z1, Z1 // rows 2|3
	X4ACCUMULATE
	ADDQ $72, SI
	ADDQ $34, DI
	DECQ CX
	JNZ q4x4loop
	X4STORE
	RET
