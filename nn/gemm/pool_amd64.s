//go:build amd64 && !purego

#include "textflag.h"

// The 3x3 stride-2 max pool of pool.go, 8 outputs per iteration.

// posConst: 1 in each int32 lane, the step from one window position to
// the next.
DATA posConst<>+0(SB)/4, $1
DATA posConst<>+4(SB)/4, $1
DATA posConst<>+8(SB)/4, $1
DATA posConst<>+12(SB)/4, $1
DATA posConst<>+16(SB)/4, $1
DATA posConst<>+20(SB)/4, $1
DATA posConst<>+24(SB)/4, $1
DATA posConst<>+28(SB)/4, $1
GLOBL posConst<>(SB), RODATA|NOPTR, $32

// WINDOW_ROW splits 16 floats at p and 16 at p+8 bytes into the window's
// columns 0 (even floats from p), 1 (odd floats from p) and 2 (even
// floats from p+8) for 8 outputs.
#define WINDOW_ROW(p, c0, c1, c2) \
	VMOVUPS (p), Y12          \
	VMOVUPS 32(p), Y13        \
	VSHUFPS $0x88, Y13, Y12, c0 \
	VSHUFPS $0xDD, Y13, Y12, c1 \
	VPERMPD $0xD8, c0, c0     \
	VPERMPD $0xD8, c1, c1     \
	VMOVUPS 8(p), Y12         \
	VMOVUPS 40(p), Y13        \
	VSHUFPS $0x88, Y13, Y12, c2 \
	VPERMPD $0xD8, c2, c2

// TAKE makes the window value v the best where it is greater (ordered:
// a NaN never is), and the current position (Y11, as int32) its index.
#define TAKE(v) \
	VCMPPS    $0x1E, Y8, v, Y14 \
	VBLENDVPS Y14, v, Y8, Y8    \
	VBLENDVPS Y14, Y11, Y9, Y9  \
	VPADDD    Y10, Y11, Y11

// func maxPool3Stride2AVX2(out *float32, pos *uint8, r0, r1, r2 *float32, n int)
TEXT ·maxPool3Stride2AVX2(SB), NOSPLIT, $0-48
	MOVQ out+0(FP), DI
	MOVQ pos+8(FP), DX
	MOVQ r0+16(FP), SI
	MOVQ r1+24(FP), R8
	MOVQ r2+32(FP), R9
	MOVQ n+40(FP), CX
	VMOVDQU posConst<>(SB), Y10       // +1 per position

poolLoop:
	WINDOW_ROW(SI, Y0, Y1, Y2)
	WINDOW_ROW(R8, Y3, Y4, Y5)
	WINDOW_ROW(R9, Y6, Y7, Y15)
	VMOVAPS Y0, Y8                    // best: position 0
	VPXOR   Y9, Y9, Y9                // its index
	VMOVDQA Y10, Y11                  // the next position: 1
	TAKE(Y1)
	TAKE(Y2)
	TAKE(Y3)
	TAKE(Y4)
	TAKE(Y5)
	TAKE(Y6)
	TAKE(Y7)
	TAKE(Y15)
	VMOVUPS      Y8, (DI)
	VEXTRACTI128 $1, Y9, X12
	VPACKSSDW    X12, X9, X9          // 8 x int16, in order
	VPACKUSWB    X9, X9, X9           // 8 x uint8 in the low half
	MOVQ         X9, (DX)
	ADDQ         $32, DI
	ADDQ         $8, DX
	ADDQ         $64, SI
	ADDQ         $64, R8
	ADDQ         $64, R9
	SUBQ         $8, CX
	JNZ          poolLoop
	VZEROUPPER
	RET
