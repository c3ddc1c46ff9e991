//go:build amd64 && !purego

#include "textflag.h"
#include "asm_amd64.h"

// func quantizeActQ8_0AVX2(dst, x unsafe.Pointer, n int)
// quantizeActQ8_0Generic over n blocks of 32 floats, as ggml-cpu's AVX2
// quantize_row_q8_0: amax by VMAXPS of the absolute values, d = amax/127
// stored as fp16 (VCVTPS2PH, round to nearest even), id = 127/amax (0 for
// amax 0), each value times id rounded to nearest even (VCVTPS2DQ) and
// packed to bytes in element order.
TEXT ·quantizeActQ8_0AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	TESTQ CX, CX
	JZ qadone
	VPCMPEQD Y15, Y15, Y15
	VPSRLD $1, Y15, Y14 // abs mask 0x7fffffff
	MOVL $0x42fe0000, AX // 127.0
	VMOVD AX, X13
	VXORPS X12, X12, X12
	PACKORDER(Y11, X11, X10)

qaloop:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VANDPS Y14, Y0, Y4
	VANDPS Y14, Y1, Y5
	VANDPS Y14, Y2, Y6
	VANDPS Y14, Y3, Y7
	VMAXPS Y5, Y4, Y4
	VMAXPS Y7, Y6, Y6
	VMAXPS Y6, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VMAXPS X5, X4, X4
	VMOVHLPS X4, X4, X5
	VMAXPS X5, X4, X4
	VMOVSHDUP X4, X5
	VMAXSS X5, X4, X4 // amax

	VDIVSS X13, X4, X5 // d = amax/127
	VCVTPS2PH $0, X5, X5
	VPEXTRW $0, X5, AX
	MOVW AX, (DI)
	VDIVSS X4, X13, X6 // 127/amax
	VCMPSS $4, X12, X4, X7 // amax != 0
	VANDPS X7, X6, X6
	VBROADCASTSS X6, Y6

	VMULPS Y6, Y0, Y0
	VMULPS Y6, Y1, Y1
	VMULPS Y6, Y2, Y2
	VMULPS Y6, Y3, Y3
	VCVTPS2DQ Y0, Y0
	VCVTPS2DQ Y1, Y1
	VCVTPS2DQ Y2, Y2
	VCVTPS2DQ Y3, Y3
	VPACKSSDW Y1, Y0, Y0
	VPACKSSDW Y3, Y2, Y2
	VPACKSSWB Y2, Y0, Y0
	VPERMD Y0, Y11, Y0
	VMOVDQU Y0, 2(DI)

	ADDQ $128, SI
	ADDQ $34, DI
	DECQ CX
	JNZ qaloop
	VZEROUPPER

qadone:
	RET

// func quantizeQ8_KAVX2(dst, x unsafe.Pointer, n int)
// quantizeQ8_KGeneric over n blocks of 256 floats: amax by VMAXPS, the
// signed max the first value whose magnitude equals it (VCMPPS, then
// TZCNT of the mask), iscale = −127/max, each value times iscale rounded
// to nearest even (what nearest_int does in range) and capped at 127,
// bsums folded from the int32 values (VPHADDD), d = 1/iscale.
TEXT ·quantizeQ8_KAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	TESTQ CX, CX
	JZ qkdone
	VPCMPEQD Y15, Y15, Y15
	VPSRLD $1, Y15, Y14 // abs mask
	VPSRLD $25, Y15, Y13 // 127 in each int32
	MOVL $0xc2fe0000, AX // −127.0
	VMOVD AX, X12
	MOVL $0x3f800000, AX // 1.0
	VMOVD AX, X10
	PACKORDER(Y11, X11, X9)

qkloop:
	// amax over the 256 values.
	VANDPS 0(SI), Y14, Y0
	XORQ AX, AX
qkmax:
	VANDPS 32(SI)(AX*1), Y14, Y1
	VMAXPS Y1, Y0, Y0
	ADDQ $32, AX
	CMPQ AX, $992
	JLT qkmax
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VMOVHLPS X0, X0, X1
	VMAXPS X1, X0, X0
	VMOVSHDUP X0, X1
	VMAXSS X1, X0, X0
	VXORPS X1, X1, X1
	VUCOMISS X1, X0
	JE qkzero
	VBROADCASTSS X0, Y0

	// The first value with that magnitude.
	XORQ AX, AX
qkfind:
	VANDPS (SI)(AX*1), Y14, Y1
	VCMPPS $0, Y0, Y1, Y1
	VMOVMSKPS Y1, BX
	TESTL BX, BX
	JNZ qkfound
	ADDQ $32, AX
	JMP qkfind
qkfound:
	TZCNTL BX, BX
	LEAQ (AX)(BX*4), AX
	VMOVSS (SI)(AX*1), X1
	VDIVSS X1, X12, X2 // iscale = −127/max
	VDIVSS X2, X10, X3 // d = 1/iscale
	VMOVSS X3, (DI)
	VBROADCASTSS X2, Y2

	// 32 values at a time: quants at 4+k, two bsums at 260+k/8.
	XORQ AX, AX
	XORQ DX, DX
qkquant:
	VMULPS 0(SI)(AX*4), Y2, Y4
	VMULPS 32(SI)(AX*4), Y2, Y5
	VMULPS 64(SI)(AX*4), Y2, Y6
	VMULPS 96(SI)(AX*4), Y2, Y7
	VCVTPS2DQ Y4, Y4
	VCVTPS2DQ Y5, Y5
	VCVTPS2DQ Y6, Y6
	VCVTPS2DQ Y7, Y7
	VPMINSD Y13, Y4, Y4
	VPMINSD Y13, Y5, Y5
	VPMINSD Y13, Y6, Y6
	VPMINSD Y13, Y7, Y7
	VPADDD Y5, Y4, Y8 // the first 16 in 8 lanes
	VPADDD Y7, Y6, Y9 // the second 16
	VPHADDD Y9, Y8, Y8
	VPHADDD Y8, Y8, Y8
	VEXTRACTI128 $1, Y8, X9
	VPADDD X9, X8, X8 // lanes 0 and 1: the two sums
	VPACKSSDW X8, X8, X8
	VMOVD X8, 260(DI)(DX*1)
	VPACKSSDW Y5, Y4, Y4
	VPACKSSDW Y7, Y6, Y6
	VPACKSSWB Y6, Y4, Y4
	VPERMD Y4, Y11, Y4
	VMOVDQU Y4, 4(DI)(AX*1)
	ADDQ $32, AX
	ADDQ $4, DX
	CMPQ AX, $256
	JLT qkquant
	JMP qknext

qkzero:
	VXORPS Y0, Y0, Y0
	VMOVDQU Y0, 0(DI)
	VMOVDQU Y0, 32(DI)
	VMOVDQU Y0, 64(DI)
	VMOVDQU Y0, 96(DI)
	VMOVDQU Y0, 128(DI)
	VMOVDQU Y0, 160(DI)
	VMOVDQU Y0, 192(DI)
	VMOVDQU Y0, 224(DI)
	VMOVDQU Y0, 256(DI)
	VMOVD X0, 288(DI)

qknext:
	ADDQ $1024, SI
	ADDQ $292, DI
	DECQ CX
	JNZ qkloop
	VZEROUPPER

qkdone:
	RET
