//go:build amd64 && !purego

#include "textflag.h"

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

// DOT32 adds d × (the 8 lane sums of the signed bytes Y2·Y3) to Y0.
#define DOT32 \
	VPSIGNB Y2, Y2, Y4 \
	VPSIGNB Y2, Y3, Y5 \
	VPMADDUBSW Y5, Y4, Y6 \
	VPMADDWD Y15, Y6, Y6 \
	VCVTDQ2PS Y6, Y6 \
	VFMADD231PS Y6, Y1, Y0

// HSUM is ggml's hsum_float_8 of Y0 into X0: the upper half onto the
// lower, lanes 0+2 and 1+3, then 0+1.
#define HSUM \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS X0, X1, X0 \
	VMOVHLPS X0, X0, X1 \
	VADDPS X1, X0, X0 \
	VMOVSHDUP X0, X1 \
	VADDSS X1, X0, X0 \
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
