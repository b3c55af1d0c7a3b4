//go:build amd64 && !purego

#include "textflag.h"

// One k step of the 12x32 AVX-512 microkernel. The packed A panel holds 12
// floats per step (SI), the packed B panel 32 floats per step (DI). Each A
// element is broadcast from memory inside the FMA (embedded broadcast).
// Accumulators: row r uses Z(8+2r) for columns 0-15 and Z(9+2r) for 16-31.
#define STEP12x32(aoff, boff) \
	VMOVUPS boff(DI), Z0; \
	VMOVUPS boff+64(DI), Z1; \
	VFMADD231PS.BCST aoff+0(SI), Z0, Z8; \
	VFMADD231PS.BCST aoff+0(SI), Z1, Z9; \
	VFMADD231PS.BCST aoff+4(SI), Z0, Z10; \
	VFMADD231PS.BCST aoff+4(SI), Z1, Z11; \
	VFMADD231PS.BCST aoff+8(SI), Z0, Z12; \
	VFMADD231PS.BCST aoff+8(SI), Z1, Z13; \
	VFMADD231PS.BCST aoff+12(SI), Z0, Z14; \
	VFMADD231PS.BCST aoff+12(SI), Z1, Z15; \
	VFMADD231PS.BCST aoff+16(SI), Z0, Z16; \
	VFMADD231PS.BCST aoff+16(SI), Z1, Z17; \
	VFMADD231PS.BCST aoff+20(SI), Z0, Z18; \
	VFMADD231PS.BCST aoff+20(SI), Z1, Z19; \
	VFMADD231PS.BCST aoff+24(SI), Z0, Z20; \
	VFMADD231PS.BCST aoff+24(SI), Z1, Z21; \
	VFMADD231PS.BCST aoff+28(SI), Z0, Z22; \
	VFMADD231PS.BCST aoff+28(SI), Z1, Z23; \
	VFMADD231PS.BCST aoff+32(SI), Z0, Z24; \
	VFMADD231PS.BCST aoff+32(SI), Z1, Z25; \
	VFMADD231PS.BCST aoff+36(SI), Z0, Z26; \
	VFMADD231PS.BCST aoff+36(SI), Z1, Z27; \
	VFMADD231PS.BCST aoff+40(SI), Z0, Z28; \
	VFMADD231PS.BCST aoff+40(SI), Z1, Z29; \
	VFMADD231PS.BCST aoff+44(SI), Z0, Z30; \
	VFMADD231PS.BCST aoff+44(SI), Z1, Z31

// Store one C row and advance DX to the next: C = alpha*acc (beta == 0).
#define STORE0(lo, hi) \
	VMULPS lo, Z2, lo; \
	VMULPS hi, Z2, hi; \
	VMOVUPS lo, (DX); \
	VMOVUPS hi, 64(DX); \
	ADDQ R8, DX

// Update one C row and advance DX to the next: C = alpha*acc + beta*C.
#define UPDATE(lo, hi) \
	VMULPS (DX), Z3, Z0; \
	VMULPS 64(DX), Z3, Z1; \
	VFMADD231PS lo, Z2, Z0; \
	VFMADD231PS hi, Z2, Z1; \
	VMOVUPS Z0, (DX); \
	VMOVUPS Z1, 64(DX); \
	ADDQ R8, DX

// func kernel12x32AVX512(k int, a, b, c *float32, ldc int, alpha, beta float32)
TEXT ·kernel12x32AVX512(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8

	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	VPXORD Z30, Z30, Z30
	VPXORD Z31, Z31, Z31

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   tail

loop4:
	STEP12x32(0, 0)
	STEP12x32(48, 128)
	STEP12x32(96, 256)
	STEP12x32(144, 384)
	ADDQ $192, SI
	ADDQ $512, DI
	DECQ BX
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   epilogue

loop1:
	STEP12x32(0, 0)
	ADDQ $48, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  loop1

epilogue:
	VBROADCASTSS alpha+40(FP), Z2
	MOVL beta+44(FP), AX
	TESTL $0x7fffffff, AX
	JNZ  update

	STORE0(Z8, Z9)
	STORE0(Z10, Z11)
	STORE0(Z12, Z13)
	STORE0(Z14, Z15)
	STORE0(Z16, Z17)
	STORE0(Z18, Z19)
	STORE0(Z20, Z21)
	STORE0(Z22, Z23)
	STORE0(Z24, Z25)
	STORE0(Z26, Z27)
	STORE0(Z28, Z29)
	STORE0(Z30, Z31)
	VZEROUPPER
	RET

update:
	VBROADCASTSS beta+44(FP), Z3
	UPDATE(Z8, Z9)
	UPDATE(Z10, Z11)
	UPDATE(Z12, Z13)
	UPDATE(Z14, Z15)
	UPDATE(Z16, Z17)
	UPDATE(Z18, Z19)
	UPDATE(Z20, Z21)
	UPDATE(Z22, Z23)
	UPDATE(Z24, Z25)
	UPDATE(Z26, Z27)
	UPDATE(Z28, Z29)
	UPDATE(Z30, Z31)
	VZEROUPPER
	RET
