package gemm

import (
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation is gonum's pure-Go BLAS with Sgemm replaced by this
// package's blocked SIMD GEMM. It satisfies blas.Float32; the zero value
// is ready to use.
type Implementation struct {
	gonum.Implementation

	// Workers is the largest number of goroutines one Sgemm call uses;
	// zero or negative means runtime.GOMAXPROCS(0). The result bits do
	// not depend on it.
	Workers int
}

var _ blas.Float32 = Implementation{}

// best is the fastest kernel this process can run, chosen once at start-up.
var best = availableKernels()[0]

// KernelName names the microkernel Sgemm uses in this process: "avx512",
// "avx2" or "go" (the portable path, always used with the purego tag).
func KernelName() string { return best.name }

// serialWork is the size m*n*k below which Sgemm does not start goroutines:
// for small products the start-up and synchronisation cost more than they
// save.
const serialWork = 96 * 96 * 96

// Sgemm computes
//
//	C = alpha * op(A) * op(B) + beta * C
//
// where op(X) is X or Xᵀ as tA and tB say, op(A) is m×k, op(B) is k×n and C
// is m×n, all row-major with leading dimensions lda, ldb and ldc. With
// beta = 0, C is overwritten without being read. It panics on bad arguments
// the way gonum's Sgemm does.
func (impl Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	aTrans, bTrans := checkArgs(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	workers := impl.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if m*n*k < serialWork {
		workers = 1
	}
	best.gemm(workers, aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkArgs panics if the arguments are not a valid Sgemm call and reports
// whether A and B are transposed.
func checkArgs(tA, tB blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) (aTrans, bTrans bool) {
	aTrans = isTrans(tA)
	bTrans = isTrans(tB)
	switch {
	case m < 0:
		panic("blas: m < 0")
	case n < 0:
		panic("blas: n < 0")
	case k < 0:
		panic("blas: k < 0")
	case aTrans && lda < max(1, m), !aTrans && lda < max(1, k):
		panic("blas: bad leading dimension of A")
	case bTrans && ldb < max(1, k), !bTrans && ldb < max(1, n):
		panic("blas: bad leading dimension of B")
	case ldc < max(1, n):
		panic("blas: bad leading dimension of C")
	}
	if m == 0 || n == 0 {
		return aTrans, bTrans
	}
	switch {
	case aTrans && len(a) < (k-1)*lda+m, !aTrans && len(a) < (m-1)*lda+k:
		panic("blas: insufficient length of a")
	case bTrans && len(b) < (n-1)*ldb+k, !bTrans && len(b) < (k-1)*ldb+n:
		panic("blas: insufficient length of b")
	case len(c) < (m-1)*ldc+n:
		panic("blas: insufficient length of c")
	}
	return aTrans, bTrans
}

// isTrans reports whether t asks for a transpose, panicking if t is not a
// valid blas.Transpose.
func isTrans(t blas.Transpose) bool {
	switch t {
	case blas.NoTrans:
		return false
	case blas.Trans, blas.ConjTrans:
		return true
	}
	panic("blas: illegal transpose")
}

// scaleC sets C = beta*C, writing zeros without reading C when beta is 0.
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// bufPool recycles packing buffers between calls: one buffer per call
// holds both packed operands.
var bufPool sync.Pool

// getBuf returns a buffer of at least n floats from the pool.
func getBuf(n int) *[]float32 {
	if p, ok := bufPool.Get().(*[]float32); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]float32, n)
	return &s
}

// ceilDiv is ⌈x/y⌉ for positive y.
func ceilDiv(x, y int) int { return (x + y - 1) / y }

// packBudget is the most floats packed at once for one operand: a whole-K
// block of op(A) or op(B) of at most this size (4 MiB) is packed in one go,
// so that A and B are read once, row after row.
const packBudget = 1 << 20

// gemm computes C = alpha*op(A)*op(B) + beta*C with kn on up to workers
// goroutines, for m, n, k > 0 and alpha != 0 and arguments already checked.
//
// For each block of nc columns, op(B) is packed for all of K; then for each
// block of mc rows op(A) is packed for all of K, and the product of the two
// is computed in work items of rows x columns, each running over the K
// blocks in order.
func (kn *kernel) gemm(workers int, aTrans, bTrans bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	mr, nr := kn.mr, kn.nr
	// Cut K into equal blocks of at most kn.kc: the cut depends on k and the
	// kernel only, so every element sees the same summation order.
	kcStep := ceilDiv(k, ceilDiv(k, kn.kc))
	ncBlock := min(kn.nc, ceilDiv(n, nr)*nr, max(nr, packBudget/k/nr*nr))
	mcBlock := min(kn.mc, ceilDiv(m, mr)*mr, max(mr, packBudget/k/mr*mr))
	buf := getBuf((mcBlock + ncBlock) * k)
	defer bufPool.Put(buf)
	bufA, bufB := (*buf)[:mcBlock*k], (*buf)[mcBlock*k:]
	kBlocks := ceilDiv(k, kcStep)

	for jc := 0; jc < n; jc += ncBlock {
		nc := min(ncBlock, n-jc)
		nPanels := ceilDiv(nc, nr)
		ncPad := nPanels * nr
		parallelFor(workers, nPanels*kBlocks, func(item int) {
			jp, pc := item%nPanels, (item/nPanels)*kcStep
			kc := min(kcStep, k-pc)
			col := jp * nr
			packB(bufB[pc*ncPad+jp*nr*kc:], bTrans, b, ldb, jc+col, min(nr, nc-col), pc, kc, nr)
		})
		for ic := 0; ic < m; ic += mcBlock {
			mc := min(mcBlock, m-ic)
			mPanels := ceilDiv(mc, mr)
			mcPad := mPanels * mr
			parallelFor(workers, mPanels, func(ip int) {
				row := ip * mr
				for pc := 0; pc < k; pc += kcStep {
					kc := min(kcStep, k-pc)
					packA(bufA[pc*mcPad+ip*mr*kc:], aTrans, a, lda, ic+row, min(mr, mc-row), pc, kc, mr)
				}
			})
			// Work items: rowChunk row panels by colChunk column panels.
			rowChunk := min(mPanels, max(1, kn.itemRows/mr))
			rowItems := ceilDiv(mPanels, rowChunk)
			colChunk := nPanels
			if workers > 1 {
				colItems := min(nPanels, max(1, ceilDiv(4*workers, rowItems)))
				colChunk = ceilDiv(nPanels, colItems)
			}
			colItems := ceilDiv(nPanels, colChunk)
			parallelFor(workers, rowItems*colItems, func(item int) {
				i0 := (item % rowItems) * rowChunk
				j0 := (item / rowItems) * colChunk
				for pc := 0; pc < k; pc += kcStep {
					betaEff := beta
					if pc > 0 {
						betaEff = 1
					}
					kn.block(bufA[pc*mcPad:], bufB[pc*ncPad:], min(kcStep, k-pc),
						i0, min(i0+rowChunk, mPanels), j0, min(j0+colChunk, nPanels),
						ic, mc, jc, nc, alpha, betaEff, c, ldc)
				}
			})
		}
	}
}

// block runs the microkernel over row panels [i0, i1) and column panels
// [j0, j1) of the packed block whose top-left element is C[ic][jc] and
// whose size is mc x nc.
func (kn *kernel) block(bufA, bufB []float32, kc, i0, i1, j0, j1, ic, mc, jc, nc int, alpha, beta float32, c []float32, ldc int) {
	mr, nr := kn.mr, kn.nr
	var tmp []float32
	for jp := j0; jp < j1; jp++ {
		bp := &bufB[jp*nr*kc]
		col := jp * nr
		ncols := min(nr, nc-col)
		for ip := i0; ip < i1; ip++ {
			ap := &bufA[ip*mr*kc]
			row := ip * mr
			nrows := min(mr, mc-row)
			off := (ic+row)*ldc + jc + col
			if nrows == mr && ncols == nr {
				kn.micro(kc, ap, bp, &c[off], ldc, alpha, beta)
				continue
			}
			// Edge tile: same kernel on a scratch tile, so edge elements
			// get exactly the arithmetic of interior ones.
			if tmp == nil {
				tmp = make([]float32, mr*nr)
			}
			if beta != 0 {
				for r := range nrows {
					copy(tmp[r*nr:r*nr+ncols], c[off+r*ldc:off+r*ldc+ncols])
				}
			}
			kn.micro(kc, ap, bp, &tmp[0], nr, alpha, beta)
			for r := range nrows {
				copy(c[off+r*ldc:off+r*ldc+ncols], tmp[r*nr:r*nr+ncols])
			}
		}
	}
}
