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


// STORE4 stores Y4..Y7 at the planes p, p+S, p+2S, p+3S (S in R12, 3S in
// R13); STORE4MASKED does so through the lane mask Y15.
#define STORE4(p) \
	VMOVUPS Y4, (p)        \
	VMOVUPS Y5, (p)(R12*1) \
	VMOVUPS Y6, (p)(R12*2) \
	VMOVUPS Y7, (p)(R13*1)

#define STORE4MASKED(p) \
	VMASKMOVPS Y4, Y15, (p)        \
	VMASKMOVPS Y5, Y15, (p)(R12*1) \
	VMASKMOVPS Y6, Y15, (p)(R12*2) \
	VMASKMOVPS Y7, Y15, (p)(R13*1)

// IN_COMBINE combines two split input rows with op (VSUBPS: a-b, VADDPS:
// a+b), at the columns e[tx], o[tx], e[tx+1], o[tx+1] (a0..a3 and b0..b3),
// into Y0..Y3, then takes the column step (y0-y2, y1+y2, y2-y1, y1-y3)
// into Y4..Y7.
#define IN_COMBINE(op, a0, a1, a2, a3, b0, b1, b2, b3) \
	VMOVUPS a0, Y0     \
	op      b0, Y0, Y0 \
	VMOVUPS a1, Y1     \
	op      b1, Y1, Y1 \
	VMOVUPS a2, Y2     \
	op      b2, Y2, Y2 \
	VMOVUPS a3, Y3     \
	op      b3, Y3, Y3 \
	VSUBPS  Y2, Y0, Y4 \
	VADDPS  Y2, Y1, Y5 \
	VSUBPS  Y1, Y2, Y6 \
	VSUBPS  Y3, Y1, Y7

// The split input rows' columns in IN_BLOCK: row r's halves at
// e_r = B + 2r·NB and o_r = B + (2r+1)·NB (NB in BX, 3NB in DX), rows 0
// and 1 from SI, rows 2 and 3 from R11; the 4(...) forms are one tile
// further.
// IN_BLOCK transforms one block of 8 tiles into the planes 4i..4i+3
// (DI, R8, R9, R10) for each combination i of the rows (0-2, 1+2, 2-1,
// 1-3); IN_BLOCK_MASKED stores through the lane mask.
#define IN_BLOCK \
	IN_COMBINE(VSUBPS, (SI), (SI)(BX*1), 4(SI), 4(SI)(BX*1), (R11), (R11)(BX*1), 4(R11), 4(R11)(BX*1)) \
	STORE4(DI)                     \
	IN_COMBINE(VADDPS, (SI)(BX*2), (SI)(DX*1), 4(SI)(BX*2), 4(SI)(DX*1), (R11), (R11)(BX*1), 4(R11), 4(R11)(BX*1)) \
	STORE4(R8)                     \
	IN_COMBINE(VSUBPS, (R11), (R11)(BX*1), 4(R11), 4(R11)(BX*1), (SI)(BX*2), (SI)(DX*1), 4(SI)(BX*2), 4(SI)(DX*1)) \
	STORE4(R9)                     \
	IN_COMBINE(VSUBPS, (SI)(BX*2), (SI)(DX*1), 4(SI)(BX*2), 4(SI)(DX*1), (R11)(BX*2), (R11)(DX*1), 4(R11)(BX*2), 4(R11)(DX*1)) \
	STORE4(R10)

#define IN_BLOCK_MASKED \
	IN_COMBINE(VSUBPS, (SI), (SI)(BX*1), 4(SI), 4(SI)(BX*1), (R11), (R11)(BX*1), 4(R11), 4(R11)(BX*1)) \
	STORE4MASKED(DI)               \
	IN_COMBINE(VADDPS, (SI)(BX*2), (SI)(DX*1), 4(SI)(BX*2), 4(SI)(DX*1), (R11), (R11)(BX*1), 4(R11), 4(R11)(BX*1)) \
	STORE4MASKED(R8)               \
	IN_COMBINE(VSUBPS, (R11), (R11)(BX*1), 4(R11), 4(R11)(BX*1), (SI)(BX*2), (SI)(DX*1), 4(SI)(BX*2), 4(SI)(DX*1)) \
	STORE4MASKED(R9)               \
	IN_COMBINE(VSUBPS, (SI)(BX*2), (SI)(DX*1), 4(SI)(BX*2), 4(SI)(DX*1), (R11)(BX*2), (R11)(DX*1), 4(R11)(BX*2), 4(R11)(DX*1)) \
	STORE4MASKED(R10)

// func winogradInputTilesAVX2(v *float32, stride int, split *float32, n, th, full, tail, masked int)
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
	LEAQ  (DI)(R12*4), R8
	LEAQ  (DI)(R12*8), R9
	LEAQ  (R9)(R12*4), R10
	LEAQ  (SI)(BX*4), R11
	MOVQ  full+40(FP), CX
	TESTQ CX, CX
	JZ    inTail

inBlock:
	IN_BLOCK
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
	IN_BLOCK
	JMP  inNext

inMasked:
	IN_BLOCK_MASKED

inNext:
	MOVQ vrow-8(SP), DI
	MOVQ full+40(FP), CX
	SHLQ $3, CX
	ADDQ tail+48(FP), CX // tw
	LEAQ (DI)(CX*4), DI  // the next row of tiles
	MOVQ DI, vrow-8(SP)
	MOVQ srow-16(SP), SI
	LEAQ (SI)(BX*4), SI  // two input rows further
	MOVQ SI, srow-16(SP)
	DECQ AX
	JNZ  inRow
	VZEROUPPER
	RET

// OUT_COLUMN is the output transform's row step for one column q of the
// tiles: from the products m_q, m_4+q, m_8+q, m_12+q at a, b, c, d,
// s0 = (m_q + m_4+q) + m_8+q and s1 = (m_4+q - m_8+q) - m_12+q.
#define OUT_COLUMN(a, b, c, d, s0, s1) \
	VMOVUPS a, s0      \
	VMOVUPS b, s1      \
	VADDPS  s1, s0, s0 \
	VADDPS  c, s0, s0  \
	VSUBPS  c, s1, s1  \
	VSUBPS  d, s1, s1

// OUT_ROWS takes the row step of a block of 8 tiles from the planes at
// DI, R8, R9, R10 (column q at +q·S): s0 into Y0..Y3, s1 into Y4..Y7.
#define OUT_ROWS \
	OUT_COLUMN((DI), (R8), (R9), (R10), Y0, Y4)                                 \
	OUT_COLUMN((DI)(R12*1), (R8)(R12*1), (R9)(R12*1), (R10)(R12*1), Y1, Y5) \
	OUT_COLUMN((DI)(R12*2), (R8)(R12*2), (R9)(R12*2), (R10)(R12*2), Y2, Y6) \
	OUT_COLUMN((DI)(R13*1), (R8)(R13*1), (R9)(R13*1), (R10)(R13*1), Y3, Y7)

// OUT_LINE computes an output row's even columns (a+b)+c and odd ones
// (b-c)-d and interleaves them into Y12 (columns 0-7 of the block) and
// Y13 (8-15).
#define OUT_LINE(a, b, c, d) \
	VADDPS     b, a, Y10          \
	VADDPS     c, Y10, Y10        \
	VSUBPS     c, b, Y11          \
	VSUBPS     d, Y11, Y11        \
	VUNPCKLPS  Y11, Y10, Y8       \
	VUNPCKHPS  Y11, Y10, Y9       \
	VPERM2F128 $0x20, Y9, Y8, Y12 \
	VPERM2F128 $0x31, Y9, Y8, Y13

// OUT_STORE stores Y12, Y13 at p, whole or through the masks Y14, Y15.
#define OUT_STORE(p) \
	VMOVUPS Y12, (p) \
	VMOVUPS Y13, 32(p)

#define OUT_STORE_MASKED(p) \
	VMASKMOVPS Y12, Y14, (p) \
	VMASKMOVPS Y13, Y15, 32(p)

// func winogradOutputTilesAVX2(y *float32, w int, m *float32, stride, tw, th, odd, full, lo, hi, masked int)
//
// Per block of 8 tiles, the row step (OUT_ROWS) and each output row's
// columns (OUT_LINE), stored at SI (first row) and R11 (second row,
// unless the plane's height is odd, odd = 1, and this is the last row of
// tiles). Bytes per output row in BX; rows of tiles left in DX. Each row
// of tiles goes from its last block to its first, so that what the last
// block's first row writes past the plane's width (on the second row's
// first columns) is overwritten by the blocks after it.
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
	MOVQ CX, AX          // to the last block: the row goes backwards
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
	OUT_ROWS
	OUT_LINE(Y0, Y1, Y2, Y3)
	OUT_STORE(SI)
	CMPQ DX, $1
	JNE  outWholeTailSecond
	CMPQ odd+48(FP), $0
	JNE  outWholeTailDone

outWholeTailSecond:
	OUT_LINE(Y4, Y5, Y6, Y7)
	OUT_STORE(R11)

outWholeTailDone:
	JMP outWhole

outMaskedTail:
	OUT_ROWS
	OUT_LINE(Y0, Y1, Y2, Y3)
	OUT_STORE_MASKED(SI)
	CMPQ DX, $1
	JNE  outMaskedSecond
	CMPQ odd+48(FP), $0
	JNE  outMaskedDone

outMaskedSecond:
	OUT_LINE(Y4, Y5, Y6, Y7)
	OUT_STORE_MASKED(R11)

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
	OUT_ROWS
	OUT_LINE(Y0, Y1, Y2, Y3)
	OUT_STORE(SI)
	CMPQ DX, $1
	JNE  outFullSecond
	CMPQ odd+48(FP), $0
	JNE  outFullDone

outFullSecond:
	OUT_LINE(Y4, Y5, Y6, Y7)
	OUT_STORE(R11)

outFullDone:
	DECQ CX
	JNZ  outBlock

outNext:
	MOVQ mrow-8(SP), DI
	MOVQ tw+32(FP), CX
	LEAQ (DI)(CX*4), DI  // the next row of tiles
	MOVQ DI, mrow-8(SP)
	MOVQ yrow-16(SP), SI
	LEAQ (SI)(BX*2), SI  // two output rows further
	MOVQ SI, yrow-16(SP)
	DECQ DX
	JNZ  outRow
	VZEROUPPER
	RET

// GRAD_LOAD loads 16 gradient floats at p into lo, hi, whole or (masked)
// through Y14, Y15, which zero what lies past the plane's edge;
// GRAD_SPLIT splits them into even and odd columns.
#define GRAD_LOAD(p, lo, hi) \
	VMOVUPS (p), lo \
	VMOVUPS 32(p), hi

#define GRAD_LOAD_MASKED(p, lo, hi) \
	VMASKMOVPS (p), Y14, lo \
	VMASKMOVPS 32(p), Y15, hi

#define GRAD_SPLIT(lo, hi, ev, od) \
	VSHUFPS $0x88, hi, lo, ev \
	VSHUFPS $0xDD, hi, lo, od \
	VPERMPD $0xD8, ev, ev     \
	VPERMPD $0xD8, od, od

// GRAD_COLUMNS takes the column step a, a+b, a-b, -b (a the even half of a
// combined row, b the odd) into the planes p..p+3S, whole or through the
// tile mask Y12; Y13 holds -0 (the negation flips the sign bit, as Go's).
#define GRAD_COLUMNS(p, a, b) \
	VADDPS  b, a, Y9        \
	VSUBPS  b, a, Y10       \
	VXORPS  Y13, b, Y11     \
	VMOVUPS a, (p)          \
	VMOVUPS Y9, (p)(R12*1)  \
	VMOVUPS Y10, (p)(R12*2) \
	VMOVUPS Y11, (p)(R13*1)

#define GRAD_COLUMNS_MASKED(p, a, b) \
	VADDPS     b, a, Y9             \
	VSUBPS     b, a, Y10            \
	VXORPS     Y13, b, Y11          \
	VMASKMOVPS a, Y12, (p)          \
	VMASKMOVPS Y9, Y12, (p)(R12*1)  \
	VMASKMOVPS Y10, Y12, (p)(R12*2) \
	VMASKMOVPS Y11, Y12, (p)(R13*1)

// GRAD_ROWS takes the row step of the split rows g0 (Y2, Y3) and g1 (Y4,
// Y5), g0, g0+g1, g0-g1, -g1, each followed by its column step (columns:
// GRAD_COLUMNS or GRAD_COLUMNS_MASKED) into planes 4i..4i+3 (DI, R8, R9,
// R10).
#define GRAD_ROWS(columns) \
	columns(DI, Y2, Y3)     \
	VADDPS Y4, Y2, Y6       \
	VADDPS Y5, Y3, Y7       \
	columns(R8, Y6, Y7)     \
	VSUBPS Y4, Y2, Y6       \
	VSUBPS Y5, Y3, Y7       \
	columns(R9, Y6, Y7)     \
	VXORPS Y13, Y4, Y6      \
	VXORPS Y13, Y5, Y7      \
	columns(R10, Y6, Y7)

// func winogradGradTilesAVX2(m *float32, stride int, dy *float32, w, tw, th, odd, full, lo, hi, tail, masked int)
//
// Per block of 8 tiles (16 columns), the gradient's two rows are loaded
// from SI and R11 (the second as zeros on the last row of tiles of a plane
// of odd height, odd = 1; the last, shorter block through the masks) and
// split into even and odd columns, then GRAD_ROWS.
TEXT ·winogradGradTilesAVX2(SB), NOSPLIT, $16-96
	MOVQ         stride+8(FP), R12
	SHLQ         $2, R12
	LEAQ         (R12)(R12*2), R13
	MOVQ         w+24(FP), BX
	SHLQ         $2, BX
	MOVQ         lo+64(FP), CX
	LANEMASK(CX, AX, Y14)
	MOVQ         hi+72(FP), CX
	LANEMASK(CX, AX, Y15)
	MOVQ         tail+80(FP), CX
	LANEMASK(CX, AX, Y12)
	MOVL         $0x80000000, AX
	MOVL         AX, X13
	VBROADCASTSS X13, Y13
	MOVQ         m+0(FP), DI
	MOVQ         dy+16(FP), SI
	MOVQ         DI, mrow-8(SP)
	MOVQ         SI, grow-16(SP)
	MOVQ         th+40(FP), DX

gradRow:
	LEAQ  (DI)(R12*4), R8
	LEAQ  (DI)(R12*8), R9
	LEAQ  (R9)(R12*4), R10
	LEAQ  (SI)(BX*1), R11
	MOVQ  full+56(FP), CX
	TESTQ CX, CX
	JZ    gradTail

gradBlock:
	GRAD_LOAD(SI, Y0, Y1)
	GRAD_SPLIT(Y0, Y1, Y2, Y3)
	CMPQ   DX, $1
	JNE    gradWholeSecond
	CMPQ   odd+48(FP), $0
	JE     gradWholeSecond
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	JMP    gradWholeRows

gradWholeSecond:
	GRAD_LOAD(R11, Y0, Y1)
	GRAD_SPLIT(Y0, Y1, Y4, Y5)

gradWholeRows:
	GRAD_ROWS(GRAD_COLUMNS)
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
	GRAD_LOAD_MASKED(SI, Y0, Y1)
	GRAD_SPLIT(Y0, Y1, Y2, Y3)
	CMPQ   DX, $1
	JNE    gradWholeTailSecond
	CMPQ   odd+48(FP), $0
	JE     gradWholeTailSecond
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	JMP    gradWholeTailRows

gradWholeTailSecond:
	GRAD_LOAD_MASKED(R11, Y0, Y1)
	GRAD_SPLIT(Y0, Y1, Y4, Y5)

gradWholeTailRows:
	GRAD_ROWS(GRAD_COLUMNS)
	JMP gradNext

gradMaskedTail:
	GRAD_LOAD_MASKED(SI, Y0, Y1)
	GRAD_SPLIT(Y0, Y1, Y2, Y3)
	CMPQ   DX, $1
	JNE    gradMaskedSecond
	CMPQ   odd+48(FP), $0
	JE     gradMaskedSecond
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	JMP    gradMaskedRows

gradMaskedSecond:
	GRAD_LOAD_MASKED(R11, Y0, Y1)
	GRAD_SPLIT(Y0, Y1, Y4, Y5)

gradMaskedRows:
	GRAD_ROWS(GRAD_COLUMNS_MASKED)

gradNext:
	MOVQ mrow-8(SP), DI
	MOVQ tw+32(FP), CX
	LEAQ (DI)(CX*4), DI  // the next row of tiles
	MOVQ DI, mrow-8(SP)
	MOVQ grow-16(SP), SI
	LEAQ (SI)(BX*2), SI  // two gradient rows further
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
