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
// same either way. The call's state lives in a pooled gemmJob whose phases
// parallelFor runs, so that a call allocates nothing once warm (a network
// step makes thousands of calls).
func (kn *kernel) gemm(workers int, aTrans, bTrans bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	j := jobPool.Get().(*gemmJob)
	defer j.release()
	*j = gemmJob{kn: kn, aTrans: aTrans, bTrans: bTrans, m: m, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
	mr, nr := kn.mr, kn.nr
	// Cut K into equal blocks of at most kn.kc: the cut depends on k and the
	// kernel only, so every element sees the same summation order.
	j.kcStep = ceilDiv(k, ceilDiv(k, kn.kc))
	kSpan := min(k, kSpanBlocks*j.kcStep)
	ncBlock := balancedBlock(n, nr, min(kn.nc, max(nr, packBudget/kSpan/nr*nr)))
	mcBlock := balancedBlock(m, mr, min(kn.mc, max(mr, packBudget/kSpan/mr*mr)))
	j.directB = !bTrans && readInPlace(ldb, ceilDiv(m, mr))
	j.directA = aTrans && readInPlace(lda, ceilDiv(n, nr))
	j.buf = getBuf((mcBlock + ncBlock) * kSpan)
	j.bufA, j.bufB = (*j.buf)[:mcBlock*kSpan], (*j.buf)[mcBlock*kSpan:]

	for j.jc = 0; j.jc < n; j.jc += ncBlock {
		j.nc = min(ncBlock, n-j.jc)
		j.nPanels = ceilDiv(j.nc, nr)
		j.ncPad = j.nPanels * nr
		for j.ks = 0; j.ks < k; j.ks += kSpan {
			j.ke = min(k, j.ks+kSpan) // this span is K steps [ks, ke)
			kBlocks := ceilDiv(j.ke-j.ks, j.kcStep)
			// Pack B together with the first row block of A: one parallel
			// phase instead of two.
			j.bItems = j.nPanels * kBlocks
			j.ic, j.mc = 0, min(mcBlock, m)
			parallelFor(workers, j.bItems+ceilDiv(j.mc, mr), (*packFirst)(j))
			for j.ic = 0; j.ic < m; j.ic += mcBlock {
				j.mc = min(mcBlock, m-j.ic)
				j.mPanels = ceilDiv(j.mc, mr)
				j.mcPad = j.mPanels * mr
				if j.ic > 0 {
					parallelFor(workers, j.mPanels, (*packRows)(j))
				}
				// Work items: rowChunk row panels by colChunk column panels.
				j.rowChunk = min(j.mPanels, max(1, kn.itemRows/mr))
				j.rowItems = ceilDiv(j.mPanels, j.rowChunk)
				j.colChunk = j.nPanels
				if workers > 1 {
					colItems := min(j.nPanels, max(1, ceilDiv(4*workers, j.rowItems)))
					j.colChunk = ceilDiv(j.nPanels, colItems)
				}
				parallelFor(workers, j.rowItems*ceilDiv(j.nPanels, j.colChunk), (*tileItems)(j))
			}
		}
	}
}

// gemmJob is one gemm call's operands, blocking and position: the
// current column block [jc, jc+nc) of nPanels panels (ncPad columns
// packed), K span [ks, ke), row block [ic, ic+mc) of mPanels panels (mcPad
// rows packed). Packed panels of the span: the K block starting at step pc
// holds its panels from offset (pc-ks)·pad, panel i at i·r·kc.
type gemmJob struct {
	kn                     *kernel
	aTrans, bTrans         bool
	m, k                   int
	alpha, beta            float32
	a, b, c                []float32
	lda, ldb, ldc          int
	kcStep                 int
	directA, directB       bool
	buf                    *[]float32
	bufA, bufB             []float32
	jc, nc, nPanels, ncPad int
	ks, ke, bItems         int
	ic, mc, mPanels, mcPad int
	rowChunk, rowItems     int
	colChunk               int
}

// jobPool recycles gemmJobs between calls.
var jobPool = sync.Pool{New: func() any { return new(gemmJob) }}

// release gives the packing buffer back, drops the references to the
// operands and returns j to the pool.
func (j *gemmJob) release() {
	bufPool.Put(j.buf)
	*j = gemmJob{}
	jobPool.Put(j)
}

// panelB returns where column panel jp of the K block at step pc (kc
// steps) is read from, and its row stride: in place or packed.
func (j *gemmJob) panelB(pc, kc, jp int) (*float32, int) {
	if j.directB && (jp+1)*j.kn.nr <= j.nc {
		return &j.b[pc*j.ldb+j.jc+jp*j.kn.nr], j.ldb
	}
	return &j.bufB[(pc-j.ks)*j.ncPad+jp*j.kn.nr*kc], j.kn.nr
}

// panelA is panelB for row panel ip of the current row block.
func (j *gemmJob) panelA(pc, kc, ip int) (*float32, int) {
	if j.directA && (ip+1)*j.kn.mr <= j.mc {
		return &j.a[pc*j.lda+j.ic+ip*j.kn.mr], j.lda
	}
	return &j.bufA[(pc-j.ks)*j.mcPad+ip*j.kn.mr*kc], j.kn.mr
}

// packPanelB packs column panel item%nPanels of K block item/nPanels of
// the span, unless it is read in place.
func (j *gemmJob) packPanelB(item int) {
	nr := j.kn.nr
	jp, pc := item%j.nPanels, j.ks+(item/j.nPanels)*j.kcStep
	col := jp * nr
	if j.directB && col+nr <= j.nc {
		return
	}
	kc := min(j.kcStep, j.ke-pc)
	packB(j.bufB[(pc-j.ks)*j.ncPad+jp*nr*kc:], j.bTrans, j.b, j.ldb, j.jc+col, min(nr, j.nc-col), pc, kc, nr)
}

// packPanelA packs row panel ip of the row block [ic, ic+mc) for every K
// block of the span, unless it is read in place.
func (j *gemmJob) packPanelA(ic, mc, ip int) {
	mr := j.kn.mr
	mcPad := ceilDiv(mc, mr) * mr
	row := ip * mr
	if j.directA && row+mr <= mc {
		return
	}
	for pc := j.ks; pc < j.ke; pc += j.kcStep {
		kc := min(j.kcStep, j.ke-pc)
		packA(j.bufA[(pc-j.ks)*mcPad+ip*mr*kc:], j.aTrans, j.a, j.lda, ic+row, min(mr, mc-row), pc, kc, mr)
	}
}

// packFirst is the phase that packs the span's B panels (items below
// bItems) and the first row block's A panels.
type packFirst gemmJob

func (p *packFirst) item(i int) {
	j := (*gemmJob)(p)
	if i < j.bItems {
		j.packPanelB(i)
	} else {
		j.packPanelA(0, j.mc, i-j.bItems)
	}
}

// packRows is the phase that packs a later row block's A panels.
type packRows gemmJob

func (p *packRows) item(ip int) {
	j := (*gemmJob)(p)
	j.packPanelA(j.ic, j.mc, ip)
}

// tileItems is the phase that computes the row block's tiles, item by
// item of rowChunk x colChunk panels.
type tileItems gemmJob

func (p *tileItems) item(item int) {
	j := (*gemmJob)(p)
	mr, nr := j.kn.mr, j.kn.nr
	i0 := (item % j.rowItems) * j.rowChunk
	j0 := (item / j.rowItems) * j.colChunk
	t := tile{kn: j.kn, c: j.c, ldc: j.ldc, alpha: j.alpha}
	for pc := j.ks; pc < j.ke; pc += j.kcStep {
		t.beta = j.beta
		if pc > 0 {
			t.beta = 1
		}
		kc := min(j.kcStep, j.ke-pc)
		for jp := j0; jp < min(j0+j.colChunk, j.nPanels); jp++ {
			bp, ldbp := j.panelB(pc, kc, jp)
			col := jp * nr
			for ip := i0; ip < min(i0+j.rowChunk, j.mPanels); ip++ {
				ap, ldap := j.panelA(pc, kc, ip)
				row := ip * mr
				t.run(kc, ap, ldap, bp, ldbp, j.ic+row, min(mr, j.mc-row), j.jc+col, min(nr, j.nc-col))
			}
		}
	}
	t.done()
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
