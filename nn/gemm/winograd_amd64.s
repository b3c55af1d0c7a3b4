//go:build amd64 && !purego

#include "textflag.h"

// Winograd transform steps and strided copies (winograd.go), 8 floats per
// iteration in YMM registers; n must be a positive multiple of 8. Each sum
// is rounded on its own, in the Go loops' order.

// func winogradInputAVX(d0, d1, d2, d3, x0, x1, x2, x3 *float32, n int)
TEXT ·winogradInputAVX(SB), NOSPLIT, $0-72
	MOVQ d0+0(FP), DI
	MOVQ d1+8(FP), R8
	MOVQ d2+16(FP), R9
	MOVQ d3+24(FP), R10
	MOVQ x0+32(FP), SI
	MOVQ x1+40(FP), R11
	MOVQ x2+48(FP), R12
	MOVQ x3+56(FP), R13
	MOVQ n+64(FP), CX
	XORQ AX, AX

inLoop:
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS (R11)(AX*4), Y1
	VMOVUPS (R12)(AX*4), Y2
	VMOVUPS (R13)(AX*4), Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMOVUPS Y4, (DI)(AX*4)
	VMOVUPS Y5, (R8)(AX*4)
	VMOVUPS Y6, (R9)(AX*4)
	VMOVUPS Y7, (R10)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     inLoop
	VZEROUPPER
	RET

// func winogradOutputAVX(s0, s1, m0, m1, m2, m3 *float32, n int)
TEXT ·winogradOutputAVX(SB), NOSPLIT, $0-56
	MOVQ s0+0(FP), DI
	MOVQ s1+8(FP), R8
	MOVQ m0+16(FP), SI
	MOVQ m1+24(FP), R11
	MOVQ m2+32(FP), R12
	MOVQ m3+40(FP), R13
	MOVQ n+48(FP), CX
	XORQ AX, AX

outLoop:
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS (R11)(AX*4), Y1
	VMOVUPS (R12)(AX*4), Y2
	VMOVUPS (R13)(AX*4), Y3
	VADDPS  Y1, Y0, Y4
	VADDPS  Y2, Y4, Y4
	VSUBPS  Y2, Y1, Y5
	VSUBPS  Y3, Y5, Y5
	VMOVUPS Y4, (DI)(AX*4)
	VMOVUPS Y5, (R8)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     outLoop
	VZEROUPPER
	RET

// func interleaveAVX(dst, even, odd *float32, n int)
//
// Within each 128-bit half VUNPCKLPS/VUNPCKHPS pair elements 0,1 and 2,3
// of each half; VPERM2F128 puts the halves in order.
TEXT ·interleaveAVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ even+8(FP), SI
	MOVQ odd+16(FP), DX
	MOVQ n+24(FP), CX
	XORQ AX, AX

ilLoop:
	VMOVUPS    (SI)(AX*4), Y0
	VMOVUPS    (DX)(AX*4), Y1
	VUNPCKLPS  Y1, Y0, Y2            // e0 o0 e1 o1 | e4 o4 e5 o5
	VUNPCKHPS  Y1, Y0, Y3            // e2 o2 e3 o3 | e6 o6 e7 o7
	VPERM2F128 $0x20, Y3, Y2, Y4     // e0 o0 e1 o1 e2 o2 e3 o3
	VPERM2F128 $0x31, Y3, Y2, Y5     // e4 o4 e5 o5 e6 o6 e7 o7
	VMOVUPS    Y4, (DI)(AX*8)
	VMOVUPS    Y5, 32(DI)(AX*8)
	ADDQ       $8, AX
	CMPQ       AX, CX
	JLT        ilLoop
	VZEROUPPER
	RET

// func deinterleaveAVX(even, odd, src *float32, n int)
//
// VSHUFPS picks the even (0x88) and odd (0xDD) elements of each 128-bit
// half of two source vectors; VPERMPD $0xD8 orders the 64-bit pairs.
TEXT ·deinterleaveAVX(SB), NOSPLIT, $0-32
	MOVQ even+0(FP), DI
	MOVQ odd+8(FP), DX
	MOVQ src+16(FP), SI
	MOVQ n+24(FP), CX
	XORQ AX, AX

dlLoop:
	VMOVUPS (SI)(AX*8), Y0           // s0 .. s7
	VMOVUPS 32(SI)(AX*8), Y1         // s8 .. s15
	VSHUFPS $0x88, Y1, Y0, Y2        // s0 s2 s8 s10 | s4 s6 s12 s14
	VSHUFPS $0xDD, Y1, Y0, Y3        // s1 s3 s9 s11 | s5 s7 s13 s15
	VPERMPD $0xD8, Y2, Y2            // s0 s2 s4 s6 s8 s10 s12 s14
	VPERMPD $0xD8, Y3, Y3
	VMOVUPS Y2, (DI)(AX*4)
	VMOVUPS Y3, (DX)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     dlLoop
	VZEROUPPER
	RET

// func winogradGradAVX(d0, d1, d2, d3, a, b *float32, n int)
//
// -b flips the sign bit (XOR with -0), as Go's negation does.
TEXT ·winogradGradAVX(SB), NOSPLIT, $0-56
	MOVQ         d0+0(FP), DI
	MOVQ         d1+8(FP), R8
	MOVQ         d2+16(FP), R9
	MOVQ         d3+24(FP), R10
	MOVQ         a+32(FP), SI
	MOVQ         b+40(FP), DX
	MOVQ         n+48(FP), CX
	MOVL         $0x80000000, AX
	MOVL         AX, X15
	VBROADCASTSS X15, Y15
	XORQ         AX, AX

gradLoop:
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS (DX)(AX*4), Y1
	VADDPS  Y1, Y0, Y2
	VSUBPS  Y1, Y0, Y3
	VXORPS  Y15, Y1, Y4
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y2, (R8)(AX*4)
	VMOVUPS Y3, (R9)(AX*4)
	VMOVUPS Y4, (R10)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     gradLoop
	VZEROUPPER
	RET
