//go:build amd64 && !purego

#include "textflag.h"

// Batch normalisation's passes (normalize.go), 16 floats per iteration;
// n must be a positive multiple of 16. The float64 sums keep 16 lanes in
// four YMM accumulators (lanes 0-3, 4-7, 8-11, 12-15), element i of the
// bulk in lane i mod 16, and store them to the caller's lane array.
// Products and sums are rounded separately (no FMA), as the Go loops.

// func sum64AVX2(x *float32, n int, s *[16]float64)
TEXT ·sum64AVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ s+16(FP), DI
	SHRQ $4, CX
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7

sumLoop:
	VCVTPS2PD (SI), Y0
	VCVTPS2PD 16(SI), Y1
	VCVTPS2PD 32(SI), Y2
	VCVTPS2PD 48(SI), Y3
	VADDPD    Y0, Y4, Y4
	VADDPD    Y1, Y5, Y5
	VADDPD    Y2, Y6, Y6
	VADDPD    Y3, Y7, Y7
	ADDQ      $64, SI
	DECQ      CX
	JNZ       sumLoop
	VMOVUPD   Y4, (DI)
	VMOVUPD   Y5, 32(DI)
	VMOVUPD   Y6, 64(DI)
	VMOVUPD   Y7, 96(DI)
	VZEROUPPER
	RET

// func sumSqDev64AVX2(x *float32, n int, m float64, s *[16]float64)
TEXT ·sumSqDev64AVX2(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD m+16(FP), Y15
	MOVQ         s+24(FP), DI
	SHRQ         $4, CX
	VXORPD       Y4, Y4, Y4
	VXORPD       Y5, Y5, Y5
	VXORPD       Y6, Y6, Y6
	VXORPD       Y7, Y7, Y7

sqLoop:
	VCVTPS2PD (SI), Y0
	VCVTPS2PD 16(SI), Y1
	VCVTPS2PD 32(SI), Y2
	VCVTPS2PD 48(SI), Y3
	VSUBPD    Y15, Y0, Y0
	VSUBPD    Y15, Y1, Y1
	VSUBPD    Y15, Y2, Y2
	VSUBPD    Y15, Y3, Y3
	VMULPD    Y0, Y0, Y0
	VMULPD    Y1, Y1, Y1
	VMULPD    Y2, Y2, Y2
	VMULPD    Y3, Y3, Y3
	VADDPD    Y0, Y4, Y4
	VADDPD    Y1, Y5, Y5
	VADDPD    Y2, Y6, Y6
	VADDPD    Y3, Y7, Y7
	ADDQ      $64, SI
	DECQ      CX
	JNZ       sqLoop
	VMOVUPD   Y4, (DI)
	VMOVUPD   Y5, 32(DI)
	VMOVUPD   Y6, 64(DI)
	VMOVUPD   Y7, 96(DI)
	VZEROUPPER
	RET

// SUMDOT4 adds the 4 floats of a at off(SI) to the sum lanes in acc and
// their products with those of b at off(DX) to the dot lanes in dacc.
#define SUMDOT4(off, acc, dacc) \
	VCVTPS2PD off(SI), Y0 \
	VCVTPS2PD off(DX), Y1 \
	VADDPD    Y0, acc, acc \
	VMULPD    Y1, Y0, Y0 \
	VADDPD    Y0, dacc, dacc

// ZERO_SUMS clears the sum lanes (Y4-Y7) and the dot lanes (Y8-Y11).
#define ZERO_SUMS \
	VXORPD Y4, Y4, Y4 \
	VXORPD Y5, Y5, Y5 \
	VXORPD Y6, Y6, Y6 \
	VXORPD Y7, Y7, Y7 \
	VXORPD Y8, Y8, Y8 \
	VXORPD Y9, Y9, Y9 \
	VXORPD Y10, Y10, Y10 \
	VXORPD Y11, Y11, Y11

// STORE_SUMS stores the sum lanes to the array at argument offset soff and
// the dot lanes to the one at doff.
#define STORE_SUMS(soff, doff) \
	MOVQ    s+soff(FP), DI \
	VMOVUPD Y4, (DI) \
	VMOVUPD Y5, 32(DI) \
	VMOVUPD Y6, 64(DI) \
	VMOVUPD Y7, 96(DI) \
	MOVQ    d+doff(FP), DI \
	VMOVUPD Y8, (DI) \
	VMOVUPD Y9, 32(DI) \
	VMOVUPD Y10, 64(DI) \
	VMOVUPD Y11, 96(DI)

// func sumDot64AVX2(a, b *float32, n int, s, d *[16]float64)
TEXT ·sumDot64AVX2(SB), NOSPLIT, $0-40
	MOVQ   a+0(FP), SI
	MOVQ   b+8(FP), DX
	MOVQ   n+16(FP), CX
	SHRQ   $4, CX
	ZERO_SUMS

dotLoop:
	SUMDOT4(0, Y4, Y8)
	SUMDOT4(16, Y5, Y9)
	SUMDOT4(32, Y6, Y10)
	SUMDOT4(48, Y7, Y11)
	ADDQ $64, SI
	ADDQ $64, DX
	DECQ CX
	JNZ  dotLoop
	STORE_SUMS(24, 32)
	VZEROUPPER
	RET

// func maskSumDot64AVX2(dy, h *float32, n int, gamma, beta float32, s, d *[16]float64)
//
// dy[i] is cleared where the int32 bits of g·h[i] + b are not positive,
// then summed as sumDot64AVX2 does.
TEXT ·maskSumDot64AVX2(SB), NOSPLIT, $0-48
	MOVQ         dy+0(FP), SI
	MOVQ         h+8(FP), DX
	MOVQ         n+16(FP), CX
	VBROADCASTSS gamma+24(FP), Y14
	VBROADCASTSS beta+28(FP), Y13
	SHRQ         $4, CX
	VPXOR        Y12, Y12, Y12
	ZERO_SUMS

maskLoop:
	VMULPS   (DX), Y14, Y2
	VMULPS   32(DX), Y14, Y3
	VADDPS   Y13, Y2, Y2
	VADDPS   Y13, Y3, Y3
	VPCMPGTD Y12, Y2, Y2
	VPCMPGTD Y12, Y3, Y3
	VANDPS   (SI), Y2, Y2
	VANDPS   32(SI), Y3, Y3
	VMOVUPS  Y2, (SI)
	VMOVUPS  Y3, 32(SI)
	SUMDOT4(0, Y4, Y8)
	SUMDOT4(16, Y5, Y9)
	SUMDOT4(32, Y6, Y10)
	SUMDOT4(48, Y7, Y11)
	ADDQ     $64, SI
	ADDQ     $64, DX
	DECQ     CX
	JNZ      maskLoop
	STORE_SUMS(32, 40)
	VZEROUPPER
	RET

// NORM8 normalises the 8 floats at off(SI) into Y0 and stores them to
// off(DI) (h); then Y0 = g·h + b.
#define NORM8(off) \
	VMOVUPS off(SI), Y0 \
	VSUBPS  Y15, Y0, Y0 \
	VMULPS  Y14, Y0, Y0 \
	VMOVUPS Y0, off(DI) \
	VMULPS  Y13, Y0, Y0 \
	VADDPS  Y12, Y0, Y0

// RELU8 clears Y0's sign bits, with the rest, where Y0 is not NaN.
#define RELU8 \
	VPSRAD  $31, Y0, Y1 \
	VCMPPS  $3, Y0, Y0, Y2 \
	VANDNPS Y1, Y2, Y1 \
	VANDNPS Y0, Y1, Y0

// func normalizeAVX2(h, y, x *float32, n int, mean, inv, gamma, beta float32, relu bool)
TEXT ·normalizeAVX2(SB), NOSPLIT, $0-49
	MOVQ         h+0(FP), DI
	MOVQ         y+8(FP), BX
	MOVQ         x+16(FP), SI
	MOVQ         n+24(FP), CX
	VBROADCASTSS mean+32(FP), Y15
	VBROADCASTSS inv+36(FP), Y14
	VBROADCASTSS gamma+40(FP), Y13
	VBROADCASTSS beta+44(FP), Y12
	SHRQ         $4, CX
	MOVBLZX      relu+48(FP), AX
	TESTQ        AX, AX
	JZ           linLoop

reluLoop:
	NORM8(0)
	RELU8
	VMOVUPS Y0, (BX)
	NORM8(32)
	RELU8
	VMOVUPS Y0, 32(BX)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, BX
	DECQ    CX
	JNZ     reluLoop
	VZEROUPPER
	RET

linLoop:
	NORM8(0)
	VMOVUPS Y0, (BX)
	NORM8(32)
	VMOVUPS Y0, 32(BX)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, BX
	DECQ    CX
	JNZ     linLoop
	VZEROUPPER
	RET

// func normalizeGradAVX2(dx, dy, h *float32, n int, k, mdy, mdyx float32)
TEXT ·normalizeGradAVX2(SB), NOSPLIT, $0-44
	MOVQ         dx+0(FP), DI
	MOVQ         dy+8(FP), SI
	MOVQ         h+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS k+32(FP), Y15
	VBROADCASTSS mdy+36(FP), Y14
	VBROADCASTSS mdyx+40(FP), Y13
	SHRQ         $4, CX

gradLoop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSUBPS  Y14, Y0, Y0
	VSUBPS  Y14, Y1, Y1
	VMULPS  (DX), Y13, Y2
	VMULPS  32(DX), Y13, Y3
	VSUBPS  Y2, Y0, Y0
	VSUBPS  Y3, Y1, Y1
	VMULPS  Y15, Y0, Y0
	VMULPS  Y15, Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, DI
	DECQ    CX
	JNZ     gradLoop
	VZEROUPPER
	RET
