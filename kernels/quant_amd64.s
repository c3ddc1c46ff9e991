//go:build amd64 && !purego

#include "textflag.h"

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
	// VPERMD order undoing the lane interleave of VPACKSSDW/VPACKSSWB.
	MOVQ $0x0000000400000000, AX
	VMOVQ AX, X11
	MOVQ $0x0000000500000001, AX
	VPINSRQ $1, AX, X11, X11
	MOVQ $0x0000000600000002, AX
	VMOVQ AX, X10
	MOVQ $0x0000000700000003, AX
	VPINSRQ $1, AX, X10, X10
	VINSERTI128 $1, X10, Y11, Y11

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
