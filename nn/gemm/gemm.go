package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation is gonum's pure-Go BLAS with Sgemm replaced by this
// package's blocked SIMD GEMM. It satisfies blas.Float32; the zero value
// is ready to use.
type Implementation struct {
	gonum.Implementation

	// Workers is the largest number of goroutines one Sgemm call uses;
	// zero or negative means DefaultWorkers(). The result bits do not
	// depend on it.
	Workers int
}

// workerLimit is SetDefaultWorkers's bound; 0 means none.
var workerLimit atomic.Int64

// SetDefaultWorkers bounds the goroutines of Sgemm calls that do not set
// Implementation.Workers to n (at most GOMAXPROCS); n <= 0 removes the
// bound. A process that runs several independent computations at once
// gives each its share of the cores this way instead of letting every
// call start GOMAXPROCS goroutines. The result bits do not depend on it.
func SetDefaultWorkers(n int) { workerLimit.Store(int64(max(n, 0))) }

// DefaultWorkers is the goroutines an Sgemm call uses when
// Implementation.Workers is not set: GOMAXPROCS, or the
// SetDefaultWorkers bound if lower.
func DefaultWorkers() int {
	procs := runtime.GOMAXPROCS(0)
	if l := int(workerLimit.Load()); l > 0 {
		return min(l, procs)
	}
	return procs
}

var _ blas.Float32 = Implementation{}

// defaultKernel is the fastest kernel this process can run, chosen once at start-up.
var defaultKernel = availableKernels()[0]

// KernelName names the microkernel Sgemm uses in this process: "avx512",
// "avx2" or "go" (the portable path, always used with the purego tag).
func KernelName() string { return defaultKernel.name }

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
		workers = DefaultWorkers()
	}
	if m*n*k < serialWork {
		workers = 1
	}
	defaultKernel.gemm(workers, aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
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

// balancedBlock cuts size into the fewest blocks of at most limit (a
// multiple of step) and returns the block size, rounded up to a multiple of
// step, that makes them as equal as possible: 1024 rows in blocks of at
// most 1020 become two blocks of 516 and 508 rather than 1020 and 4.
func balancedBlock(size, step, limit int) int {
	blocks := ceilDiv(size, limit)
	return min(limit, ceilDiv(ceilDiv(size, blocks), step)*step)
}

// ceilDiv is ⌈x/y⌉ for positive y.
func ceilDiv(x, y int) int { return (x + y - 1) / y }

// packBudget is the most floats packed at once for one operand: a block of
// op(A) or op(B) of at most this size (4 MiB) spanning up to kSpanBlocks K
// blocks is packed in one go, so that A and B are read row after row.
const packBudget = 1 << 20

// kSpanBlocks is how many K blocks are packed together at most; it bounds
// the packing buffers when k is very large.
const kSpanBlocks = 16

// directPanels is the reuse up to which an operand whose panels are
// already contiguous in memory is read in place instead of packed:
// op(B) = B (rows contiguous) when C has at most this many row panels,
// op(A) = Aᵀ (its k-steps contiguous) when C has at most this many column
// panels. Below it the copy costs more than the strided reads (measured:
// 128x512x512 NN and TN 207-217 -> 240-246 GFLOPS on one core).
const directPanels = 48

// readInPlace reports whether an operand with leading dimension ld (in
// floats) and reuse panels may be read in place. Strides that are multiples
// of 4 KiB are excluded: the k steps of a panel would all fall into the
// same few cache sets (1024x1024 products ran 10-25% slower in place).
func readInPlace(ld, panels int) bool {
	return panels <= directPanels && (4*ld)%4096 != 0
}

// gemm computes C = alpha*op(A)*op(B) + beta*C with kn on up to workers
// goroutines, for m, n, k > 0 and alpha != 0 and arguments already checked.
//
// K is cut into blocks of at most kn.kc, grouped into spans of up to
// kSpanBlocks blocks. For each block of nc columns and each K span, op(B)
// is packed; then for each block of mc rows op(A) is packed, and the
// product of the two is computed in work items of rows x columns, each
// running over the span's K blocks in order. Full panels of an operand with
// little reuse are read in place (see directPanels); the arithmetic is the
// same either way.
func (kn *kernel) gemm(workers int, aTrans, bTrans bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	mr, nr := kn.mr, kn.nr
	// Cut K into equal blocks of at most kn.kc: the cut depends on k and the
	// kernel only, so every element sees the same summation order.
	kcStep := ceilDiv(k, ceilDiv(k, kn.kc))
	kSpan := min(k, kSpanBlocks*kcStep)
	ncBlock := balancedBlock(n, nr, min(kn.nc, max(nr, packBudget/kSpan/nr*nr)))
	mcBlock := balancedBlock(m, mr, min(kn.mc, max(mr, packBudget/kSpan/mr*mr)))
	directB := !bTrans && readInPlace(ldb, ceilDiv(m, mr))
	directA := aTrans && readInPlace(lda, ceilDiv(n, nr))
	buf := getBuf((mcBlock + ncBlock) * kSpan)
	defer bufPool.Put(buf)
	bufA, bufB := (*buf)[:mcBlock*kSpan], (*buf)[mcBlock*kSpan:]

	for jc := 0; jc < n; jc += ncBlock {
		nc := min(ncBlock, n-jc)
		nPanels := ceilDiv(nc, nr)
		ncPad := nPanels * nr
		for ks := 0; ks < k; ks += kSpan {
			ke := min(k, ks+kSpan) // this span is K steps [ks, ke)
			kBlocks := ceilDiv(ke-ks, kcStep)
			// Packed panels of the span: the block starting at K step pc
			// holds its panels from offset (pc-ks)*pad, panel j at j*r*kc.
			panelB := func(pc, kc, jp int) (*float32, int) {
				if directB && (jp+1)*nr <= nc {
					return &b[pc*ldb+jc+jp*nr], ldb
				}
				return &bufB[(pc-ks)*ncPad+jp*nr*kc], nr
			}
			packPanelB := func(item int) {
				jp, pc := item%nPanels, ks+(item/nPanels)*kcStep
				col := jp * nr
				if directB && col+nr <= nc {
					return
				}
				kc := min(kcStep, ke-pc)
				packB(bufB[(pc-ks)*ncPad+jp*nr*kc:], bTrans, b, ldb, jc+col, min(nr, nc-col), pc, kc, nr)
			}
			packPanelA := func(ic, mc, ip int) {
				mcPad := ceilDiv(mc, mr) * mr
				row := ip * mr
				if directA && row+mr <= mc {
					return
				}
				for pc := ks; pc < ke; pc += kcStep {
					kc := min(kcStep, ke-pc)
					packA(bufA[(pc-ks)*mcPad+ip*mr*kc:], aTrans, a, lda, ic+row, min(mr, mc-row), pc, kc, mr)
				}
			}
			// Pack B together with the first row block of A: one parallel
			// phase instead of two.
			bItems := nPanels * kBlocks
			mc0 := min(mcBlock, m)
			parallelFor(workers, bItems+ceilDiv(mc0, mr), func(item int) {
				if item < bItems {
					packPanelB(item)
				} else {
					packPanelA(0, mc0, item-bItems)
				}
			})
			for ic := 0; ic < m; ic += mcBlock {
				mc := min(mcBlock, m-ic)
				mPanels := ceilDiv(mc, mr)
				mcPad := mPanels * mr
				panelA := func(pc, kc, ip int) (*float32, int) {
					if directA && (ip+1)*mr <= mc {
						return &a[pc*lda+ic+ip*mr], lda
					}
					return &bufA[(pc-ks)*mcPad+ip*mr*kc], mr
				}
				if ic > 0 {
					parallelFor(workers, mPanels, func(ip int) { packPanelA(ic, mc, ip) })
				}
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
					t := tile{kn: kn, c: c, ldc: ldc, alpha: alpha}
					for pc := ks; pc < ke; pc += kcStep {
						t.beta = beta
						if pc > 0 {
							t.beta = 1
						}
						kc := min(kcStep, ke-pc)
						for jp := j0; jp < min(j0+colChunk, nPanels); jp++ {
							bp, ldbp := panelB(pc, kc, jp)
							col := jp * nr
							for ip := i0; ip < min(i0+rowChunk, mPanels); ip++ {
								ap, ldap := panelA(pc, kc, ip)
								row := ip * mr
								t.run(kc, ap, ldap, bp, ldbp, ic+row, min(mr, mc-row), jc+col, min(nr, nc-col))
							}
						}
					}
					t.done()
				})
			}
		}
	}
}

// maxTile is the largest mr x nr tile of the kernels (AVX-512's 12 x 32).
const maxTile = 12 * 32

// edgeTiles recycles the scratch tiles of edge work items (put back by
// done), which every GEMM with a partial panel needs.
var edgeTiles = sync.Pool{New: func() any { return new([maxTile]float32) }}

// done returns the work item's scratch tile, if it took one.
func (t *tile) done() {
	if t.tmp != nil {
		edgeTiles.Put((*[maxTile]float32)(t.tmp[:maxTile]))
		t.tmp = nil
	}
}

// tile runs the microkernel for one work item.
type tile struct {
	kn          *kernel
	c           []float32
	ldc         int
	alpha, beta float32
	tmp         []float32 // scratch tile for the edges, allocated on first use
}

// run computes the nrows x ncols tile of C at (row, col) from the panels
// a and b, whose K blocks have kc steps.
func (t *tile) run(kc int, a *float32, lda int, b *float32, ldb int, row, nrows, col, ncols int) {
	mr, nr := t.kn.mr, t.kn.nr
	off := row*t.ldc + col
	if nrows == mr && ncols == nr {
		t.kn.micro(kc, a, lda, b, ldb, &t.c[off], t.ldc, t.alpha, t.beta)
		return
	}
	// Edge tile: same kernel on a scratch tile, so edge elements get
	// exactly the arithmetic of interior ones.
	if t.tmp == nil {
		t.tmp = edgeTiles.Get().(*[maxTile]float32)[:mr*nr]
	}
	if t.beta != 0 {
		for r := range nrows {
			copy(t.tmp[r*nr:r*nr+ncols], t.c[off+r*t.ldc:off+r*t.ldc+ncols])
		}
	}
	t.kn.micro(kc, a, lda, b, ldb, &t.tmp[0], nr, t.alpha, t.beta)
	for r := range nrows {
		copy(t.c[off+r*t.ldc:off+r*t.ldc+ncols], t.tmp[r*nr:r*nr+ncols])
	}
}
