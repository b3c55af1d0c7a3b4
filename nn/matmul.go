package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"

	simdgemm "github.com/miebench/miebench/nn/gemm"
)

// gemm computes c = alpha*op(a)*op(b) + beta*c for row-major matrices with
// package nn/gemm's SIMD GEMM (the BLAS nn installs for gonum's blas32),
// where op(a) is m×k and op(b) is k×n. Leading dimensions are the row
// strides.
func gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmOn(0, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmOn is gemm on at most workers goroutines (0: Threads()).
func gemmOn(workers int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	tA, tB := blas.NoTrans, blas.NoTrans
	if transA {
		tA = blas.Trans
	}
	if transB {
		tB = blas.Trans
	}
	simdgemm.Implementation{Workers: workers}.Sgemm(tA, tB, m, n, k, alpha, a, max(lda, 1), b, max(ldb, 1), beta, c, max(ldc, 1))
}

// MatMul computes dst = alpha*op(a)*op(b) + beta*dst, where each tensor is
// read as a matrix of Rows() rows of RowLen() elements and op transposes when
// asked. It panics when the shapes do not agree.
func MatMul(dst, a, b *Tensor, transA, transB bool, alpha, beta float32) {
	ar, ac := a.Rows(), a.RowLen()
	br, bc := b.Rows(), b.RowLen()
	m, k := ar, ac
	if transA {
		m, k = ac, ar
	}
	kb, n := br, bc
	if transB {
		kb, n = bc, br
	}
	if k != kb || dst.Rows() != m || dst.RowLen() != n {
		panic(fmt.Sprintf("nn: MatMul shapes %v (trans %v) x %v (trans %v) -> %v do not agree", a.Shape, transA, b.Shape, transB, dst.Shape))
	}
	gemm(transA, transB, m, n, k, alpha, a.Data, ac, b.Data, bc, beta, dst.Data, n)
}

// Axpy adds alpha*x to y elementwise. It panics when the lengths differ.
func Axpy(alpha float32, x, y *Tensor) {
	if len(x.Data) != len(y.Data) {
		panic(fmt.Sprintf("nn: Axpy lengths %d and %d differ", len(x.Data), len(y.Data)))
	}
	simdgemm.Axpy(alpha, x.Data, y.Data)
}

// Scale multiplies every element of t by alpha.
func Scale(alpha float32, t *Tensor) {
	for i := range t.Data {
		t.Data[i] *= alpha
	}
}

// ensure returns *buf reshaped to shape, reallocating only when its capacity
// is too small. The contents are unspecified unless zero is true, in which
// case every element is 0. Layers use it to reuse their buffers across
// training steps.
func ensure(buf **Tensor, zero bool, shape ...int) *Tensor {
	n := ShapeSize(shape)
	t := *buf
	if t == nil {
		t = &Tensor{}
		*buf = t
	}
	if cap(t.Data) < n {
		t.Data = make([]float32, n)
	} else {
		t.Data = t.Data[:n]
		if zero {
			clear(t.Data)
		}
	}
	t.Shape = append(t.Shape[:0], shape...)
	return t
}

// output returns the tensor a layer writes its result into: in training mode
// the layer's own reused buffer, in evaluation mode a fresh tensor, so that
// evaluation never disturbs what a pending Backward needs.
func output(buf **Tensor, train, zero bool, shape ...int) *Tensor {
	if !train {
		return NewTensor(shape...)
	}
	return ensure(buf, zero, shape...)
}
