//go:build !amd64 || purego

package gemm

// bulk and bulk2 are 0: without assembly the Go loops do everything.
func bulk(n int) int { return 0 }

func bulk2(n int) int { return 0 }

// The assembly entry points are never called when bulk returns 0.

func axpyAVX(x, y *float32, n int, alpha float32)                     { panic("gemm: no assembly") }
func addAVX(dst, src *float32, n int)                                 { panic("gemm: no assembly") }
func reluAVX(dst, src *float32, n int)                                { panic("gemm: no assembly") }
func reluGradAVX(dst, dy, y *float32, n int)                          { panic("gemm: no assembly") }
func sgdAVX(w, grad *float32, n int, lr, wd float32)                  { panic("gemm: no assembly") }
func sgdMomentumAVX(w, grad, buf *float32, n int, lr, wd, mu float32) { panic("gemm: no assembly") }

func sum64AVX2(x *float32, n int, s *[lanes]float64)                 { panic("gemm: no assembly") }
func sumSqDev64AVX2(x *float32, n int, m float64, s *[lanes]float64) { panic("gemm: no assembly") }
func sumDot64AVX2(a, b *float32, n int, s, d *[lanes]float64)        { panic("gemm: no assembly") }
func maskSumDot64AVX2(dy, h *float32, n int, gamma, beta float32, s, d *[lanes]float64) {
	panic("gemm: no assembly")
}
func normalizeAVX2(h, y, x *float32, n int, mean, inv, gamma, beta float32, relu bool) {
	panic("gemm: no assembly")
}
func normalizeGradAVX2(dx, dy, h *float32, n int, k, mdy, mdyx float32) { panic("gemm: no assembly") }

func bulk8(n int) int { return 0 }

// hasAVX2 is false: without assembly the Go loops do everything.
const hasAVX2 = false

func winogradInputTilesAVX2(v *float32, stride int, split *float32, n, th, full, tail, masked int) {
	panic("gemm: no assembly")
}
func winogradOutputTilesAVX2(y *float32, w int, m *float32, stride, tw, th, odd, full, lo, hi, masked int) {
	panic("gemm: no assembly")
}
func winogradGradTilesAVX2(m *float32, stride int, dy *float32, w, tw, th, odd, full, lo, hi, tail, masked int) {
	panic("gemm: no assembly")
}
func winogradFiltersAVX2(u *float32, plane int, ker *float32, ld, n int) { panic("gemm: no assembly") }
func winogradFilterGradsAVX2(d *float32, ld int, du *float32, plane, n int) {
	panic("gemm: no assembly")
}
func maxPool3Stride2AVX2(out *float32, pos *uint8, r0, r1, r2 *float32, n int) {
	panic("gemm: no assembly")
}
func deinterleaveAVX(even, odd, src *float32, n int) { panic("gemm: no assembly") }
