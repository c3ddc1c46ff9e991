// Macros shared by the amd64 kernels (included by the .s files).

// HSUMR is ggml's hsum_float_8 of the accumulator ACC into XACC, its low
// half: the upper half onto the lower, lanes 0+2 and 1+3, then 0+1. X1 is
// scratch.
#define HSUMR(ACC, XACC) \
	VEXTRACTF128 $1, ACC, X1 \
	VADDPS XACC, X1, XACC \
	VMOVHLPS XACC, XACC, X1 \
	VADDPS X1, XACC, XACC \
	VMOVSHDUP XACC, X1 \
	VADDSS X1, XACC, XACC

// PACKORDER leaves in YDST the VPERMD indexes (0, 4, 1, 5, 2, 6, 3, 7)
// that undo the 128-bit lane interleave of VPACKSSDW then VPACKSSWB, so
// that 32 int32 values come out as bytes in element order. XTMP and AX
// are scratch.
#define PACKORDER(YDST, XDST, XTMP) \
	MOVQ $0x0000000400000000, AX \
	VMOVQ AX, XDST \
	MOVQ $0x0000000500000001, AX \
	VPINSRQ $1, AX, XDST, XDST \
	MOVQ $0x0000000600000002, AX \
	VMOVQ AX, XTMP \
	MOVQ $0x0000000700000003, AX \
	VPINSRQ $1, AX, XTMP, XTMP \
	VINSERTI128 $1, XTMP, YDST, YDST

// BCASTD broadcasts the 32-bit constant V into every lane of Z (AX is
// scratch).
#define BCASTD(V, Z) \
	MOVL V, AX \
	VPBROADCASTD AX, Z
