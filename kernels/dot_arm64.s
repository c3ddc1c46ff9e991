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
