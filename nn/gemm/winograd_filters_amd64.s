//go:build amd64 && !purego

#include "textflag.h"

// Winograd's filter transforms (winograd.go), 4 filters at a time in
// float64 (YMM), each operation in the Go definition's order; float32 in
// and out through VCVTPS2PD and VCVTPD2PS, exact and rounding to nearest
// as Go's conversions. The 16 transformed planes are PS bytes apart (PS in
// R12, 3PS in R13; planes 4k..4k+3 at P_k, P_k+PS, P_k+2PS, P_k+3PS); the
// 9 kernel rows LD bytes apart (LD in R8, 3LD in R9; rows 0-3 from SI,
// 4-8 from R10 = SI + 4LD).

DATA half<>+0(SB)/8, $0.5
GLOBL half<>(SB), RODATA|NOPTR, $8

// func winogradFiltersAVX2(u *float32, plane int, ker *float32, ld, n int)
//
// U = G g Gᵀ for filters i < n (a multiple of 4, positive): kernel element
// j of filter i at g[j·ld+i], U[ξ] at u[ξ·plane+i]. Kernel rows in Y0..Y8;
// per row r of G g (Y9..Y11: g0, ½((g0+g3)+g6), ½((g0-g3)+g6), g6 and the
// same for columns 1 and 2), the outputs t0, ½((t0+t1)+t2), ½((t0-t1)+t2),
// t2.
TEXT ·winogradFiltersAVX2(SB), NOSPLIT, $0-40
	MOVQ u+0(FP), DI
	MOVQ plane+8(FP), R12
	MOVQ ker+16(FP), SI
	MOVQ ld+24(FP), R8
	MOVQ n+32(FP), CX
	SHLQ $2, R12
	LEAQ (R12)(R12*2), R13
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (DI)(R12*4), R11
	LEAQ (DI)(R12*8), BX
	LEAQ (BX)(R12*4), DX
	LEAQ (SI)(R8*4), R10
	VBROADCASTSD half<>(SB), Y15

filterLoop:
	VCVTPS2PD (SI), Y0
	VCVTPS2PD (SI)(R8*1), Y1
	VCVTPS2PD (SI)(R8*2), Y2
	VCVTPS2PD (SI)(R9*1), Y3
	VCVTPS2PD (R10), Y4
	VCVTPS2PD (R10)(R8*1), Y5
	VCVTPS2PD (R10)(R8*2), Y6
	VCVTPS2PD (R10)(R9*1), Y7
	VCVTPS2PD (R10)(R8*4), Y8
	// row 0 of G g: g0, g1, g2
	VCVTPD2PSY Y0, X12
	VMOVUPS    X12, (DI)
	VADDPD     Y1, Y0, Y12
	VADDPD     Y2, Y12, Y12
	VMULPD     Y15, Y12, Y12
	VCVTPD2PSY Y12, X12
	VMOVUPS    X12, (DI)(R12*1)
	VSUBPD     Y1, Y0, Y12
	VADDPD     Y2, Y12, Y12
	VMULPD     Y15, Y12, Y12
	VCVTPD2PSY Y12, X12
	VMOVUPS    X12, (DI)(R12*2)
	VCVTPD2PSY Y2, X12
	VMOVUPS    X12, (DI)(R13*1)
	// row 1 of G g
	VADDPD     Y3, Y0, Y9
	VADDPD     Y6, Y9, Y9
	VMULPD     Y15, Y9, Y9
	VADDPD     Y4, Y1, Y10
	VADDPD     Y7, Y10, Y10
	VMULPD     Y15, Y10, Y10
	VADDPD     Y5, Y2, Y11
	VADDPD     Y8, Y11, Y11
	VMULPD     Y15, Y11, Y11
	VCVTPD2PSY Y9, X12
	VMOVUPS    X12, (R11)
	VADDPD     Y10, Y9, Y12
	VADDPD     Y11, Y12, Y12
	VMULPD     Y15, Y12, Y12
	VCVTPD2PSY Y12, X12
	VMOVUPS    X12, (R11)(R12*1)
	VSUBPD     Y10, Y9, Y12
	VADDPD     Y11, Y12, Y12
	VMULPD     Y15, Y12, Y12
	VCVTPD2PSY Y12, X12
	VMOVUPS    X12, (R11)(R12*2)
	VCVTPD2PSY Y11, X12
	VMOVUPS    X12, (R11)(R13*1)
	// row 2 of G g
	VSUBPD     Y3, Y0, Y9
	VADDPD     Y6, Y9, Y9
	VMULPD     Y15, Y9, Y9
	VSUBPD     Y4, Y1, Y10
	VADDPD     Y7, Y10, Y10
	VMULPD     Y15, Y10, Y10
	VSUBPD     Y5, Y2, Y11
	VADDPD     Y8, Y11, Y11
	VMULPD     Y15, Y11, Y11
	VCVTPD2PSY Y9, X12
	VMOVUPS    X12, (BX)
	VADDPD     Y10, Y9, Y12
	VADDPD     Y11, Y12, Y12
	VMULPD     Y15, Y12, Y12
	VCVTPD2PSY Y12, X12
	VMOVUPS    X12, (BX)(R12*1)
	VSUBPD     Y10, Y9, Y12
	VADDPD     Y11, Y12, Y12
	VMULPD     Y15, Y12, Y12
	VCVTPD2PSY Y12, X12
	VMOVUPS    X12, (BX)(R12*2)
	VCVTPD2PSY Y11, X12
	VMOVUPS    X12, (BX)(R13*1)
	// row 3 of G g: g6, g7, g8
	VCVTPD2PSY Y6, X12
	VMOVUPS    X12, (DX)
	VADDPD     Y7, Y6, Y12
	VADDPD     Y8, Y12, Y12
	VMULPD     Y15, Y12, Y12
	VCVTPD2PSY Y12, X12
	VMOVUPS    X12, (DX)(R12*1)
	VSUBPD     Y7, Y6, Y12
	VADDPD     Y8, Y12, Y12
	VMULPD     Y15, Y12, Y12
	VCVTPD2PSY Y12, X12
	VMOVUPS    X12, (DX)(R12*2)
	VCVTPD2PSY Y8, X12
	VMOVUPS    X12, (DX)(R13*1)
	ADDQ $16, DI
	ADDQ $16, R11
	ADDQ $16, BX
	ADDQ $16, DX
	ADDQ $16, SI
	ADDQ $16, R10
	SUBQ $4, CX
	JNZ  filterLoop
	VZEROUPPER
	RET

// func winogradFilterGradsAVX2(d *float32, ld int, du *float32, plane, n int)
//
// d = Gᵀ dU G for filters i < n (a multiple of 4, positive): dU[ξ] of
// filter i at du[ξ·plane+i], element j of the result at d[j·ld+i]. Per
// column s of dU (x0..x3 from planes s, 4+s, 8+s, 12+s), with
// h = ½(x1+x2): x0+h into Y0..Y3, ½(x1-x2) into Y4..Y7, h+x3 into
// Y8..Y11; then per row a of those (t0..t3), t0+½(t1+t2), ½(t1-t2),
// ½(t1+t2)+t3.
TEXT ·winogradFilterGradsAVX2(SB), NOSPLIT, $0-40
	MOVQ d+0(FP), SI
	MOVQ ld+8(FP), R8
	MOVQ du+16(FP), DI
	MOVQ plane+24(FP), R12
	MOVQ n+32(FP), CX
	SHLQ $2, R12
	LEAQ (R12)(R12*2), R13
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (DI)(R12*4), R11
	LEAQ (DI)(R12*8), BX
	LEAQ (BX)(R12*4), DX
	LEAQ (SI)(R8*4), R10
	VBROADCASTSD half<>(SB), Y15

gradLoop:
	// column 0
	VCVTPS2PD  (R11), Y12
	VCVTPS2PD  (BX), Y13
	VADDPD     Y13, Y12, Y14
	VMULPD     Y15, Y14, Y14
	VSUBPD     Y13, Y12, Y4
	VMULPD     Y15, Y4, Y4
	VCVTPS2PD  (DI), Y12
	VADDPD     Y14, Y12, Y0
	VCVTPS2PD  (DX), Y13
	VADDPD     Y13, Y14, Y8
	// column 1
	VCVTPS2PD  (R11)(R12*1), Y12
	VCVTPS2PD  (BX)(R12*1), Y13
	VADDPD     Y13, Y12, Y14
	VMULPD     Y15, Y14, Y14
	VSUBPD     Y13, Y12, Y5
	VMULPD     Y15, Y5, Y5
	VCVTPS2PD  (DI)(R12*1), Y12
	VADDPD     Y14, Y12, Y1
	VCVTPS2PD  (DX)(R12*1), Y13
	VADDPD     Y13, Y14, Y9
	// column 2
	VCVTPS2PD  (R11)(R12*2), Y12
	VCVTPS2PD  (BX)(R12*2), Y13
	VADDPD     Y13, Y12, Y14
	VMULPD     Y15, Y14, Y14
	VSUBPD     Y13, Y12, Y6
	VMULPD     Y15, Y6, Y6
	VCVTPS2PD  (DI)(R12*2), Y12
	VADDPD     Y14, Y12, Y2
	VCVTPS2PD  (DX)(R12*2), Y13
	VADDPD     Y13, Y14, Y10
	// column 3
	VCVTPS2PD  (R11)(R13*1), Y12
	VCVTPS2PD  (BX)(R13*1), Y13
	VADDPD     Y13, Y12, Y14
	VMULPD     Y15, Y14, Y14
	VSUBPD     Y13, Y12, Y7
	VMULPD     Y15, Y7, Y7
	VCVTPS2PD  (DI)(R13*1), Y12
	VADDPD     Y14, Y12, Y3
	VCVTPS2PD  (DX)(R13*1), Y13
	VADDPD     Y13, Y14, Y11
	// row 0
	VADDPD     Y2, Y1, Y12
	VMULPD     Y15, Y12, Y12
	VADDPD     Y12, Y0, Y13
	VCVTPD2PSY Y13, X13
	VMOVUPS    X13, (SI)
	VSUBPD     Y2, Y1, Y13
	VMULPD     Y15, Y13, Y13
	VCVTPD2PSY Y13, X13
	VMOVUPS    X13, (SI)(R8*1)
	VADDPD     Y3, Y12, Y13
	VCVTPD2PSY Y13, X13
	VMOVUPS    X13, (SI)(R8*2)
	// row 1
	VADDPD     Y6, Y5, Y12
	VMULPD     Y15, Y12, Y12
	VADDPD     Y12, Y4, Y13
	VCVTPD2PSY Y13, X13
	VMOVUPS    X13, (SI)(R9*1)
	VSUBPD     Y6, Y5, Y13
	VMULPD     Y15, Y13, Y13
	VCVTPD2PSY Y13, X13
	VMOVUPS    X13, (R10)
	VADDPD     Y7, Y12, Y13
	VCVTPD2PSY Y13, X13
	VMOVUPS    X13, (R10)(R8*1)
	// row 2
	VADDPD     Y10, Y9, Y12
	VMULPD     Y15, Y12, Y12
	VADDPD     Y12, Y8, Y13
	VCVTPD2PSY Y13, X13
	VMOVUPS    X13, (R10)(R8*2)
	VSUBPD     Y10, Y9, Y13
	VMULPD     Y15, Y13, Y13
	VCVTPD2PSY Y13, X13
	VMOVUPS    X13, (R10)(R9*1)
	VADDPD     Y11, Y12, Y13
	VCVTPD2PSY Y13, X13
	VMOVUPS    X13, (R10)(R8*4)
	ADDQ $16, DI
	ADDQ $16, R11
	ADDQ $16, BX
	ADDQ $16, DX
	ADDQ $16, SI
	ADDQ $16, R10
	SUBQ $4, CX
	JNZ  gradLoop
	VZEROUPPER
	RET
