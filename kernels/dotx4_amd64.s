//go:build amd64 && !purego

#include "textflag.h"
#include "asm_amd64.h"

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

// X4X2ARGS loads the two-activation kernels' arguments: the group (SI),
// activation A (DI), B (R9, ystride bytes on), the column count (CX),
// out (DX).
#define X4X2ARGS \
	MOVQ w+0(FP), SI \
	MOVQ y+8(FP), DI \
	MOVQ ystride+16(FP), R9 \
	ADDQ DI, R9 \
	MOVQ nb+24(FP), CX \
	MOVQ out+32(FP), DX

// X4ARGS loads the arguments every interleaved kernel takes: the group
// (SI), the activations (DI), the column count (CX) and out (DX).
#define X4ARGS \
	MOVQ w+0(FP), SI \
	MOVQ y+8(FP), DI \
	MOVQ nb+16(FP), CX \
	MOVQ out+24(FP), DX

// X4X2SETUP is X4SETUP's constants for the two-activation kernels, with
// B's accumulators Z16, Z17 zeroed too.
#define X4X2SETUP(OFFSET) \
	VPXORD Z8, Z8, Z8 \
	VPXORD Z9, Z9, Z9 \
	VPXORD Z16, Z16, Z16 \
	VPXORD Z17, Z17, Z17 \
	VPXORD Z15, Z15, Z15 \
	VMOVDQU64 x4perm<>+0(SB), Z12 \
	VMOVDQU64 x4perm<>+64(SB), Z11 \
	BCASTD(OFFSET, Z13)

// X4SETUP zeroes the accumulators and loads the permutations (Z12, Z11)
// and zero (Z15); OFFSET is the byte the weights are offset by (VNNI
// multiplies unsigned bytes), broadcast into Z13.
#define X4SETUP(OFFSET) \
	X4ARGS \
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
	BCASTD($0x0f0f0f0f, Z14)

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

// Constants of the q4_K kernel: word indexes selecting, for chunk 0, the
// scale of row 0 (word 0) in the low half and of row 1 (word 8) in the
// high half; dword indexes spreading d0..d3 and dmin0..dmin3; the sign
// that negates y.d for the mins.
DATA q4kx4<>+0(SB)/8, $0x0000000000000000
DATA q4kx4<>+8(SB)/8, $0x0000000000000000
DATA q4kx4<>+16(SB)/8, $0x0000000000000000
DATA q4kx4<>+24(SB)/8, $0x0000000000000000
DATA q4kx4<>+32(SB)/8, $0x0008000800080008
DATA q4kx4<>+40(SB)/8, $0x0008000800080008
DATA q4kx4<>+48(SB)/8, $0x0008000800080008
DATA q4kx4<>+56(SB)/8, $0x0008000800080008
DATA q4kx4<>+64(SB)/8, $0x0000000400000004
DATA q4kx4<>+72(SB)/8, $0x0000000400000004
DATA q4kx4<>+80(SB)/8, $0x0000000500000005
DATA q4kx4<>+88(SB)/8, $0x0000000500000005
DATA q4kx4<>+96(SB)/8, $0x0000000600000006
DATA q4kx4<>+104(SB)/8, $0x0000000600000006
DATA q4kx4<>+112(SB)/8, $0x0000000700000007
DATA q4kx4<>+120(SB)/8, $0x0000000700000007
DATA q4kx4<>+128(SB)/8, $0x0000000000000000
DATA q4kx4<>+136(SB)/8, $0x0000000000000000
DATA q4kx4<>+144(SB)/8, $0x8000000080000000
DATA q4kx4<>+152(SB)/8, $0x8000000080000000
GLOBL q4kx4<>(SB), RODATA|NOPTR, $160

// Q4KX4_CHUNK adds chunk V's scaled products to the row-pair lanes Z19
// (rows 0|1) and Z20 (rows 2|3): the nibbles at 64+64V, the activations
// at 4+32V of the q8_K block, the scale words picked from Z7/Z8 by the
// index in Z21, which then moves on to the next chunk.
#define Q4KX4_CHUNK(V) \
	VBROADCASTI64X4 (4+32*V)(DI), Z5 \
	VMOVDQU64 (64+64*V)(SI), Z0 \
	VPSRLW $4, Z0, Z1 \
	VPANDD Z15, Z0, Z0 \
	VPANDD Z15, Z1, Z1 \
	VPMADDUBSW Z5, Z0, Z2 \
	VPMADDUBSW Z5, Z1, Z3 \
	VPERMW Z7, Z21, Z4 \
	VPERMW Z8, Z21, Z6 \
	VPDPWSSD Z4, Z2, Z19 \
	VPDPWSSD Z6, Z3, Z20 \
	VPADDW Z23, Z21, Z21

// Q4KX4_ROW folds row ROW's lanes (YACC) as hsum_float_8, adds its mins'
// four lanes (the 128-bit lane ROW of Z18) folded as the AVX2 kernel folds
// them, and stores the sum at out[ROW].
#define Q4KX4_ROW(YACC, ROW) Q4KX4_ROWX(YACC, ROW, Z18, 4*ROW)

// Q4KX4_ROWX is Q4KX4_ROW with the mins' lanes in ZM and the result
// stored at OFF(DX).
#define Q4KX4_ROWX(YACC, ROW, ZM, OFF) \
	HSUMR(YACC, X0) \
	VEXTRACTF32X4 $ROW, ZM, X2 \
	VMOVHLPS X2, X2, X1 \
	VADDPS X1, X2, X2 \
	VMOVSHDUP X2, X1 \
	VADDSS X1, X2, X2 \
	VADDSS X2, X0, X0 \
	MOVSS X0, OFF(DX)

// KX4SETUP loads the q4_K/q5_K kernels' constants and zeroes the row
// accumulators Z16, Z17 and the mins' lanes Z18.
#define KX4SETUP \
	VPXORD Z16, Z16, Z16 \
	VPXORD Z17, Z17, Z17 \
	VPXORD Z18, Z18, Z18 \
	BCASTD($0x0f0f0f0f, Z15) \
	BCASTD($0x3f3f3f3f, Z14) \
	BCASTD($0x03030303, Z13) \
	BCASTD($0x00010001, Z23) \
	VMOVDQU64 q4kx4<>+0(SB), Z22 \
	VMOVDQU64 x4perm<>+0(SB), Z24 \
	VMOVDQU64 x4perm<>+64(SB), Z25 \
	VMOVDQU64 q4kx4<>+64(SB), Z26 \
	VMOVDQU32 q4kx4<>+128(SB), Y27

// KX4SCALES starts a q4_K/q5_K column: the four rows' 6-bit scales and
// mins decoded at once from the regrouped scale bytes (kmask1..3), the
// scale words in Y7 (rows 0, 1) and Y8 (rows 2, 3), the mins against the
// pairwise bsums sums added to Z18 (times dmin), d spread in Z28/Z29.
#define KX4DECODE \
	VMOVDQU 16(SI), X0 \
	VMOVDQU 32(SI), X1 \
	VMOVDQU 48(SI), X2 \
	VPAND X14, X0, X3 \
	VPAND X14, X1, X4 \
	VPSRLW $6, X0, X5 \
	VPAND X13, X5, X5 \
	VPSLLW $4, X5, X5 \
	VPAND X15, X2, X6 \
	VPOR X5, X6, X6 \
	VPSRLW $6, X1, X5 \
	VPAND X13, X5, X5 \
	VPSLLW $4, X5, X5 \
	VPSRLW $4, X2, X10 \
	VPAND X15, X10, X10 \
	VPOR X5, X10, X10 \
	VPUNPCKLDQ X6, X3, X7 \
	VPUNPCKHDQ X6, X3, X8 \
	VPMOVZXBW X7, Y7 \
	VPMOVZXBW X8, Y8 \
	VPUNPCKLDQ X10, X4, X9 \
	VPUNPCKHDQ X10, X4, X12 \
	VPMOVZXBW X9, Y9 \
	VPMOVZXBW X12, Y12 \
	VINSERTI64X4 $1, Y12, Z9, Z9 \
	VMOVDQU 260(DI), X11 \
	VMOVDQU 276(DI), X12 \
	VPHADDW X12, X11, X11 \
	VSHUFI32X4 $0, Z11, Z11, Z11 \
	VPMADDWD Z11, Z9, Z12

// KX4D converts the mins' products (Z12), adds them times dmin to Z18,
// and spreads d over Z28/Z29.
#define KX4D \
	VCVTDQ2PS Z12, Z12 \
	VCVTPH2PS (SI), Y10 \
	VBROADCASTSS (DI), Y11 \
	VXORPS Y27, Y11, Y11 \
	VMULPS Y11, Y10, Y10 \
	VPERMPS Z10, Z26, Z11 \
	VFMADD231PS Z12, Z11, Z18 \
	VPERMPS Z10, Z24, Z28 \
	VPERMPS Z10, Z25, Z29

// KX4SCALES is KX4DECODE then KX4D: q4_K's mins, four lanes per row.
#define KX4SCALES \
	KX4DECODE \
	KX4D

// KX5MINS sums each row's four mins products (q5_K adds them into one
// scalar per row, ggml's summs; every lane of the row then holds it).
#define KX5MINS SUM4LANES(Z12, Z31)

// SUM4LANES sets each 128-bit lane of the int32 vector Z to the sum of
// its four values (T is scratch).
#define SUM4LANES(Z, T) \
	VPSHUFD $0xb1, Z, T \
	VPADDD T, Z, Z \
	VPSHUFD $0x4e, Z, T \
	VPADDD T, Z, Z

// Q5KX4_ROW folds row ROW's lanes (YACC) as hsum_float_8 and adds its
// summs (a lane of the 128-bit lane ROW of Z18).
#define Q5KX4_ROW(YACC, ROW) Q5KX4_ROWX(YACC, ROW, Z18, 4*ROW)

// Q5KX4_ROWX is Q5KX4_ROW with the summs in ZM, stored at OFF(DX).
#define Q5KX4_ROWX(YACC, ROW, ZM, OFF) \
	HSUMR(YACC, X0) \
	VEXTRACTF32X4 $ROW, ZM, X2 \
	VADDSS X2, X0, X0 \
	MOVSS X0, OFF(DX)

// KX4FINISH adds the column's integer lanes times d to the row
// accumulators.
#define KX4FINISH \
	VCVTDQ2PS Z19, Z19 \
	VCVTDQ2PS Z20, Z20 \
	VFMADD231PS Z19, Z28, Z16 \
	VFMADD231PS Z20, Z29, Z17

// KX4STORE folds each row and its mins into out[0..3].
#define KX4STORE \
	VMOVAPS Z16, Z0 \
	Q4KX4_ROW(Y0, 0) \
	VEXTRACTF64X4 $1, Z16, Y0 \
	Q4KX4_ROW(Y0, 1) \
	VMOVAPS Z17, Z0 \
	Q4KX4_ROW(Y0, 2) \
	VEXTRACTF64X4 $1, Z17, Y0 \
	Q4KX4_ROW(Y0, 3)

// func dotQ4_Kx4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)
// Per super-block column: the four rows' 6-bit scales and mins decoded
// at once (kmask1..3 on the regrouped scale bytes), the mins against the
// pairwise bsums sums into four lanes per row (Z18), the scaled nibble
// products into eight int32 lanes per row (VPMADDUBSW, then VPDPWSSD with
// the chunk's scale), converted and added with one FMA per row.
TEXT ·dotQ4_Kx4VNNI(SB), NOSPLIT, $0-32
	X4ARGS
	KX4SETUP

q4kx4loop:
	KX4SCALES
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VMOVDQA64 Z22, Z21
	Q4KX4_CHUNK(0)
	Q4KX4_CHUNK(1)
	Q4KX4_CHUNK(2)
	Q4KX4_CHUNK(3)
	Q4KX4_CHUNK(4)
	Q4KX4_CHUNK(5)
	Q4KX4_CHUNK(6)
	Q4KX4_CHUNK(7)
	KX4FINISH
	ADDQ $576, SI
	ADDQ $292, DI
	DECQ CX
	JNZ q4kx4loop
	KX4STORE
	VZEROUPPER
	RET

// Q5KX4_CHUNK is Q4KX4_CHUNK with each value's fifth bit: the bit masks of
// chunk V at 576+16V (rows 0|1 as 64 bits, then rows 2|3) add 16 to the
// nibbles where set.
#define Q5KX4_CHUNK(V) \
	VBROADCASTI64X4 (4+32*V)(DI), Z5 \
	VMOVDQU64 (64+64*V)(SI), Z0 \
	VPSRLW $4, Z0, Z1 \
	VPANDD Z15, Z0, Z0 \
	VPANDD Z15, Z1, Z1 \
	KMOVQ (576+16*V)(SI), K1 \
	KMOVQ (584+16*V)(SI), K2 \
	VPADDB Z30, Z0, K1, Z0 \
	VPADDB Z30, Z1, K2, Z1 \
	VPMADDUBSW Z5, Z0, Z2 \
	VPMADDUBSW Z5, Z1, Z3 \
	VPERMW Z7, Z21, Z4 \
	VPERMW Z8, Z21, Z6 \
	VPDPWSSD Z4, Z2, Z19 \
	VPDPWSSD Z6, Z3, Z20 \
	VPADDW Z23, Z21, Z21

// func dotQ5_Kx4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)
// dotQ4_Kx4VNNI with the fifth bit of each value (interleave.go's q5_K
// column of 704 bytes).
TEXT ·dotQ5_Kx4VNNI(SB), NOSPLIT, $0-32
	X4ARGS
	KX4SETUP
	BCASTD($0x10101010, Z30)

q5kx4loop:
	KX4DECODE
	KX5MINS
	KX4D
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VMOVDQA64 Z22, Z21
	Q5KX4_CHUNK(0)
	Q5KX4_CHUNK(1)
	Q5KX4_CHUNK(2)
	Q5KX4_CHUNK(3)
	Q5KX4_CHUNK(4)
	Q5KX4_CHUNK(5)
	Q5KX4_CHUNK(6)
	Q5KX4_CHUNK(7)
	KX4FINISH
	ADDQ $704, SI
	ADDQ $292, DI
	DECQ CX
	JNZ q5kx4loop
	VMOVAPS Z16, Z0
	Q5KX4_ROW(Y0, 0)
	VEXTRACTF64X4 $1, Z16, Y0
	Q5KX4_ROW(Y0, 1)
	VMOVAPS Z17, Z0
	Q5KX4_ROW(Y0, 2)
	VEXTRACTF64X4 $1, Z17, Y0
	Q5KX4_ROW(Y0, 3)
	VZEROUPPER
	RET

// Constants of the q6_K kernel: word indexes of chunk 0's two scales for
// rows 0|1 (row 1's sixteen scales start at word 16); per-half shifts that
// bring rows 0|1 and rows 2|3's high bits to bits 4-5.
DATA q6kx4<>+0(SB)/8, $0x0000000000000000
DATA q6kx4<>+8(SB)/8, $0x0000000000000000
DATA q6kx4<>+16(SB)/8, $0x0001000100010001
DATA q6kx4<>+24(SB)/8, $0x0001000100010001
DATA q6kx4<>+32(SB)/8, $0x0010001000100010
DATA q6kx4<>+40(SB)/8, $0x0010001000100010
DATA q6kx4<>+48(SB)/8, $0x0011001100110011
DATA q6kx4<>+56(SB)/8, $0x0011001100110011
DATA q6kx4<>+64(SB)/8, $0x0000000000000000
DATA q6kx4<>+72(SB)/8, $0x0000000000000000
DATA q6kx4<>+80(SB)/8, $0x0000000000000000
DATA q6kx4<>+88(SB)/8, $0x0000000000000000
DATA q6kx4<>+96(SB)/8, $0x0002000200020002
DATA q6kx4<>+104(SB)/8, $0x0002000200020002
DATA q6kx4<>+112(SB)/8, $0x0002000200020002
DATA q6kx4<>+120(SB)/8, $0x0002000200020002
DATA q6kx4<>+128(SB)/8, $0x0004000400040004
DATA q6kx4<>+136(SB)/8, $0x0004000400040004
DATA q6kx4<>+144(SB)/8, $0x0004000400040004
DATA q6kx4<>+152(SB)/8, $0x0004000400040004
DATA q6kx4<>+160(SB)/8, $0x0002000200020002
DATA q6kx4<>+168(SB)/8, $0x0002000200020002
DATA q6kx4<>+176(SB)/8, $0x0002000200020002
DATA q6kx4<>+184(SB)/8, $0x0002000200020002
GLOBL q6kx4<>(SB), RODATA|NOPTR, $192

// Q6KX4_CHUNK adds chunk V to the row-pair lanes Z19 and Z20: the 6-bit
// values (nibbles at 72+64V, high bits at 584+32V moved to bits 4-5 and
// merged with VPTERNLOGD: A | (B & 0x30)) times the activations, less 32
// times the activations (Z9), then VPDPWSSD with the two scales of each
// row's half chunk.
#define Q6KX4_CHUNK(V) \
	VBROADCASTI64X4 (4+32*V)(DI), Z5 \
	VPMADDUBSW Z5, Z13, Z9 \
	VMOVDQU64 (72+64*V)(SI), Z0 \
	VPSRLW $4, Z0, Z1 \
	VPANDD Z15, Z0, Z0 \
	VPANDD Z15, Z1, Z1 \
	VBROADCASTI64X4 (584+32*V)(SI), Z2 \
	VPSRLVW Z26, Z2, Z10 \
	VPSLLVW Z27, Z2, Z11 \
	VPTERNLOGD $0xf8, Z14, Z10, Z0 \
	VPTERNLOGD $0xf8, Z14, Z11, Z1 \
	VPMADDUBSW Z5, Z0, Z2 \
	VPMADDUBSW Z5, Z1, Z3 \
	VPSUBW Z9, Z2, Z2 \
	VPSUBW Z9, Z3, Z3 \
	VPERMW Z7, Z21, Z4 \
	VPERMW Z8, Z21, Z6 \
	VPDPWSSD Z4, Z2, Z19 \
	VPDPWSSD Z6, Z3, Z20 \
	VPADDW Z23, Z21, Z21

// Q6KX4SETUP zeroes Z16, Z17 and loads the q6_K kernels' constants: the
// nibble mask, the high-bit mask 0x30, 32s, words of 2 (the next chunk's
// scales), the first chunk's scale indexes and the per-half shifts.
#define Q6KX4SETUP \
	VPXORD Z16, Z16, Z16 \
	VPXORD Z17, Z17, Z17 \
	BCASTD($0x0f0f0f0f, Z15) \
	BCASTD($0x30303030, Z14) \
	BCASTD($0x20202020, Z13) \
	BCASTD($0x00020002, Z23) \
	VMOVDQU64 q6kx4<>+0(SB), Z22 \
	VMOVDQU64 q6kx4<>+64(SB), Z26 \
	VMOVDQU64 q6kx4<>+128(SB), Z27 \
	VMOVDQU64 x4perm<>+0(SB), Z24 \
	VMOVDQU64 x4perm<>+64(SB), Z25

// func dotQ6_Kx4VNNI(w, y unsafe.Pointer, nb int, out *[4]float32)
TEXT ·dotQ6_Kx4VNNI(SB), NOSPLIT, $0-32
	X4ARGS
	Q6KX4SETUP

q6kx4loop:
	VPMOVSXBW 8(SI), Z7  // scales of rows 0 and 1 as words
	VPMOVSXBW 40(SI), Z8 // rows 2 and 3
	VCVTPH2PS (SI), X10
	VBROADCASTSS (DI), X11
	VMULPS X11, X10, X10
	VPERMPS Z10, Z24, Z28
	VPERMPS Z10, Z25, Z29

	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VMOVDQA64 Z22, Z21
	Q6KX4_CHUNK(0)
	Q6KX4_CHUNK(1)
	Q6KX4_CHUNK(2)
	Q6KX4_CHUNK(3)
	Q6KX4_CHUNK(4)
	Q6KX4_CHUNK(5)
	Q6KX4_CHUNK(6)
	Q6KX4_CHUNK(7)
	VCVTDQ2PS Z19, Z19
	VCVTDQ2PS Z20, Z20
	VFMADD231PS Z19, Z28, Z16
	VFMADD231PS Z20, Z29, Z17

	ADDQ $840, SI
	ADDQ $292, DI
	DECQ CX
	JNZ q6kx4loop

	VMOVAPS Z16, Z8
	VMOVAPS Z17, Z9
	X4STORE
	RET

// KX2BMINS puts activation B's (R9) mins products in Z31: its bsums pair
// sums times the mins words KX4DECODE left in Z9 (A's are in Z12).
#define KX2BMINS \
	VMOVDQU 260(R9), X11 \
	VMOVDQU 276(R9), X2 \
	VPHADDW X2, X11, X11 \
	VSHUFI32X4 $0, Z11, Z11, Z11 \
	VPMADDWD Z11, Z9, Z31

// KX2DMINS converts both activations' mins products (A: Z12, B: Z31) and
// adds them times dmin = (−y.d)·x.dmin to Z18 and Z30; x.d and x.dmin are
// left as floats in Y10.
#define KX2DMINS \
	VCVTPH2PS (SI), Y10 \
	VBROADCASTSS (DI), Y11 \
	VXORPS Y27, Y11, Y11 \
	VMULPS Y11, Y10, Y2 \
	VPERMPS Z2, Z26, Z3 \
	VCVTDQ2PS Z12, Z12 \
	VFMADD231PS Z12, Z3, Z18 \
	VBROADCASTSS (R9), Y11 \
	VXORPS Y27, Y11, Y11 \
	VMULPS Y11, Y10, Y2 \
	VPERMPS Z2, Z26, Z3 \
	VCVTDQ2PS Z31, Z31 \
	VFMADD231PS Z31, Z3, Z30

// KX2NEXT ends a q4_K/q5_K two-activation column: both activations'
// lanes times d into their accumulators, then the pointers move on.
#define KX2NEXT(COLBYTES) \
	KX2FINISH(DI, Z19, Z20, Z16, Z17) \
	KX2FINISH(R9, Z11, Z12, Z28, Z29) \
	ADDQ COLBYTES, SI \
	ADDQ $292, DI \
	ADDQ $292, R9

// KX2STORE folds the eight rows (A in Z16/Z17 with mins Z18, B in
// Z28/Z29 with mins Z30) into out[0..7] with ROWX, the type's row fold.
#define KX2STORE(ROWX) \
	VMOVAPS Z16, Z0 \
	ROWX(Y0, 0, Z18, 0) \
	VEXTRACTF64X4 $1, Z16, Y0 \
	ROWX(Y0, 1, Z18, 4) \
	VMOVAPS Z17, Z0 \
	ROWX(Y0, 2, Z18, 8) \
	VEXTRACTF64X4 $1, Z17, Y0 \
	ROWX(Y0, 3, Z18, 12) \
	VMOVAPS Z28, Z0 \
	ROWX(Y0, 0, Z30, 16) \
	VEXTRACTF64X4 $1, Z28, Y0 \
	ROWX(Y0, 1, Z30, 20) \
	VMOVAPS Z29, Z0 \
	ROWX(Y0, 2, Z30, 24) \
	VEXTRACTF64X4 $1, Z29, Y0 \
	ROWX(Y0, 3, Z30, 28)

// Q4KX4X2_CHUNK is Q4KX4_CHUNK for two activations: the nibbles and the
// chunk's scale words are decoded once, then multiplied with activation A
// (DI) into Z19/Z20 and activation B (R9) into Z11/Z12.
#define Q4KX4X2_CHUNK(V) \
	KX2LOAD(V) \
	KX2MUL(V)

// KX2LOAD loads chunk V's nibbles: rows 0|1 in Z0, rows 2|3 in Z1.
#define KX2LOAD(V) \
	VMOVDQU64 (64+64*V)(SI), Z0 \
	VPSRLW $4, Z0, Z1 \
	VPANDD Z15, Z0, Z0 \
	VPANDD Z15, Z1, Z1

// KX2MUL picks chunk V's scale words and adds the values (Z0, Z1) times
// activation A (DI) to Z19/Z20 and B (R9) to Z11/Z12.
#define KX2MUL(V) \
	VPERMW Z7, Z21, Z4 \
	VPERMW Z8, Z21, Z6 \
	VBROADCASTI64X4 (4+32*V)(DI), Z5 \
	VPMADDUBSW Z5, Z0, Z2 \
	VPMADDUBSW Z5, Z1, Z3 \
	VPDPWSSD Z4, Z2, Z19 \
	VPDPWSSD Z6, Z3, Z20 \
	VBROADCASTI64X4 (4+32*V)(R9), Z5 \
	VPMADDUBSW Z5, Z0, Z2 \
	VPMADDUBSW Z5, Z1, Z3 \
	VPDPWSSD Z4, Z2, Z11 \
	VPDPWSSD Z6, Z3, Z12 \
	VPADDW Z23, Z21, Z21

// KX2FINISH adds the lanes LA, LB (rows 0|1, 2|3) of the activation at
// YP times d = y.d·x.d (x.d in the low lanes of Y10) to ACCA, ACCB.
#define KX2FINISH(YP, LA, LB, ACCA, ACCB) \
	VBROADCASTSS (YP), Y3 \
	VMULPS Y3, Y10, Y3 \
	VPERMPS Z3, Z24, Z4 \
	VPERMPS Z3, Z25, Z6 \
	VCVTDQ2PS LA, LA \
	VCVTDQ2PS LB, LB \
	VFMADD231PS LA, Z4, ACCA \
	VFMADD231PS LB, Z6, ACCB

// func dotQ4_Kx4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)
// dotQ4_Kx4VNNI for two activations at once, A at y and B at y+ystride
// (out[0..3] and out[4..7]): the weights are decoded once a column. Each
// output is computed exactly as by dotQ4_Kx4VNNI.
TEXT ·dotQ4_Kx4x2VNNI(SB), NOSPLIT, $0-40
	X4X2ARGS
	KX4SETUP
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	VPXORD Z30, Z30, Z30

q4kx2loop:
	KX4DECODE
	KX2BMINS
	KX2DMINS

	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VMOVDQA64 Z22, Z21
	Q4KX4X2_CHUNK(0)
	Q4KX4X2_CHUNK(1)
	Q4KX4X2_CHUNK(2)
	Q4KX4X2_CHUNK(3)
	Q4KX4X2_CHUNK(4)
	Q4KX4X2_CHUNK(5)
	Q4KX4X2_CHUNK(6)
	Q4KX4X2_CHUNK(7)
	KX2NEXT($576)
	DECQ CX
	JNZ q4kx2loop

	KX2STORE(Q4KX4_ROWX)
	VZEROUPPER
	RET

// Q6KX2_ACT multiplies the chunk's values (Z0: rows 0|1, Z1: rows 2|3)
// with the 32 activations at YOFF(YP), less 32 times them, and adds them
// times the scale words (Z4, Z6) to LA and LB.
#define Q6KX2_ACT(YP, YOFF, LA, LB) \
	VBROADCASTI64X4 YOFF(YP), Z5 \
	VPMADDUBSW Z5, Z13, Z9 \
	VPMADDUBSW Z5, Z0, Z3 \
	VPMADDUBSW Z5, Z1, Z12 \
	VPSUBW Z9, Z3, Z3 \
	VPSUBW Z9, Z12, Z12 \
	VPDPWSSD Z4, Z3, LA \
	VPDPWSSD Z6, Z12, LB

// Q6KX4X2_CHUNK decodes chunk V's values and scale words once and adds
// them against activation A (DI) to Z19/Z20 and B (R9) to Z30/Z31.
#define Q6KX4X2_CHUNK(V) \
	VMOVDQU64 (72+64*V)(SI), Z0 \
	VPSRLW $4, Z0, Z1 \
	VPANDD Z15, Z0, Z0 \
	VPANDD Z15, Z1, Z1 \
	VBROADCASTI64X4 (584+32*V)(SI), Z2 \
	VPSRLVW Z26, Z2, Z10 \
	VPSLLVW Z27, Z2, Z11 \
	VPTERNLOGD $0xf8, Z14, Z10, Z0 \
	VPTERNLOGD $0xf8, Z14, Z11, Z1 \
	VPERMW Z7, Z21, Z4 \
	VPERMW Z8, Z21, Z6 \
	Q6KX2_ACT(DI, (4+32*V), Z19, Z20) \
	Q6KX2_ACT(R9, (4+32*V), Z30, Z31) \
	VPADDW Z23, Z21, Z21

// Q6KX2_FINISH adds lanes LA, LB times d = x.d·y.d (x.d in Z18, y.d at
// YP) to ACCA, ACCB.
#define Q6KX2_FINISH(YP, LA, LB, ACCA, ACCB) \
	VBROADCASTSS (YP), Z3 \
	VMULPS Z3, Z18, Z3 \
	VPERMPS Z3, Z24, Z4 \
	VPERMPS Z3, Z25, Z6 \
	VCVTDQ2PS LA, LA \
	VCVTDQ2PS LB, LB \
	VFMADD231PS LA, Z4, ACCA \
	VFMADD231PS LB, Z6, ACCB

// func dotQ6_Kx4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)
// dotQ6_Kx4VNNI for two activations at once (see dotQ4_Kx4x2VNNI).
TEXT ·dotQ6_Kx4x2VNNI(SB), NOSPLIT, $0-40
	X4X2ARGS
	Q6KX4SETUP
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29

q6kx2loop:
	VPMOVSXBW 8(SI), Z7
	VPMOVSXBW 40(SI), Z8
	VCVTPH2PS (SI), X10
	VMOVAPS Z10, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z30, Z30, Z30
	VPXORD Z31, Z31, Z31
	VMOVDQA64 Z22, Z21
	Q6KX4X2_CHUNK(0)
	Q6KX4X2_CHUNK(1)
	Q6KX4X2_CHUNK(2)
	Q6KX4X2_CHUNK(3)
	Q6KX4X2_CHUNK(4)
	Q6KX4X2_CHUNK(5)
	Q6KX4X2_CHUNK(6)
	Q6KX4X2_CHUNK(7)
	Q6KX2_FINISH(DI, Z19, Z20, Z16, Z17)
	Q6KX2_FINISH(R9, Z30, Z31, Z28, Z29)
	ADDQ $840, SI
	ADDQ $292, DI
	ADDQ $292, R9
	DECQ CX
	JNZ q6kx2loop

	VMOVAPS Z16, Z8
	VMOVAPS Z17, Z9
	X4STORE
	ADDQ $16, DX
	VMOVAPS Z28, Z8
	VMOVAPS Z29, Z9
	X4STORE
	RET

// Q5KX4X2_CHUNK is Q4KX4X2_CHUNK with q5_K's fifth bits (16s in Z31).
#define Q5KX4X2_CHUNK(V) \
	KX2LOAD(V) \
	KMOVQ (576+16*V)(SI), K1 \
	KMOVQ (584+16*V)(SI), K2 \
	VPADDB Z31, Z0, K1, Z0 \
	VPADDB Z31, Z1, K2, Z1 \
	KX2MUL(V)

// func dotQ5_Kx4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)
// dotQ5_Kx4VNNI for two activations at once (see dotQ4_Kx4x2VNNI).
TEXT ·dotQ5_Kx4x2VNNI(SB), NOSPLIT, $0-40
	X4X2ARGS
	KX4SETUP
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	VPXORD Z30, Z30, Z30

q5kx2loop:
	KX4DECODE
	KX5MINS
	KX2BMINS
	SUM4LANES(Z31, Z9) // B's summs
	KX2DMINS
	BCASTD($0x10101010, Z31)

	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VMOVDQA64 Z22, Z21
	Q5KX4X2_CHUNK(0)
	Q5KX4X2_CHUNK(1)
	Q5KX4X2_CHUNK(2)
	Q5KX4X2_CHUNK(3)
	Q5KX4X2_CHUNK(4)
	Q5KX4X2_CHUNK(5)
	Q5KX4X2_CHUNK(6)
	Q5KX4X2_CHUNK(7)
	KX2NEXT($704)
	DECQ CX
	JNZ q5kx2loop

	KX2STORE(Q5KX4_ROWX)
	VZEROUPPER
	RET

// X4X2_ACT adds one activation (YP) against the column's offset quants
// (Z0: rows 0|1, Z1: rows 2|3; the rows' x.d in X6) to ACCA, ACCB, as
// X4COLUMN then X4ACCUMULATE do for one activation.
#define X4X2_ACT(YP, ACCA, ACCB) \
	MOVWLZX (YP), AX \
	VMOVD AX, X7 \
	VCVTPH2PS X7, X7 \
	VBROADCASTSS X7, X7 \
	VMULPS X7, X6, X3 \
	VPERMPS Z3, Z12, Z4 \
	VPERMPS Z3, Z11, Z7 \
	VBROADCASTI64X4 2(YP), Z5 \
	VMOVDQA64 Z15, Z2 \
	VPDPBUSD Z5, Z13, Z2 \
	VPSUBD Z2, Z15, Z2 \
	VMOVDQA64 Z2, Z3 \
	VPDPBUSD Z5, Z0, Z3 \
	VMOVDQA64 Z2, Z10 \
	VPDPBUSD Z5, Z1, Z10 \
	VCVTDQ2PS Z3, Z3 \
	VCVTDQ2PS Z10, Z10 \
	VFMADD231PS Z3, Z4, ACCA \
	VFMADD231PS Z10, Z7, ACCB

// X4X2STORE stores A's rows (Z8, Z9) at out[0..3] and B's (Z16, Z17) at
// out[4..7].
#define X4X2STORE \
	X4STORE \
	ADDQ $16, DX \
	VMOVAPS Z16, Z8 \
	VMOVAPS Z17, Z9 \
	X4STORE

// func dotQ8_0x4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)
// dotQ8_0x4VNNI for two activations at once, A at y and B at y+ystride.
TEXT ·dotQ8_0x4x2VNNI(SB), NOSPLIT, $0-40
	X4X2ARGS
	X4X2SETUP($0x80808080)

q8x2loop:
	VCVTPH2PS (SI), X6
	VMOVDQU64 8(SI), Z0
	VMOVDQU64 72(SI), Z1
	VPXORD Z13, Z0, Z0
	VPXORD Z13, Z1, Z1
	X4X2_ACT(DI, Z8, Z9)
	X4X2_ACT(R9, Z16, Z17)
	ADDQ $136, SI
	ADDQ $34, DI
	ADDQ $34, R9
	DECQ CX
	JNZ q8x2loop
	X4X2STORE
	RET

// func dotQ4_0x4x2VNNI(w, y unsafe.Pointer, ystride, nb int, out *[8]float32)
TEXT ·dotQ4_0x4x2VNNI(SB), NOSPLIT, $0-40
	X4X2ARGS
	X4X2SETUP($0x08080808)
	BCASTD($0x0f0f0f0f, Z14)

q4x2loop:
	VCVTPH2PS (SI), X6
	VMOVDQU64 8(SI), Z0
	VPSRLW $4, Z0, Z1
	VPANDD Z14, Z0, Z0
	VPANDD Z14, Z1, Z1
	X4X2_ACT(DI, Z8, Z9)
	X4X2_ACT(R9, Z16, Z17)
	ADDQ $72, SI
	ADDQ $34, DI
	ADDQ $34, R9
	DECQ CX
	JNZ q4x2loop
	X4X2STORE
	RET
