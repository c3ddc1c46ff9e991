//go:build amd64 && !purego

#include "textflag.h"
#include "asm_amd64.h"

// VEXPSETUP loads ggml_v_expf's constants into Z15..Z28.
#define VEXPSETUP \
	VPXORD Z15, Z15, Z15 \
	BCASTD($0x4b400000, Z16) \
	BCASTD($0x3fb8aa3b, Z17) \
	BCASTD($0x3f317200, Z18) \
	BCASTD($0x35bfbe8e, Z19) \
	BCASTD($0x3c072010, Z20) \
	BCASTD($0x3d2b9f17, Z21) \
	BCASTD($0x3e2aaf33, Z22) \
	BCASTD($0x3efffedb, Z23) \
	BCASTD($0x3f7ffff6, Z24) \
	BCASTD($0x3f800000, Z25) \
	BCASTD($0x43400000, Z26) \
	BCASTD($0x7fffffff, Z27) \
	BCASTD($0x7f800000, Z28)

// VEXP computes ggml_v_expf of Z0 into Z8 (Z1..Z7, Z9, Z10, K1, K2
// scratch): z = x·log2e + 0x1.8p23, n = z − 0x1.8p23, b = x − n·c1 − n·c2,
// the polynomial j in b and b², VSCALEFPS(j, n); lanes with |n| > 192 are
// 0 (n ≤ 0) or +Inf.
#define VEXP(done) \
	VMOVAPS Z16, Z1 \
	VFMADD231PS Z17, Z0, Z1 \
	VSUBPS Z16, Z1, Z2 \
	VMOVAPS Z0, Z3 \
	VFNMADD231PS Z18, Z2, Z3 \
	VFNMADD231PS Z19, Z2, Z3 \
	VMULPS Z3, Z3, Z4 \
	VMOVAPS Z21, Z5 \
	VFMADD231PS Z20, Z3, Z5 \
	VMOVAPS Z23, Z6 \
	VFMADD231PS Z22, Z3, Z6 \
	VFMADD231PS Z5, Z4, Z6 \
	VMOVAPS Z25, Z7 \
	VFMADD231PS Z24, Z3, Z7 \
	VFMADD231PS Z6, Z4, Z7 \
	VSCALEFPS Z2, Z7, Z8 \
	VPANDD Z27, Z2, Z9 \
	VCMPPS $0x1e, Z26, Z9, K1 \
	KORTESTW K1, K1 \
	JZ done \
	VCMPPS $0x12, Z15, Z2, K2 \
	VBLENDMPS Z15, Z28, K2, Z10 \
	VBLENDMPS Z10, Z8, K1, Z8 \
done:

// func vexpAVX512(dst, src *float32, add float32, groups int)
TEXT ·vexpAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ groups+24(FP), CX
	VEXPSETUP
	VBROADCASTSS add+16(FP), Z29

vexploop:
	VMOVUPS (SI), Z0
	VADDPS Z29, Z0, Z0
	VEXP(vexpdone)
	VMOVUPS Z8, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ vexploop
	VZEROUPPER
	RET

// func swigluAVX512(dst, x, gate *float32, groups int)
// dst = x / (1 + exp(0 − x)) · g, as ggml_v_silu then a multiply.
TEXT ·swigluAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ gate+16(FP), DX
	MOVQ groups+24(FP), CX
	VEXPSETUP

swigluloop:
	VMOVUPS (SI), Z11
	VSUBPS Z11, Z15, Z0
	VEXP(swiglexpdone)
	VADDPS Z8, Z25, Z8
	VDIVPS Z8, Z11, Z11
	VMULPS (DX), Z11, Z11
	VMOVUPS Z11, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ CX
	JNZ swigluloop
	VZEROUPPER
	RET
