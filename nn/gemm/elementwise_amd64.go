//go:build amd64 && !purego

package gemm

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
