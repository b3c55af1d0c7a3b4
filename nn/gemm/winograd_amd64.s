//go:build amd64 && !purego

#include "textflag.h"

// Winograd's tile transforms over whole planes (winograd.go) and the
// deinterleaving copy, in YMM registers, 8 tiles (or floats) per step.
// Each sum is rounded on its own, in the Go loops' order. The Go wrappers
// pass how many whole blocks of 8 tiles (16 columns) a row of tiles has and
// how many lanes its last, shorter block has. That block is stored whole
// where its extra lanes land on tiles (or output columns) of later rows,
// which are written after it, and through lane masks (slow stores on some
// cores) on the last rows of the plane (masked: how many), so nothing
// outside the plane is touched; the gradient transform loads it through
// masks, as zeros past the plane's edge. Transformed tiles are 16 planes
// S bytes apart (S in R12, 3S in R13): planes 4i..4i+3 at p, p+S, p+2S,
// p+3S.

// laneMask: 8 lanes of ones then 8 of zeros; the 32 bytes at
// laneMask+32-4k set the first k lanes.
DATA laneMask<>+0(SB)/8, $0xffffffffffffffff
DATA laneMask<>+8(SB)/8, $0xffffffffffffffff
DATA laneMask<>+16(SB)/8, $0xffffffffffffffff
DATA laneMask<>+24(SB)/8, $0xffffffffffffffff
DATA laneMask<>+32(SB)/8, $0
DATA laneMask<>+40(SB)/8, $0
DATA laneMask<>+48(SB)/8, $0
DATA laneMask<>+56(SB)/8, $0
GLOBL laneMask<>(SB), RODATA|NOPTR, $64

// LANEMASK sets dst to the mask of the first k lanes (0 <= k <= 8 in the
// register k, which it clobbers, as it does tmp).
#define LANEMASK(k, tmp, dst) \
	SHLQ    $2, k                  \
	LEAQ    laneMask<>+32(SB), tmp \
	SUBQ    k, tmp                 \
	VMOVUPS (tmp), dst


// func winogradInputTilesAVX2(v *float32, stride int, split *float32, n, th, full, tail, masked int)
//
// Per row of tiles, the split input rows r = 0..3 have their halves at
// e_r = B + 2r·NB and o_r = B + (2r+1)·NB (NB in BX, 3NB in DX), rows 0
// and 1 from SI, rows 2 and 3 from R11; for each combination i of the rows
// (0-2, 1+2, 2-1, 1-3), the columns e[tx], o[tx], e[tx+1], o[tx+1] of the
// combined row go to Y0..Y3, their column step (y0-y2, y1+y2, y2-y1,
// y1-y3) to Y4..Y7 and into planes 4i..4i+3 (DI, R8, R9, R10).
TEXT ·winogradInputTilesAVX2(SB), NOSPLIT, $16-64
	MOVQ stride+8(FP), R12
	SHLQ $2, R12
	LEAQ (R12)(R12*2), R13
	MOVQ n+24(FP), BX
	SHLQ $2, BX
	LEAQ (BX)(BX*2), DX
	MOVQ tail+48(FP), CX
	LANEMASK(CX, AX, Y15)
	MOVQ v+0(FP), DI
	MOVQ split+16(FP), SI
	MOVQ DI, vrow-8(SP)
	MOVQ SI, srow-16(SP)
	MOVQ th+32(FP), AX

inRow:
	LEAQ (DI)(R12*4), R8
	LEAQ (DI)(R12*8), R9
	LEAQ (R9)(R12*4), R10
	LEAQ (SI)(BX*4), R11
	MOVQ full+40(FP), CX
	TESTQ CX, CX
	JZ   inTail

inBlock:
	// i = 0: row 0 - row 2
	VMOVUPS (SI), Y0
	VSUBPS  (R11), Y0, Y0
	VMOVUPS (SI)(BX*1), Y1
	VSUBPS  (R11)(BX*1), Y1, Y1
	VMOVUPS 4(SI), Y2
	VSUBPS  4(R11), Y2, Y2
	VMOVUPS 4(SI)(BX*1), Y3
	VSUBPS  4(R11)(BX*1), Y3, Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMOVUPS    Y4, (DI)
	VMOVUPS    Y5, (DI)(R12*1)
	VMOVUPS    Y6, (DI)(R12*2)
	VMOVUPS    Y7, (DI)(R13*1)
	// i = 1: row 1 + row 2
	VMOVUPS (SI)(BX*2), Y0
	VADDPS  (R11), Y0, Y0
	VMOVUPS (SI)(DX*1), Y1
	VADDPS  (R11)(BX*1), Y1, Y1
	VMOVUPS 4(SI)(BX*2), Y2
	VADDPS  4(R11), Y2, Y2
	VMOVUPS 4(SI)(DX*1), Y3
	VADDPS  4(R11)(BX*1), Y3, Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMOVUPS    Y4, (R8)
	VMOVUPS    Y5, (R8)(R12*1)
	VMOVUPS    Y6, (R8)(R12*2)
	VMOVUPS    Y7, (R8)(R13*1)
	// i = 2: row 2 - row 1
	VMOVUPS (R11), Y0
	VSUBPS  (SI)(BX*2), Y0, Y0
	VMOVUPS (R11)(BX*1), Y1
	VSUBPS  (SI)(DX*1), Y1, Y1
	VMOVUPS 4(R11), Y2
	VSUBPS  4(SI)(BX*2), Y2, Y2
	VMOVUPS 4(R11)(BX*1), Y3
	VSUBPS  4(SI)(DX*1), Y3, Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMOVUPS    Y4, (R9)
	VMOVUPS    Y5, (R9)(R12*1)
	VMOVUPS    Y6, (R9)(R12*2)
	VMOVUPS    Y7, (R9)(R13*1)
	// i = 3: row 1 - row 3
	VMOVUPS (SI)(BX*2), Y0
	VSUBPS  (R11)(BX*2), Y0, Y0
	VMOVUPS (SI)(DX*1), Y1
	VSUBPS  (R11)(DX*1), Y1, Y1
	VMOVUPS 4(SI)(BX*2), Y2
	VSUBPS  4(R11)(BX*2), Y2, Y2
	VMOVUPS 4(SI)(DX*1), Y3
	VSUBPS  4(R11)(DX*1), Y3, Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMOVUPS    Y4, (R10)
	VMOVUPS    Y5, (R10)(R12*1)
	VMOVUPS    Y6, (R10)(R12*2)
	VMOVUPS    Y7, (R10)(R13*1)
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $32, SI
	ADDQ $32, R11
	DECQ CX
	JNZ  inBlock

inTail:
	CMPQ tail+48(FP), $0
	JE   inNext
	CMPQ AX, masked+56(FP)
	JLE  inMasked
	// i = 0: row 0 - row 2
	VMOVUPS (SI), Y0
	VSUBPS  (R11), Y0, Y0
	VMOVUPS (SI)(BX*1), Y1
	VSUBPS  (R11)(BX*1), Y1, Y1
	VMOVUPS 4(SI), Y2
	VSUBPS  4(R11), Y2, Y2
	VMOVUPS 4(SI)(BX*1), Y3
	VSUBPS  4(R11)(BX*1), Y3, Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMOVUPS    Y4, (DI)
	VMOVUPS    Y5, (DI)(R12*1)
	VMOVUPS    Y6, (DI)(R12*2)
	VMOVUPS    Y7, (DI)(R13*1)
	// i = 1: row 1 + row 2
	VMOVUPS (SI)(BX*2), Y0
	VADDPS  (R11), Y0, Y0
	VMOVUPS (SI)(DX*1), Y1
	VADDPS  (R11)(BX*1), Y1, Y1
	VMOVUPS 4(SI)(BX*2), Y2
	VADDPS  4(R11), Y2, Y2
	VMOVUPS 4(SI)(DX*1), Y3
	VADDPS  4(R11)(BX*1), Y3, Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMOVUPS    Y4, (R8)
	VMOVUPS    Y5, (R8)(R12*1)
	VMOVUPS    Y6, (R8)(R12*2)
	VMOVUPS    Y7, (R8)(R13*1)
	// i = 2: row 2 - row 1
	VMOVUPS (R11), Y0
	VSUBPS  (SI)(BX*2), Y0, Y0
	VMOVUPS (R11)(BX*1), Y1
	VSUBPS  (SI)(DX*1), Y1, Y1
	VMOVUPS 4(R11), Y2
	VSUBPS  4(SI)(BX*2), Y2, Y2
	VMOVUPS 4(R11)(BX*1), Y3
	VSUBPS  4(SI)(DX*1), Y3, Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMOVUPS    Y4, (R9)
	VMOVUPS    Y5, (R9)(R12*1)
	VMOVUPS    Y6, (R9)(R12*2)
	VMOVUPS    Y7, (R9)(R13*1)
	// i = 3: row 1 - row 3
	VMOVUPS (SI)(BX*2), Y0
	VSUBPS  (R11)(BX*2), Y0, Y0
	VMOVUPS (SI)(DX*1), Y1
	VSUBPS  (R11)(DX*1), Y1, Y1
	VMOVUPS 4(SI)(BX*2), Y2
	VSUBPS  4(R11)(BX*2), Y2, Y2
	VMOVUPS 4(SI)(DX*1), Y3
	VSUBPS  4(R11)(DX*1), Y3, Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMOVUPS    Y4, (R10)
	VMOVUPS    Y5, (R10)(R12*1)
	VMOVUPS    Y6, (R10)(R12*2)
	VMOVUPS    Y7, (R10)(R13*1)
	JMP  inNext

inMasked:
	// i = 0: row 0 - row 2
	VMOVUPS (SI), Y0
	VSUBPS  (R11), Y0, Y0
	VMOVUPS (SI)(BX*1), Y1
	VSUBPS  (R11)(BX*1), Y1, Y1
	VMOVUPS 4(SI), Y2
	VSUBPS  4(R11), Y2, Y2
	VMOVUPS 4(SI)(BX*1), Y3
	VSUBPS  4(R11)(BX*1), Y3, Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMASKMOVPS Y4, Y15, (DI)
	VMASKMOVPS Y5, Y15, (DI)(R12*1)
	VMASKMOVPS Y6, Y15, (DI)(R12*2)
	VMASKMOVPS Y7, Y15, (DI)(R13*1)
	// i = 1: row 1 + row 2
	VMOVUPS (SI)(BX*2), Y0
	VADDPS  (R11), Y0, Y0
	VMOVUPS (SI)(DX*1), Y1
	VADDPS  (R11)(BX*1), Y1, Y1
	VMOVUPS 4(SI)(BX*2), Y2
	VADDPS  4(R11), Y2, Y2
	VMOVUPS 4(SI)(DX*1), Y3
	VADDPS  4(R11)(BX*1), Y3, Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMASKMOVPS Y4, Y15, (R8)
	VMASKMOVPS Y5, Y15, (R8)(R12*1)
	VMASKMOVPS Y6, Y15, (R8)(R12*2)
	VMASKMOVPS Y7, Y15, (R8)(R13*1)
	// i = 2: row 2 - row 1
	VMOVUPS (R11), Y0
	VSUBPS  (SI)(BX*2), Y0, Y0
	VMOVUPS (R11)(BX*1), Y1
	VSUBPS  (SI)(DX*1), Y1, Y1
	VMOVUPS 4(R11), Y2
	VSUBPS  4(SI)(BX*2), Y2, Y2
	VMOVUPS 4(R11)(BX*1), Y3
	VSUBPS  4(SI)(DX*1), Y3, Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMASKMOVPS Y4, Y15, (R9)
	VMASKMOVPS Y5, Y15, (R9)(R12*1)
	VMASKMOVPS Y6, Y15, (R9)(R12*2)
	VMASKMOVPS Y7, Y15, (R9)(R13*1)
	// i = 3: row 1 - row 3
	VMOVUPS (SI)(BX*2), Y0
	VSUBPS  (R11)(BX*2), Y0, Y0
	VMOVUPS (SI)(DX*1), Y1
	VSUBPS  (R11)(DX*1), Y1, Y1
	VMOVUPS 4(SI)(BX*2), Y2
	VSUBPS  4(R11)(BX*2), Y2, Y2
	VMOVUPS 4(SI)(DX*1), Y3
	VSUBPS  4(R11)(DX*1), Y3, Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMASKMOVPS Y4, Y15, (R10)
	VMASKMOVPS Y5, Y15, (R10)(R12*1)
	VMASKMOVPS Y6, Y15, (R10)(R12*2)
	VMASKMOVPS Y7, Y15, (R10)(R13*1)

inNext:
	MOVQ vrow-8(SP), DI
	MOVQ full+40(FP), CX
	SHLQ $3, CX
	ADDQ tail+48(FP), CX               // tw
	LEAQ (DI)(CX*4), DI                // the next row of tiles
	MOVQ DI, vrow-8(SP)
	MOVQ srow-16(SP), SI
	LEAQ (SI)(BX*4), SI                // two input rows further
	MOVQ SI, srow-16(SP)
	DECQ AX
	JNZ  inRow
	VZEROUPPER
	RET

// func winogradOutputTilesAVX2(y *float32, w int, m *float32, stride, tw, th, odd, full, lo, hi, masked int)
//
// Per block of 8 tiles, the row step takes column q's products m_q,
// m_4+q, m_8+q, m_12+q from the planes at DI, R8, R9, R10 (+q·S) to
// s0 = (m_q + m_4+q) + m_8+q (Y0..Y3) and s1 = (m_4+q - m_8+q) - m_12+q
// (Y4..Y7); each output row's even columns (a+b)+c and odd ones (b-c)-d
// are interleaved into Y12, Y13 and stored at SI (first row) and R11
// (second row, unless the plane's height is odd, odd = 1, and this is the
// last row of tiles). Bytes per output row in BX; rows of tiles left in DX.
// Each row of tiles goes from its last block to its first, so that what
// the last block's first row writes past the plane's width (on the second
// row's first columns) is overwritten by the blocks after it.
TEXT ·winogradOutputTilesAVX2(SB), NOSPLIT, $16-88
	MOVQ stride+24(FP), R12
	SHLQ $2, R12
	LEAQ (R12)(R12*2), R13
	MOVQ w+8(FP), BX
	SHLQ $2, BX
	MOVQ lo+64(FP), CX
	LANEMASK(CX, AX, Y14)
	MOVQ hi+72(FP), CX
	LANEMASK(CX, AX, Y15)
	MOVQ m+16(FP), DI
	MOVQ y+0(FP), SI
	MOVQ DI, mrow-8(SP)
	MOVQ SI, yrow-16(SP)
	MOVQ th+40(FP), DX

outRow:
	LEAQ (DI)(R12*4), R8
	LEAQ (DI)(R12*8), R9
	LEAQ (R9)(R12*4), R10
	LEAQ (SI)(BX*1), R11
	MOVQ full+56(FP), CX
	MOVQ CX, AX                        // to the last block: the row goes backwards
	SHLQ $5, AX
	ADDQ AX, DI
	ADDQ AX, R8
	ADDQ AX, R9
	ADDQ AX, R10
	SHLQ $1, AX
	ADDQ AX, SI
	ADDQ AX, R11
	CMPQ lo+64(FP), $0
	JE   outWhole
	CMPQ DX, masked+80(FP)
	JLE  outMaskedTail

	VMOVUPS    (DI), Y0
	VMOVUPS    (R8), Y4
	VADDPS     Y4, Y0, Y0
	VADDPS     (R9), Y0, Y0
	VSUBPS     (R9), Y4, Y4
	VSUBPS     (R10), Y4, Y4
	VMOVUPS    (DI)(R12*1), Y1
	VMOVUPS    (R8)(R12*1), Y5
	VADDPS     Y5, Y1, Y1
	VADDPS     (R9)(R12*1), Y1, Y1
	VSUBPS     (R9)(R12*1), Y5, Y5
	VSUBPS     (R10)(R12*1), Y5, Y5
	VMOVUPS    (DI)(R12*2), Y2
	VMOVUPS    (R8)(R12*2), Y6
	VADDPS     Y6, Y2, Y2
	VADDPS     (R9)(R12*2), Y2, Y2
	VSUBPS     (R9)(R12*2), Y6, Y6
	VSUBPS     (R10)(R12*2), Y6, Y6
	VMOVUPS    (DI)(R13*1), Y3
	VMOVUPS    (R8)(R13*1), Y7
	VADDPS     Y7, Y3, Y3
	VADDPS     (R9)(R13*1), Y3, Y3
	VSUBPS     (R9)(R13*1), Y7, Y7
	VSUBPS     (R10)(R13*1), Y7, Y7
	VADDPS     Y1, Y0, Y10
	VADDPS     Y2, Y10, Y10
	VSUBPS     Y2, Y1, Y11
	VSUBPS     Y3, Y11, Y11
	VUNPCKLPS  Y11, Y10, Y8
	VUNPCKHPS  Y11, Y10, Y9
	VPERM2F128 $0x20, Y9, Y8, Y12
	VPERM2F128 $0x31, Y9, Y8, Y13
	VMOVUPS    Y12, (SI)
	VMOVUPS    Y13, 32(SI)
	CMPQ       DX, $1
	JNE        outWholeTailSecond
	CMPQ       odd+48(FP), $0
	JNE        outWholeTailDone
outWholeTailSecond:
	VADDPS     Y5, Y4, Y10
	VADDPS     Y6, Y10, Y10
	VSUBPS     Y6, Y5, Y11
	VSUBPS     Y7, Y11, Y11
	VUNPCKLPS  Y11, Y10, Y8
	VUNPCKHPS  Y11, Y10, Y9
	VPERM2F128 $0x20, Y9, Y8, Y12
	VPERM2F128 $0x31, Y9, Y8, Y13
	VMOVUPS    Y12, (R11)
	VMOVUPS    Y13, 32(R11)
outWholeTailDone:
	JMP  outWhole
outMaskedTail:
	VMOVUPS    (DI), Y0
	VMOVUPS    (R8), Y4
	VADDPS     Y4, Y0, Y0
	VADDPS     (R9), Y0, Y0
	VSUBPS     (R9), Y4, Y4
	VSUBPS     (R10), Y4, Y4
	VMOVUPS    (DI)(R12*1), Y1
	VMOVUPS    (R8)(R12*1), Y5
	VADDPS     Y5, Y1, Y1
	VADDPS     (R9)(R12*1), Y1, Y1
	VSUBPS     (R9)(R12*1), Y5, Y5
	VSUBPS     (R10)(R12*1), Y5, Y5
	VMOVUPS    (DI)(R12*2), Y2
	VMOVUPS    (R8)(R12*2), Y6
	VADDPS     Y6, Y2, Y2
	VADDPS     (R9)(R12*2), Y2, Y2
	VSUBPS     (R9)(R12*2), Y6, Y6
	VSUBPS     (R10)(R12*2), Y6, Y6
	VMOVUPS    (DI)(R13*1), Y3
	VMOVUPS    (R8)(R13*1), Y7
	VADDPS     Y7, Y3, Y3
	VADDPS     (R9)(R13*1), Y3, Y3
	VSUBPS     (R9)(R13*1), Y7, Y7
	VSUBPS     (R10)(R13*1), Y7, Y7
	VADDPS     Y1, Y0, Y10
	VADDPS     Y2, Y10, Y10
	VSUBPS     Y2, Y1, Y11
	VSUBPS     Y3, Y11, Y11
	VUNPCKLPS  Y11, Y10, Y8
	VUNPCKHPS  Y11, Y10, Y9
	VPERM2F128 $0x20, Y9, Y8, Y12
	VPERM2F128 $0x31, Y9, Y8, Y13
	VMASKMOVPS Y12, Y14, (SI)
	VMASKMOVPS Y13, Y15, 32(SI)
	CMPQ       DX, $1
	JNE        outMaskedSecond
	CMPQ       odd+48(FP), $0
	JNE        outMaskedDone
outMaskedSecond:
	VADDPS     Y5, Y4, Y10
	VADDPS     Y6, Y10, Y10
	VSUBPS     Y6, Y5, Y11
	VSUBPS     Y7, Y11, Y11
	VUNPCKLPS  Y11, Y10, Y8
	VUNPCKHPS  Y11, Y10, Y9
	VPERM2F128 $0x20, Y9, Y8, Y12
	VPERM2F128 $0x31, Y9, Y8, Y13
	VMASKMOVPS Y12, Y14, (R11)
	VMASKMOVPS Y13, Y15, 32(R11)
outMaskedDone:

outWhole:
	TESTQ CX, CX
	JZ    outNext

outBlock:
	SUBQ $32, DI
	SUBQ $32, R8
	SUBQ $32, R9
	SUBQ $32, R10
	SUBQ $64, SI
	SUBQ $64, R11
	VMOVUPS    (DI), Y0
	VMOVUPS    (R8), Y4
	VADDPS     Y4, Y0, Y0
	VADDPS     (R9), Y0, Y0
	VSUBPS     (R9), Y4, Y4
	VSUBPS     (R10), Y4, Y4
	VMOVUPS    (DI)(R12*1), Y1
	VMOVUPS    (R8)(R12*1), Y5
	VADDPS     Y5, Y1, Y1
	VADDPS     (R9)(R12*1), Y1, Y1
	VSUBPS     (R9)(R12*1), Y5, Y5
	VSUBPS     (R10)(R12*1), Y5, Y5
	VMOVUPS    (DI)(R12*2), Y2
	VMOVUPS    (R8)(R12*2), Y6
	VADDPS     Y6, Y2, Y2
	VADDPS     (R9)(R12*2), Y2, Y2
	VSUBPS     (R9)(R12*2), Y6, Y6
	VSUBPS     (R10)(R12*2), Y6, Y6
	VMOVUPS    (DI)(R13*1), Y3
	VMOVUPS    (R8)(R13*1), Y7
	VADDPS     Y7, Y3, Y3
	VADDPS     (R9)(R13*1), Y3, Y3
	VSUBPS     (R9)(R13*1), Y7, Y7
	VSUBPS     (R10)(R13*1), Y7, Y7
	VADDPS     Y1, Y0, Y10
	VADDPS     Y2, Y10, Y10
	VSUBPS     Y2, Y1, Y11
	VSUBPS     Y3, Y11, Y11
	VUNPCKLPS  Y11, Y10, Y8
	VUNPCKHPS  Y11, Y10, Y9
	VPERM2F128 $0x20, Y9, Y8, Y12
	VPERM2F128 $0x31, Y9, Y8, Y13
	VMOVUPS    Y12, (SI)
	VMOVUPS    Y13, 32(SI)
	CMPQ       DX, $1
	JNE        outFullSecond
	CMPQ       odd+48(FP), $0
	JNE        outFullDone
outFullSecond:
	VADDPS     Y5, Y4, Y10
	VADDPS     Y6, Y10, Y10
	VSUBPS     Y6, Y5, Y11
	VSUBPS     Y7, Y11, Y11
	VUNPCKLPS  Y11, Y10, Y8
	VUNPCKHPS  Y11, Y10, Y9
	VPERM2F128 $0x20, Y9, Y8, Y12
	VPERM2F128 $0x31, Y9, Y8, Y13
	VMOVUPS    Y12, (R11)
	VMOVUPS    Y13, 32(R11)
outFullDone:
	DECQ CX
	JNZ  outBlock

outNext:
	MOVQ mrow-8(SP), DI
	MOVQ tw+32(FP), CX
	LEAQ (DI)(CX*4), DI                // the next row of tiles
	MOVQ DI, mrow-8(SP)
	MOVQ yrow-16(SP), SI
	LEAQ (SI)(BX*2), SI                // two output rows further
	MOVQ SI, yrow-16(SP)
	DECQ DX
	JNZ  outRow
	VZEROUPPER
	RET

// func winogradGradTilesAVX2(m *float32, stride int, dy *float32, w, tw, th, odd, full, lo, hi, tail, masked int)
//
// Per block of 8 tiles (16 columns), the gradient's two rows are loaded
// from SI and R11 (the second as zeros on the last row of tiles of a plane
// of odd height, odd = 1; the last, shorter block through the masks Y14
// and Y15, which zero what lies outside the plane) and split into even
// and odd columns: g0e, g0o, g1e, g1o in Y2..Y5. The row step gives
// g0, g0+g1, g0-g1, -g1 for each half; for each, the column step a, a+b,
// a-b, -b (a the even half, b the odd) into planes 4i..4i+3 (DI, R8, R9,
// R10), the last block through the tile mask Y12. Y13 holds -0 for the
// negations (a flip of the sign bit, as Go's).
TEXT ·winogradGradTilesAVX2(SB), NOSPLIT, $16-96
	MOVQ stride+8(FP), R12
	SHLQ $2, R12
	LEAQ (R12)(R12*2), R13
	MOVQ w+24(FP), BX
	SHLQ $2, BX
	MOVQ lo+64(FP), CX
	LANEMASK(CX, AX, Y14)
	MOVQ hi+72(FP), CX
	LANEMASK(CX, AX, Y15)
	MOVQ tail+80(FP), CX
	LANEMASK(CX, AX, Y12)
	MOVL $0x80000000, AX
	MOVL AX, X13
	VBROADCASTSS X13, Y13
	MOVQ m+0(FP), DI
	MOVQ dy+16(FP), SI
	MOVQ DI, mrow-8(SP)
	MOVQ SI, grow-16(SP)
	MOVQ th+40(FP), DX

gradRow:
	LEAQ (DI)(R12*4), R8
	LEAQ (DI)(R12*8), R9
	LEAQ (R9)(R12*4), R10
	LEAQ (SI)(BX*1), R11
	MOVQ full+56(FP), CX
	TESTQ CX, CX
	JZ   gradTail

gradBlock:
	VMOVUPS    (SI), Y0
	VMOVUPS    32(SI), Y1
	VSHUFPS    $0x88, Y1, Y0, Y2
	VSHUFPS    $0xDD, Y1, Y0, Y3
	VPERMPD    $0xD8, Y2, Y2
	VPERMPD    $0xD8, Y3, Y3
	CMPQ       DX, $1
	JNE        gradWholeSecond
	CMPQ       odd+48(FP), $0
	JE         gradWholeSecond
	VXORPS     Y4, Y4, Y4
	VXORPS     Y5, Y5, Y5
	JMP        gradWholeRows
gradWholeSecond:
	VMOVUPS    (R11), Y0
	VMOVUPS    32(R11), Y1
	VSHUFPS    $0x88, Y1, Y0, Y4
	VSHUFPS    $0xDD, Y1, Y0, Y5
	VPERMPD    $0xD8, Y4, Y4
	VPERMPD    $0xD8, Y5, Y5
gradWholeRows:
	VADDPS     Y3, Y2, Y9
	VSUBPS     Y3, Y2, Y10
	VXORPS     Y13, Y3, Y11
	VMOVUPS    Y2, (DI)
	VMOVUPS    Y9, (DI)(R12*1)
	VMOVUPS    Y10, (DI)(R12*2)
	VMOVUPS    Y11, (DI)(R13*1)
	VADDPS     Y4, Y2, Y6
	VADDPS     Y5, Y3, Y7
	VADDPS     Y7, Y6, Y9
	VSUBPS     Y7, Y6, Y10
	VXORPS     Y13, Y7, Y11
	VMOVUPS    Y6, (R8)
	VMOVUPS    Y9, (R8)(R12*1)
	VMOVUPS    Y10, (R8)(R12*2)
	VMOVUPS    Y11, (R8)(R13*1)
	VSUBPS     Y4, Y2, Y6
	VSUBPS     Y5, Y3, Y7
	VADDPS     Y7, Y6, Y9
	VSUBPS     Y7, Y6, Y10
	VXORPS     Y13, Y7, Y11
	VMOVUPS    Y6, (R9)
	VMOVUPS    Y9, (R9)(R12*1)
	VMOVUPS    Y10, (R9)(R12*2)
	VMOVUPS    Y11, (R9)(R13*1)
	VXORPS     Y13, Y4, Y6
	VXORPS     Y13, Y5, Y7
	VADDPS     Y7, Y6, Y9
	VSUBPS     Y7, Y6, Y10
	VXORPS     Y13, Y7, Y11
	VMOVUPS    Y6, (R10)
	VMOVUPS    Y9, (R10)(R12*1)
	VMOVUPS    Y10, (R10)(R12*2)
	VMOVUPS    Y11, (R10)(R13*1)
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $64, SI
	ADDQ $64, R11
	DECQ CX
	JNZ  gradBlock

gradTail:
	CMPQ lo+64(FP), $0
	JE   gradNext
	CMPQ DX, masked+88(FP)
	JLE  gradMaskedTail
	VMASKMOVPS (SI), Y14, Y0
	VMASKMOVPS 32(SI), Y15, Y1
	VSHUFPS    $0x88, Y1, Y0, Y2
	VSHUFPS    $0xDD, Y1, Y0, Y3
	VPERMPD    $0xD8, Y2, Y2
	VPERMPD    $0xD8, Y3, Y3
	CMPQ       DX, $1
	JNE        gradWholeTailSecond
	CMPQ       odd+48(FP), $0
	JE         gradWholeTailSecond
	VXORPS     Y4, Y4, Y4
	VXORPS     Y5, Y5, Y5
	JMP        gradWholeTailRows
gradWholeTailSecond:
	VMASKMOVPS (R11), Y14, Y0
	VMASKMOVPS 32(R11), Y15, Y1
	VSHUFPS    $0x88, Y1, Y0, Y4
	VSHUFPS    $0xDD, Y1, Y0, Y5
	VPERMPD    $0xD8, Y4, Y4
	VPERMPD    $0xD8, Y5, Y5
gradWholeTailRows:
	VADDPS     Y3, Y2, Y9
	VSUBPS     Y3, Y2, Y10
	VXORPS     Y13, Y3, Y11
	VMASKMOVPS Y2, Y12, (DI)
	VMASKMOVPS Y9, Y12, (DI)(R12*1)
	VMASKMOVPS Y10, Y12, (DI)(R12*2)
	VMASKMOVPS Y11, Y12, (DI)(R13*1)
	VADDPS     Y4, Y2, Y6
	VADDPS     Y5, Y3, Y7
	VADDPS     Y7, Y6, Y9
	VSUBPS     Y7, Y6, Y10
	VXORPS     Y13, Y7, Y11
	VMASKMOVPS Y6, Y12, (R8)
	VMASKMOVPS Y9, Y12, (R8)(R12*1)
	VMASKMOVPS Y10, Y12, (R8)(R12*2)
	VMASKMOVPS Y11, Y12, (R8)(R13*1)
	VSUBPS     Y4, Y2, Y6
	VSUBPS     Y5, Y3, Y7
	VADDPS     Y7, Y6, Y9
	VSUBPS     Y7, Y6, Y10
	VXORPS     Y13, Y7, Y11
	VMASKMOVPS Y6, Y12, (R9)
	VMASKMOVPS Y9, Y12, (R9)(R12*1)
	VMASKMOVPS Y10, Y12, (R9)(R12*2)
	VMASKMOVPS Y11, Y12, (R9)(R13*1)
	VXORPS     Y13, Y4, Y6
	VXORPS     Y13, Y5, Y7
	VADDPS     Y7, Y6, Y9
	VSUBPS     Y7, Y6, Y10
	VXORPS     Y13, Y7, Y11
	VMASKMOVPS Y6, Y12, (R10)
	VMASKMOVPS Y9, Y12, (R10)(R12*1)
	VMASKMOVPS Y10, Y12, (R10)(R12*2)
	VMASKMOVPS Y11, Y12, (R10)(R13*1)
	JMP  gradNext
gradMaskedTail:
	VMASKMOVPS (SI), Y14, Y0
	VMASKMOVPS 32(SI), Y15, Y1
	VSHUFPS    $0x88, Y1, Y0, Y2
	VSHUFPS    $0xDD, Y1, Y0, Y3
	VPERMPD    $0xD8, Y2, Y2
	VPERMPD    $0xD8, Y3, Y3
	CMPQ       DX, $1
	JNE        gradMaskedSecond
	CMPQ       odd+48(FP), $0
	JE         gradMaskedSecond
	VXORPS     Y4, Y4, Y4
	VXORPS     Y5, Y5, Y5
	JMP        gradMaskedRows
gradMaskedSecond:
	VMASKMOVPS (R11), Y14, Y0
	VMASKMOVPS 32(R11), Y15, Y1
	VSHUFPS    $0x88, Y1, Y0, Y4
	VSHUFPS    $0xDD, Y1, Y0, Y5
	VPERMPD    $0xD8, Y4, Y4
	VPERMPD    $0xD8, Y5, Y5
gradMaskedRows:
	VADDPS     Y3, Y2, Y9
	VSUBPS     Y3, Y2, Y10
	VXORPS     Y13, Y3, Y11
	VMASKMOVPS Y2, Y12, (DI)
	VMASKMOVPS Y9, Y12, (DI)(R12*1)
	VMASKMOVPS Y10, Y12, (DI)(R12*2)
	VMASKMOVPS Y11, Y12, (DI)(R13*1)
	VADDPS     Y4, Y2, Y6
	VADDPS     Y5, Y3, Y7
	VADDPS     Y7, Y6, Y9
	VSUBPS     Y7, Y6, Y10
	VXORPS     Y13, Y7, Y11
	VMASKMOVPS Y6, Y12, (R8)
	VMASKMOVPS Y9, Y12, (R8)(R12*1)
	VMASKMOVPS Y10, Y12, (R8)(R12*2)
	VMASKMOVPS Y11, Y12, (R8)(R13*1)
	VSUBPS     Y4, Y2, Y6
	VSUBPS     Y5, Y3, Y7
	VADDPS     Y7, Y6, Y9
	VSUBPS     Y7, Y6, Y10
	VXORPS     Y13, Y7, Y11
	VMASKMOVPS Y6, Y12, (R9)
	VMASKMOVPS Y9, Y12, (R9)(R12*1)
	VMASKMOVPS Y10, Y12, (R9)(R12*2)
	VMASKMOVPS Y11, Y12, (R9)(R13*1)
	VXORPS     Y13, Y4, Y6
	VXORPS     Y13, Y5, Y7
	VADDPS     Y7, Y6, Y9
	VSUBPS     Y7, Y6, Y10
	VXORPS     Y13, Y7, Y11
	VMASKMOVPS Y6, Y12, (R10)
	VMASKMOVPS Y9, Y12, (R10)(R12*1)
	VMASKMOVPS Y10, Y12, (R10)(R12*2)
	VMASKMOVPS Y11, Y12, (R10)(R13*1)

gradNext:
	MOVQ mrow-8(SP), DI
	MOVQ tw+32(FP), CX
	LEAQ (DI)(CX*4), DI                // the next row of tiles
	MOVQ DI, mrow-8(SP)
	MOVQ grow-16(SP), SI
	LEAQ (SI)(BX*2), SI                // two gradient rows further
	MOVQ SI, grow-16(SP)
	DECQ DX
	JNZ  gradRow
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
