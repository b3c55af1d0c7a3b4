package gemm

import "unsafe"

// microKernel computes one mr x nr tile of C from an A panel (k steps of mr
// values, step p at a[p*lda:]) and a B panel (k steps of nr values, step p
// at b[p*ldb:]):
//
//	C[i*ldc+j] = alpha*acc[i][j] + beta*C[i*ldc+j]
//
// where acc[i][j] is the in-order sum over p of a[p*lda+i]*b[p*ldb+j]. A
// packed panel has lda = mr or ldb = nr; an operand read in place has its
// own row stride. With beta == 0 (either sign) C is written without being
// read.
type microKernel func(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

// kernel is a microkernel with the blocking parameters tuned for it.
type kernel struct {
	name     string      // "avx512", "avx2" or "go"
	mr, nr   int         // tile computed by one microkernel call
	kc       int         // largest K block
	mc       int         // largest M block packed at once (multiple of mr)
	nc       int         // largest N block packed at once (multiple of nr)
	itemRows int         // rows of one parallel work item (multiple of mr)
	micro    microKernel // the microkernel
}

// kernel4x4Go is the portable microkernel: a 4x4 tile held in sixteen
// scalar accumulators.
func kernel4x4Go(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32) {
	ap := unsafe.Slice(a, (k-1)*lda+4)
	bp := unsafe.Slice(b, (k-1)*ldb+4)
	var (
		c00, c01, c02, c03 float32
		c10, c11, c12, c13 float32
		c20, c21, c22, c23 float32
		c30, c31, c32, c33 float32
	)
	for p := 0; p < k; p++ {
		av := ap[p*lda : p*lda+4 : p*lda+4]
		bv := bp[p*ldb : p*ldb+4 : p*ldb+4]
		a0, a1, a2, a3 := av[0], av[1], av[2], av[3]
		b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	cs := unsafe.Slice(c, 3*ldc+4)
	storeRow4(cs[0:4:4], c00, c01, c02, c03, alpha, beta)
	storeRow4(cs[ldc:ldc+4:ldc+4], c10, c11, c12, c13, alpha, beta)
	storeRow4(cs[2*ldc:2*ldc+4:2*ldc+4], c20, c21, c22, c23, alpha, beta)
	storeRow4(cs[3*ldc:3*ldc+4:3*ldc+4], c30, c31, c32, c33, alpha, beta)
}

// storeRow4 writes alpha*acc + beta*row into row, not reading row when
// beta is zero.
func storeRow4(row []float32, x0, x1, x2, x3, alpha, beta float32) {
	if beta == 0 {
		row[0] = alpha * x0
		row[1] = alpha * x1
		row[2] = alpha * x2
		row[3] = alpha * x3
		return
	}
	row[0] = alpha*x0 + beta*row[0]
	row[1] = alpha*x1 + beta*row[1]
	row[2] = alpha*x2 + beta*row[2]
	row[3] = alpha*x3 + beta*row[3]
}

// kernelGo is the portable kernel with its blocking.
var kernelGo = &kernel{
	name: "go", mr: 4, nr: 4,
	kc: 256, mc: 1152, nc: 4096, itemRows: 192,
	micro: kernel4x4Go,
}
