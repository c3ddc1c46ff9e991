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
