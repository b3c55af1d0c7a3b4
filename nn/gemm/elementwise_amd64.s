//go:build amd64 && !purego

#include "textflag.h"

// The elementwise loops process 16 floats per iteration in two YMM
// registers; n must be a positive multiple of 16. Products and sums are
// rounded separately (no FMA), exactly as the plain Go loops in
// elementwise.go compute them.

// func axpyAVX(x, y *float32, n int, alpha float32)
TEXT ·axpyAVX(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSS alpha+24(FP), Y15
	SHRQ $4, CX

axpyLoop:
	VMULPS (SI), Y15, Y0
	VMULPS 32(SI), Y15, Y1
	VADDPS (DI), Y0, Y0
	VADDPS 32(DI), Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  axpyLoop
	VZEROUPPER
	RET

// func addAVX(dst, src *float32, n int)
TEXT ·addAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX

addLoop:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VADDPS (SI), Y0, Y0
	VADDPS 32(SI), Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  addLoop
	VZEROUPPER
	RET

// func reluAVX(dst, src *float32, n int)
//
// dst = max(src, 0) with Go's max semantics: NaN stays NaN and -0 becomes
// +0. VMAXPS returns its second source when the comparison is false (NaN
// or equal), so max(0 > x ? 0 : x) keeps NaN and -0; adding +0 turns -0
// into +0 and changes nothing else.
TEXT ·reluAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	VXORPS Y15, Y15, Y15

reluLoop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMAXPS Y0, Y15, Y0
	VMAXPS Y1, Y15, Y1
	VADDPS Y15, Y0, Y0
	VADDPS Y15, Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  reluLoop
	VZEROUPPER
	RET

// func reluGradAVX(dst, dy, y *float32, n int)
//
// dst = dy where y > 0 (ordered: false for NaN), 0 elsewhere.
TEXT ·reluGradAVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	VXORPS Y15, Y15, Y15

reluGradLoop:
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	// Predicate 0x1E is GT_OQ: y > 0, false for NaN.
	VCMPPS $0x1E, Y15, Y0, Y0
	VCMPPS $0x1E, Y15, Y1, Y1
	VANDPS (SI), Y0, Y0
	VANDPS 32(SI), Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ CX
	JNZ  reluGradLoop
	VZEROUPPER
	RET

// func sgdAVX(w, grad *float32, n int, lr, wd float32)
//
// w -= lr * (g + wd*w)
TEXT ·sgdAVX(SB), NOSPLIT, $0-32
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS lr+24(FP), Y14
	VBROADCASTSS wd+28(FP), Y15
	SHRQ $4, CX

sgdLoop:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMULPS Y0, Y15, Y2
	VMULPS Y1, Y15, Y3
	VADDPS (SI), Y2, Y2
	VADDPS 32(SI), Y3, Y3
	VMULPS Y2, Y14, Y2
	VMULPS Y3, Y14, Y3
	VSUBPS Y2, Y0, Y0
	VSUBPS Y3, Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  sgdLoop
	VZEROUPPER
	RET

// func sgdMomentumAVX(w, grad, buf *float32, n int, lr, wd, mu float32)
//
// gi = g + wd*w; buf = mu*buf + gi; w -= lr*buf
TEXT ·sgdMomentumAVX(SB), NOSPLIT, $0-44
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ buf+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS lr+32(FP), Y13
	VBROADCASTSS wd+36(FP), Y14
	VBROADCASTSS mu+40(FP), Y15
	SHRQ $4, CX

sgdMomLoop:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMULPS Y0, Y14, Y2
	VMULPS Y1, Y14, Y3
	VADDPS (SI), Y2, Y2
	VADDPS 32(SI), Y3, Y3
	VMULPS (DX), Y15, Y4
	VMULPS 32(DX), Y15, Y5
	VADDPS Y2, Y4, Y4
	VADDPS Y3, Y5, Y5
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	VMULPS Y4, Y13, Y4
	VMULPS Y5, Y13, Y5
	VSUBPS Y4, Y0, Y0
	VSUBPS Y5, Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ CX
	JNZ  sgdMomLoop
	VZEROUPPER
	RET
