//go:build amd64 && !purego

#include "textflag.h"

// Winograd's filter transforms (winograd.go), 4 filters at a time in
// float64 (YMM), each operation in the Go definition's order; float32 in
// and out through VCVTPS2PD and VCVTPD2PS, exact and rounding to nearest
// as Go's conversions. The 16 transformed planes are PS bytes apart (PS in
// R12, 3PS in R13; planes 4k..4k+3 at P_k, P_k+PS, P_k+2PS, P_k+3PS with
// P_0..P_3 in DI, R11, BX, DX); the 9 kernel rows LD bytes apart (LD in
// R8, 3LD in R9; rows 0-3 from SI, 4-8 from R10 = SI + 4LD). Y15 holds ½.

DATA half<>+0(SB)/8, $0.5
GLOBL half<>(SB), RODATA|NOPTR, $8

// SETUP derives the strides and pointers above from PS in R12, LD in R8,
// the planes in DI and the kernel rows in SI.
#define SETUP \
	SHLQ         $2, R12          \
	LEAQ         (R12)(R12*2), R13 \
	SHLQ         $2, R8           \
	LEAQ         (R8)(R8*2), R9   \
	LEAQ         (DI)(R12*4), R11 \
	LEAQ         (DI)(R12*8), BX  \
	LEAQ         (BX)(R12*4), DX  \
	LEAQ         (SI)(R8*4), R10  \
	VBROADCASTSD half<>(SB), Y15

// NEXT moves every pointer 4 filters on and loops to label while filters
// remain (CX).
#define NEXT(label) \
	ADDQ $16, DI  \
	ADDQ $16, R11 \
	ADDQ $16, BX  \
	ADDQ $16, DX  \
	ADDQ $16, SI  \
	ADDQ $16, R10 \
	SUBQ $4, CX   \
	JNZ  label

// STORE stores the float64 lanes of v at p as float32, through X12.
#define STORE(v, p) \
	VCVTPD2PSY v, X12 \
	VMOVUPS    X12, p

// G_ROW is row r = 1 or 2 of G g, column c (kernel rows c, 3+c, 6+c in
// g0, g3, g6): ½((g0 op g3) + g6) into t.
#define G_ROW(op, g0, g3, g6, t) \
	op     g3, g0, t \
	VADDPD g6, t, t  \
	VMULPD Y15, t, t

// U_ROW stores a row t0, t1, t2 of G g times Gᵀ, t0, ½((t0+t1)+t2),
// ½((t0-t1)+t2), t2, at the planes P, P+PS, P+2PS, P+3PS.
#define U_ROW(t0, t1, t2, P) \
	STORE(t0, (P))              \
	VADDPD t1, t0, Y12          \
	VADDPD t2, Y12, Y12         \
	VMULPD Y15, Y12, Y12        \
	STORE(Y12, (P)(R12*1))      \
	VSUBPD t1, t0, Y12          \
	VADDPD t2, Y12, Y12         \
	VMULPD Y15, Y12, Y12        \
	STORE(Y12, (P)(R12*2))      \
	STORE(t2, (P)(R13*1))

// func winogradFiltersAVX2(u *float32, plane int, ker *float32, ld, n int)
//
// U = G g Gᵀ for filters i < n (a multiple of 4, positive): kernel element
// j of filter i at ker[j·ld+i], U[ξ] at u[ξ·plane+i]. Kernel rows in
// Y0..Y8; rows 1 and 2 of G g in Y9..Y11 (rows 0 and 3 are kernel rows 0
// and 2).
TEXT ·winogradFiltersAVX2(SB), NOSPLIT, $0-40
	MOVQ u+0(FP), DI
	MOVQ plane+8(FP), R12
	MOVQ ker+16(FP), SI
	MOVQ ld+24(FP), R8
	MOVQ n+32(FP), CX
	SETUP

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
	U_ROW(Y0, Y1, Y2, DI)
	G_ROW(VADDPD, Y0, Y3, Y6, Y9)
	G_ROW(VADDPD, Y1, Y4, Y7, Y10)
	G_ROW(VADDPD, Y2, Y5, Y8, Y11)
	U_ROW(Y9, Y10, Y11, R11)
	G_ROW(VSUBPD, Y0, Y3, Y6, Y9)
	G_ROW(VSUBPD, Y1, Y4, Y7, Y10)
	G_ROW(VSUBPD, Y2, Y5, Y8, Y11)
	U_ROW(Y9, Y10, Y11, BX)
	U_ROW(Y6, Y7, Y8, DX)
	NEXT(filterLoop)
	VZEROUPPER
	RET

// GT_COLUMN is column s of Gᵀ dU from x0..x3 (planes s, 4+s, 8+s, 12+s):
// with h = ½(x1+x2), x0+h into r0, ½(x1-x2) into r1 and h+x3 into r2.
#define GT_COLUMN(x0, x1, x2, x3, r0, r1, r2) \
	VCVTPS2PD x1, Y12       \
	VCVTPS2PD x2, Y13       \
	VADDPD    Y13, Y12, Y14 \
	VMULPD    Y15, Y14, Y14 \
	VSUBPD    Y13, Y12, r1  \
	VMULPD    Y15, r1, r1   \
	VCVTPS2PD x0, Y12       \
	VADDPD    Y14, Y12, r0  \
	VCVTPS2PD x3, Y13       \
	VADDPD    Y13, Y14, r2

// DG_ROW stores a row t0..t3 of Gᵀ dU times G, t0+½(t1+t2), ½(t1-t2),
// ½(t1+t2)+t3, at d0, d1, d2.
#define DG_ROW(t0, t1, t2, t3, d0, d1, d2) \
	VADDPD     t2, t1, Y12  \
	VMULPD     Y15, Y12, Y12 \
	VADDPD     Y12, t0, Y13 \
	VCVTPD2PSY Y13, X13     \
	VMOVUPS    X13, d0      \
	VSUBPD     t2, t1, Y13  \
	VMULPD     Y15, Y13, Y13 \
	VCVTPD2PSY Y13, X13     \
	VMOVUPS    X13, d1      \
	VADDPD     t3, Y12, Y13 \
	VCVTPD2PSY Y13, X13     \
	VMOVUPS    X13, d2

// func winogradFilterGradsAVX2(d *float32, ld int, du *float32, plane, n int)
//
// d = Gᵀ dU G for filters i < n (a multiple of 4, positive): dU[ξ] of
// filter i at du[ξ·plane+i], element j of the result at d[j·ld+i]. The
// rows of Gᵀ dU in Y0..Y3, Y4..Y7, Y8..Y11.
TEXT ·winogradFilterGradsAVX2(SB), NOSPLIT, $0-40
	MOVQ d+0(FP), SI
	MOVQ ld+8(FP), R8
	MOVQ du+16(FP), DI
	MOVQ plane+24(FP), R12
	MOVQ n+32(FP), CX
	SETUP

gradLoop:
	GT_COLUMN((DI), (R11), (BX), (DX), Y0, Y4, Y8)
	GT_COLUMN((DI)(R12*1), (R11)(R12*1), (BX)(R12*1), (DX)(R12*1), Y1, Y5, Y9)
	GT_COLUMN((DI)(R12*2), (R11)(R12*2), (BX)(R12*2), (DX)(R12*2), Y2, Y6, Y10)
	GT_COLUMN((DI)(R13*1), (R11)(R13*1), (BX)(R13*1), (DX)(R13*1), Y3, Y7, Y11)
	DG_ROW(Y0, Y1, Y2, Y3, (SI), (SI)(R8*1), (SI)(R8*2))
	DG_ROW(Y4, Y5, Y6, Y7, (SI)(R9*1), (R10), (R10)(R8*1))
	DG_ROW(Y8, Y9, Y10, Y11, (R10)(R8*2), (R10)(R9*1), (R10)(R8*4))
	NEXT(gradLoop)
	VZEROUPPER
	RET
