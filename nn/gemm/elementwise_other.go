//go:build !amd64 || purego

package gemm

// bulk is 0: without assembly the Go loops do everything.
func bulk(n int) int { return 0 }

// The assembly entry points are never called when bulk returns 0.

func axpyAVX(x, y *float32, n int, alpha float32)                     { panic("gemm: no assembly") }
func addAVX(dst, src *float32, n int)                                 { panic("gemm: no assembly") }
func reluAVX(dst, src *float32, n int)                                { panic("gemm: no assembly") }
func reluGradAVX(dst, dy, y *float32, n int)                          { panic("gemm: no assembly") }
func sgdAVX(w, grad *float32, n int, lr, wd float32)                  { panic("gemm: no assembly") }
func sgdMomentumAVX(w, grad, buf *float32, n int, lr, wd, mu float32) { panic("gemm: no assembly") }
