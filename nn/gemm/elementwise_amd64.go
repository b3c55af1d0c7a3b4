//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// bulk is how many leading elements of an n-element loop the assembly
// handles: the largest multiple of 16 not above n, or 0 without AVX.
func bulk(n int) int {
	if !hasTransposeAsm {
		return 0
	}
	return n &^ 15
}

//go:noescape
func axpyAVX(x, y *float32, n int, alpha float32)

//go:noescape
func addAVX(dst, src *float32, n int)

//go:noescape
func reluAVX(dst, src *float32, n int)

//go:noescape
func reluGradAVX(dst, dy, y *float32, n int)

//go:noescape
func sgdAVX(w, grad *float32, n int, lr, wd float32)

//go:noescape
func sgdMomentumAVX(w, grad, buf *float32, n int, lr, wd, mu float32)

// hasAVX2 reports whether the AVX2 loops (normalize_amd64.s,
// winograd_amd64.s, winograd_filters_amd64.s, pool_amd64.s) can run.
var hasAVX2 = cpu.X86.HasAVX2

// bulk2 is bulk for the AVX2 loops: the largest multiple of 16 not above n,
// or 0 without AVX2.
func bulk2(n int) int {
	if !hasAVX2 {
		return 0
	}
	return n &^ 15
}

//go:noescape
func sum64AVX2(x *float32, n int, s *[lanes]float64)

//go:noescape
func sumSqDev64AVX2(x *float32, n int, m float64, s *[lanes]float64)

//go:noescape
func sumDot64AVX2(a, b *float32, n int, s, d *[lanes]float64)

//go:noescape
func maskSumDot64AVX2(dy, h *float32, n int, gamma, beta float32, s, d *[lanes]float64)

//go:noescape
func normalizeAVX2(h, y, x *float32, n int, mean, inv, gamma, beta float32, relu bool)

//go:noescape
func normalizeGradAVX2(dx, dy, h *float32, n int, k, mdy, mdyx float32)

// bulk8 is the largest multiple of 8 not above n, or 0 without AVX2: the
// leading elements the 8-wide loops of winograd_amd64.s handle.
func bulk8(n int) int {
	if !hasAVX2 {
		return 0
	}
	return n &^ 7
}

//go:noescape
func winogradInputTilesAVX2(v *float32, stride int, split *float32, n, th, full, tail, masked int)

//go:noescape
func winogradOutputTilesAVX2(y *float32, w int, m *float32, stride, tw, th, odd, full, lo, hi, masked int)

//go:noescape
func winogradGradTilesAVX2(m *float32, stride int, dy *float32, w, tw, th, odd, full, lo, hi, tail, masked int)

//go:noescape
func winogradFiltersAVX2(u *float32, plane int, ker *float32, ld, n int)

//go:noescape
func winogradFilterGradsAVX2(d *float32, ld int, du *float32, plane, n int)

//go:noescape
func maxPool3Stride2AVX2(out *float32, pos *uint8, r0, r1, r2 *float32, n int)

//go:noescape
func deinterleaveAVX(even, odd, src *float32, n int)
