package gemm

import "fmt"

// The elementwise helpers below are the loops that show up in training
// profiles once the GEMM is fast. Each computes exactly what its plain Go
// loop (written out in its doc comment) computes, rounding every product
// and sum separately (no fused multiply-add), so swapping one in for such a
// loop does not change any result bit. (The Go compiler fuses x*y + z only
// when building for GOAMD64=v3 or later, or on other architectures; the
// float32(...) conversions in the loops below forbid that, and a caller's
// loop matches bit for bit when it does the same or is built for the
// default GOAMD64=v1.) Where AVX is available the bulk runs in assembly, 16
// floats at a time; the tail and other builds use Go. They panic when the
// slice lengths disagree.

// Axpy adds alpha*x to y: for i := range x { y[i] += float32(alpha * x[i]) }.
func Axpy(alpha float32, x, y []float32) {
	checkLen("Axpy", len(x), len(y))
	n := bulk(len(x))
	if n > 0 {
		axpyAVX(&x[0], &y[0], n, alpha)
	}
	y = y[n:len(x)]
	for i, v := range x[n:] {
		y[i] += float32(alpha * v)
	}
}

// Add adds src to dst: for i := range src { dst[i] += src[i] }.
func Add(dst, src []float32) {
	checkLen("Add", len(src), len(dst))
	n := bulk(len(src))
	if n > 0 {
		addAVX(&dst[0], &src[0], n)
	}
	dst = dst[n:len(src)]
	for i, v := range src[n:] {
		dst[i] += v
	}
}

// AddRows adds row to every row of the row-major matrix m (the bias add of
// a linear layer): for each r, for j := range row { m[r*len(row)+j] +=
// row[j] }. len(m) must be a multiple of len(row).
func AddRows(m, row []float32) {
	if len(row) == 0 || len(m)%len(row) != 0 {
		panic(fmt.Sprintf("gemm: AddRows: matrix of %d elements is not rows of %d", len(m), len(row)))
	}
	for r := 0; r < len(m); r += len(row) {
		Add(m[r:r+len(row)], row)
	}
}

// SumRows adds every row of the row-major matrix m to dst, in row order
// (the bias gradient of a linear layer): for each r, for j := range dst {
// dst[j] += m[r*len(dst)+j] }. len(m) must be a multiple of len(dst).
func SumRows(dst, m []float32) {
	if len(dst) == 0 || len(m)%len(dst) != 0 {
		panic(fmt.Sprintf("gemm: SumRows: matrix of %d elements is not rows of %d", len(m), len(dst)))
	}
	for r := 0; r < len(m); r += len(dst) {
		Add(dst, m[r:r+len(dst)])
	}
}

// ReLU writes max(src, 0) to dst with Go's max semantics (NaN stays NaN,
// -0 becomes +0): for i, v := range src { dst[i] = max(v, 0) }.
func ReLU(dst, src []float32) {
	checkLen("ReLU", len(src), len(dst))
	n := bulk(len(src))
	if n > 0 {
		reluAVX(&dst[0], &src[0], n)
	}
	dst = dst[n:len(src)]
	for i, v := range src[n:] {
		dst[i] = max(v, 0)
	}
}

// ReLUGrad writes the gradient of ReLU to dst: dy where the layer's output
// y is positive, 0 elsewhere (NaN in y counts as not positive):
// for i := range y { if y[i] > 0 { dst[i] = dy[i] } else { dst[i] = 0 } }.
func ReLUGrad(dst, dy, y []float32) {
	checkLen("ReLUGrad", len(y), len(dy))
	checkLen("ReLUGrad", len(y), len(dst))
	n := bulk(len(y))
	if n > 0 {
		reluGradAVX(&dst[0], &dy[0], &y[0], n)
	}
	dst, dy = dst[n:len(y)], dy[n:len(y)]
	for i, v := range y[n:] {
		if v > 0 {
			dst[i] = dy[i]
		} else {
			dst[i] = 0
		}
	}
}

// SGD is one plain SGD step with L2 weight decay:
// for i := range w { w[i] -= float32(lr * (g[i] + float32(wd*w[i]))) }.
func SGD(w, g []float32, lr, wd float32) {
	checkLen("SGD", len(w), len(g))
	n := bulk(len(w))
	if n > 0 {
		sgdAVX(&w[0], &g[0], n, lr, wd)
	}
	w, g = w[n:], g[n:len(w)]
	for i := range w {
		w[i] -= float32(lr * (g[i] + float32(wd*w[i])))
	}
}

// SGDMomentum is one SGD step with L2 weight decay and momentum as
// PyTorch's torch.optim.SGD computes it, for a buffer that already holds
// the previous step's momentum (not the first step):
//
//	for i := range w {
//		gi := g[i] + float32(wd*w[i])
//		buf[i] = float32(mu*buf[i]) + gi
//		if nesterov { gi += float32(mu * buf[i]) } else { gi = buf[i] }
//		w[i] -= float32(lr * gi)
//	}
//
// The Nesterov variant runs in Go only.
func SGDMomentum(w, g, buf []float32, lr, wd, mu float32, nesterov bool) {
	checkLen("SGDMomentum", len(w), len(g))
	checkLen("SGDMomentum", len(w), len(buf))
	n := 0
	if !nesterov {
		n = bulk(len(w))
		if n > 0 {
			sgdMomentumAVX(&w[0], &g[0], &buf[0], n, lr, wd, mu)
		}
	}
	w, g, buf = w[n:], g[n:len(w)], buf[n:len(w)]
	for i := range w {
		gi := g[i] + float32(wd*w[i])
		buf[i] = float32(mu*buf[i]) + gi
		if nesterov {
			gi += float32(mu * buf[i])
		} else {
			gi = buf[i]
		}
		w[i] -= float32(lr * gi)
	}
}

// checkLen panics unless the two lengths agree.
func checkLen(fn string, want, got int) {
	if want != got {
		panic(fmt.Sprintf("gemm: %s: slice lengths %d and %d differ", fn, want, got))
	}
}
