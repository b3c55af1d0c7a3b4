//go:build amd64 && !purego

#include "textflag.h"

// One k step of the 6x16 AVX2 microkernel: the 6 A values of the step are
// at SI, the 16 B values at DI; SI and DI then advance by the panel strides
// R10 and R9. Accumulators: row r uses Y(4+2r) for columns 0-7 and Y(5+2r)
// for 8-15.
#define STEP6x16 \
	VMOVUPS (DI), Y0; \
	VMOVUPS 32(DI), Y1; \
	VBROADCASTSS 0(SI), Y2; \
	VFMADD231PS Y0, Y2, Y4; \
	VFMADD231PS Y1, Y2, Y5; \
	VBROADCASTSS 4(SI), Y3; \
	VFMADD231PS Y0, Y3, Y6; \
	VFMADD231PS Y1, Y3, Y7; \
	VBROADCASTSS 8(SI), Y2; \
	VFMADD231PS Y0, Y2, Y8; \
	VFMADD231PS Y1, Y2, Y9; \
	VBROADCASTSS 12(SI), Y3; \
	VFMADD231PS Y0, Y3, Y10; \
	VFMADD231PS Y1, Y3, Y11; \
	VBROADCASTSS 16(SI), Y2; \
	VFMADD231PS Y0, Y2, Y12; \
	VFMADD231PS Y1, Y2, Y13; \
	VBROADCASTSS 20(SI), Y3; \
	VFMADD231PS Y0, Y3, Y14; \
	VFMADD231PS Y1, Y3, Y15; \
	ADDQ R10, SI; \
	ADDQ R9, DI

// Store one C row and advance DX to the next: C = alpha*acc (beta == 0 path).
#define STORE0(lo, hi) \
	VMULPS lo, Y2, lo; \
	VMULPS hi, Y2, hi; \
	VMOVUPS lo, (DX); \
	VMOVUPS hi, 32(DX); \
	ADDQ R8, DX

// Update one C row and advance DX to the next: C = alpha*acc + beta*C.
#define UPDATE(lo, hi) \
	VMULPS (DX), Y3, Y0; \
	VMULPS 32(DX), Y3, Y1; \
	VFMADD231PS lo, Y2, Y0; \
	VFMADD231PS hi, Y2, Y1; \
	VMOVUPS Y0, (DX); \
	VMOVUPS Y1, 32(DX); \
	ADDQ R8, DX

// func kernel6x16AVX2(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)
TEXT ·kernel6x16AVX2(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R10
	SHLQ $2, R10
	MOVQ b+24(FP), DI
	MOVQ ldb+32(FP), R9
	SHLQ $2, R9
	MOVQ c+40(FP), DX
	MOVQ ldc+48(FP), R8
	SHLQ $2, R8

	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   tail

loop4:
	STEP6x16
	STEP6x16
	STEP6x16
	STEP6x16
	DECQ BX
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   epilogue

loop1:
	STEP6x16
	DECQ CX
	JNZ  loop1

epilogue:
	VBROADCASTSS alpha+56(FP), Y2
	MOVL beta+60(FP), AX
	TESTL $0x7fffffff, AX
	JNZ  update

	STORE0(Y4, Y5)
	STORE0(Y6, Y7)
	STORE0(Y8, Y9)
	STORE0(Y10, Y11)
	STORE0(Y12, Y13)
	STORE0(Y14, Y15)
	VZEROUPPER
	RET

update:
	VBROADCASTSS beta+60(FP), Y3
	UPDATE(Y4, Y5)
	UPDATE(Y6, Y7)
	UPDATE(Y8, Y9)
	UPDATE(Y10, Y11)
	UPDATE(Y12, Y13)
	UPDATE(Y14, Y15)
	VZEROUPPER
	RET
