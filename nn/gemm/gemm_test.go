package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// refGemm is the textbook C = alpha*op(A)*op(B) + beta*C accumulated in
// float64. It also returns, per element of C, the magnitude
// |alpha|*sum|a*b| + |beta*c| that bounds the rounding error.
func refGemm(aT, bT bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (want, scale []float64) {
	want = make([]float64, m*n)
	scale = make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, abs float64
			for p := range k {
				var av, bv float32
				if aT {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if bT {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
				abs += math.Abs(float64(av) * float64(bv))
			}
			w := float64(alpha) * s
			e := math.Abs(float64(alpha)) * abs
			if beta != 0 {
				w += float64(beta) * float64(c[i*ldc+j])
				e += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			want[i*n+j] = w
			scale[i*n+j] = e
		}
	}
	return want, scale
}

// randSlice returns n uniform values in [-1, 1) from rng.
func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 2*rng.Float32() - 1
	}
	return s
}

// gemmCase is one product to test.
type gemmCase struct {
	m, n, k     int
	pad         int // extra leading-dimension elements for A, B and C
	alpha, beta float32
	nanC        bool // fill C with NaN (only meaningful with beta == 0)
}

// gemmCases covers the sizes 1, 3, 17, 63, 65 and 257 in every dimension,
// several K blocks and K spans, more rows than one M block, more columns
// than one N block, padded leading dimensions and the alpha/beta special
// cases.
var gemmCases = []gemmCase{
	{m: 1, n: 1, k: 1, alpha: 1, beta: 0},
	{m: 3, n: 17, k: 63, alpha: 1, beta: 0},
	{m: 17, n: 3, k: 65, pad: 5, alpha: 0.5, beta: -1.5},
	{m: 63, n: 65, k: 1, alpha: -2, beta: 1},
	{m: 65, n: 257, k: 3, pad: 1, alpha: 1, beta: 0, nanC: true},
	{m: 257, n: 63, k: 17, alpha: 1.5, beta: 0.25},
	{m: 1, n: 257, k: 257, pad: 3, alpha: 1, beta: 1},
	{m: 257, n: 1, k: 65, alpha: -1, beta: 0, nanC: true},
	{m: 65, n: 65, k: 257, pad: 7, alpha: 0.75, beta: -0.5},
	{m: 13, n: 40, k: 300, alpha: 1, beta: 0, nanC: true},
	{m: 100, n: 70, k: 600, pad: 2, alpha: 2, beta: 3},
	{m: 1200, n: 33, k: 20, alpha: 1, beta: -1},
	{m: 3, n: 4200, k: 5, pad: 1, alpha: 1, beta: 0, nanC: true},
	{m: 48, n: 64, k: 32, alpha: 1, beta: 0},
	{m: 20, n: 40, k: 5000, pad: 1, alpha: 1, beta: 0.5}, // several K spans
	{m: 13, n: 33, k: 4500, alpha: -1, beta: 0, nanC: true},
	{m: 20, n: 1024, k: 40, alpha: 1, beta: 0},  // ldb = 1024: packed, not read in place
	{m: 1024, n: 40, k: 30, alpha: 1, beta: -1}, // lda = 1024 when A is transposed
}

// makeOperands builds A, B and C for tc with the given transposes; C's
// padding columns hold a sentinel that must survive the product.
func makeOperands(rng *rand.Rand, tc gemmCase, aT, bT bool) (a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	ar, ac := tc.m, tc.k
	if aT {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if bT {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc = ac+tc.pad, bc+tc.pad, tc.n+tc.pad
	a = randSlice(rng, ar*lda)
	b = randSlice(rng, br*ldb)
	c = randSlice(rng, tc.m*ldc)
	for i := range tc.m {
		for j := range ldc {
			if j >= tc.n {
				c[i*ldc+j] = sentinel
			} else if tc.nanC {
				c[i*ldc+j] = float32(math.NaN())
			}
		}
	}
	return a, lda, b, ldb, c, ldc
}

// sentinel marks elements of C outside the m x n result.
const sentinel = 12345.5

// checkResult compares got with the reference within the float32 error
// bound of a k-term dot product and checks the padding of C is untouched.
func checkResult(t *testing.T, name string, tc gemmCase, got []float32, ldc int, want, scale []float64) {
	t.Helper()
	tol := float64(tc.k+2) * 2 * 0x1p-24
	bad := 0
	for i := range tc.m {
		for j := range ldc {
			g := got[i*ldc+j]
			if j >= tc.n {
				if g != sentinel {
					t.Errorf("%s: C[%d][%d] in the padding changed to %v", name, i, j, g)
					return
				}
				continue
			}
			w, s := want[i*tc.n+j], scale[i*tc.n+j]
			if d := math.Abs(float64(g) - w); !(d <= tol*s+1e-30) {
				if bad < 3 {
					t.Errorf("%s: C[%d][%d] = %v, want %v (error %.3g, bound %.3g)", name, i, j, g, w, d, tol*s)
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d wrong elements", name, bad)
	}
}

var transNames = map[bool]string{false: "N", true: "T"}

// TestKernelsAgainstReference runs every kernel this CPU supports, with one
// and two workers, on every case and transpose combination.
func TestKernelsAgainstReference(t *testing.T) {
	for _, kn := range availableKernels() {
		for ci, tc := range gemmCases {
			for _, aT := range []bool{false, true} {
				for _, bT := range []bool{false, true} {
					for _, workers := range []int{1, 2} {
						name := fmt.Sprintf("%s/case%d_%dx%dx%d_%s%s/w%d", kn.name, ci, tc.m, tc.n, tc.k, transNames[aT], transNames[bT], workers)
						rng := rand.New(rand.NewPCG(uint64(ci), 7))
						a, lda, b, ldb, c, ldc := makeOperands(rng, tc, aT, bT)
						want, scale := refGemm(aT, bT, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
						kn.gemm(workers, aT, bT, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
						checkResult(t, name, tc, c, ldc, want, scale)
					}
				}
			}
		}
	}
}

// TestSameBitsAnyWorkers checks the result bits do not depend on the
// number of workers, for every kernel and transpose combination.
func TestSameBitsAnyWorkers(t *testing.T) {
	const m, n, k = 203, 301, 520
	for _, kn := range availableKernels() {
		for _, aT := range []bool{false, true} {
			for _, bT := range []bool{false, true} {
				rng := rand.New(rand.NewPCG(3, 4))
				tc := gemmCase{m: m, n: n, k: k, pad: 1}
				a, lda, b, ldb, c0, ldc := makeOperands(rng, tc, aT, bT)
				var first []float32
				for _, workers := range []int{1, 2, 3, 8} {
					c := slices.Clone(c0)
					kn.gemm(workers, aT, bT, m, n, k, 0.7, a, lda, b, ldb, 0.3, c, ldc)
					if first == nil {
						first = c
						continue
					}
					for i := range c {
						if math.Float32bits(c[i]) != math.Float32bits(first[i]) {
							t.Fatalf("%s %s%s: %d workers: C[%d] = %v, 1 worker gave %v", kn.name, transNames[aT], transNames[bT], workers, i, c[i], first[i])
						}
					}
				}
			}
		}
	}
}

// TestSgemmSpecialScalars checks the alpha = 0 and k = 0 shortcuts and that
// beta = 0 clears NaNs.
func TestSgemmSpecialScalars(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		name        string
		k           int
		alpha, beta float32
		c           []float32
		want        []float32
	}{
		{"alpha0 beta0 over NaN", 2, 0, 0, []float32{nan, nan, nan, nan}, []float32{0, 0, 0, 0}},
		{"alpha0 beta2", 2, 0, 2, []float32{1, 2, 3, 4}, []float32{2, 4, 6, 8}},
		{"alpha0 beta1 keeps NaN", 2, 0, 1, []float32{nan, 2, 3, 4}, []float32{nan, 2, 3, 4}},
		{"k0 beta-1", 0, 1, -1, []float32{1, 2, 3, 4}, []float32{-1, -2, -3, -4}},
		// [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50]
		{"alpha1 beta0 over NaN", 2, 1, 0, []float32{nan, nan, nan, nan}, []float32{19, 22, 43, 50}},
		{"alpha2 beta-1", 2, 2, -1, []float32{1, 1, 1, 1}, []float32{37, 43, 85, 99}},
	}
	a := []float32{1, 2, 3, 4}
	b := []float32{5, 6, 7, 8}
	for _, tt := range tests {
		c := slices.Clone(tt.c)
		lda := max(1, tt.k)
		Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, 2, 2, tt.k, tt.alpha, a, lda, b, 2, tt.beta, c, 2)
		for i := range c {
			if math.Float32bits(c[i]) != math.Float32bits(tt.want[i]) && !(math.IsNaN(float64(c[i])) && math.IsNaN(float64(tt.want[i]))) {
				t.Errorf("%s: C = %v, want %v", tt.name, c, tt.want)
				break
			}
		}
	}
}

// TestSgemmPanics checks argument validation.
func TestSgemmPanics(t *testing.T) {
	s := make([]float32, 100)
	tests := []struct {
		name string
		call func()
	}{
		{"bad transpose", func() { Implementation{}.Sgemm('x', blas.NoTrans, 2, 2, 2, 1, s, 2, s, 2, 0, s, 2) }},
		{"m < 0", func() { Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) }},
		{"lda too small", func() { Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, 2, 2, 3, 1, s, 2, s, 2, 0, s, 2) }},
		{"ldb too small trans", func() { Implementation{}.Sgemm(blas.NoTrans, blas.Trans, 2, 2, 3, 1, s, 3, s, 2, 0, s, 2) }},
		{"ldc too small", func() { Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, 2, 3, 2, 1, s, 2, s, 3, 0, s, 2) }},
		{"short a", func() { Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, 20, 2, 20, 1, s, 20, s, 2, 0, s, 2) }},
		{"short c", func() { Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, 2, 60, 2, 1, s, 2, s, 60, 0, s, 60) }},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tt.name)
				}
			}()
			tt.call()
		}()
	}
}

// TestSgemmThroughBlas32 checks the public entry point via gonum's blas32
// wrapper against the reference, with the process-wide kernel.
func TestSgemmThroughBlas32(t *testing.T) {
	prev := blas32.Implementation()
	blas32.Use(Implementation{})
	defer blas32.Use(prev)
	rng := rand.New(rand.NewPCG(9, 9))
	const m, n, k = 130, 150, 170
	a := blas32.General{Rows: m, Cols: k, Stride: k, Data: randSlice(rng, m*k)}
	b := blas32.General{Rows: n, Cols: k, Stride: k, Data: randSlice(rng, n*k)}
	c := blas32.General{Rows: m, Cols: n, Stride: n, Data: make([]float32, m*n)}
	blas32.Gemm(blas.NoTrans, blas.Trans, 1, a, b, 0, c)
	want, scale := refGemm(false, true, m, n, k, 1, a.Data, k, b.Data, k, 0, c.Data, n)
	checkResult(t, "blas32.Gemm NT via "+KernelName(), gemmCase{m: m, n: n, k: k}, c.Data, n, want, scale)
}

// TestTransposeInto checks the packing transpose (assembly where
// available) against the definition for row counts around the 8- and
// 4-row blocks and column counts around the 8-column blocks.
func TestTransposeInto(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, rows := range []int{1, 3, 4, 5, 8, 11, 12, 13, 16, 32} {
		for _, kc := range []int{1, 7, 8, 9, 16, 31} {
			lds, ldd := kc+3, rows+2
			src := randSlice(rng, rows*lds)
			dst := make([]float32, kc*ldd)
			for i := range dst {
				dst[i] = sentinel
			}
			transposeInto(dst, ldd, src, lds, rows, kc)
			for p := range kc {
				for r := range ldd {
					want := float32(sentinel)
					if r < rows {
						want = src[r*lds+p]
					}
					if got := dst[p*ldd+r]; got != want {
						t.Fatalf("rows %d kc %d: dst[%d*ldd+%d] = %v, want %v", rows, kc, p, r, got, want)
					}
				}
			}
		}
	}
}

// TestSgemmConcurrentCalls runs Sgemm from several goroutines at once, each
// with its own shape (so pooled packing buffers of different sizes are
// shared), and checks every result against the reference.
func TestSgemmConcurrentCalls(t *testing.T) {
	type job struct {
		tc     gemmCase
		aT, bT bool
	}
	jobs := []job{
		{gemmCase{m: 150, n: 130, k: 300, alpha: 1}, false, true},
		{gemmCase{m: 40, n: 500, k: 70, alpha: 1, beta: 1}, true, false},
		{gemmCase{m: 260, n: 33, k: 129, alpha: -1}, false, false},
		{gemmCase{m: 97, n: 97, k: 600, alpha: 2, beta: 0.5}, true, true},
	}
	errs := make(chan string, len(jobs)*8)
	done := make(chan struct{})
	for ji, j := range jobs {
		go func() {
			defer func() { done <- struct{}{} }()
			for rep := range 8 {
				rng := rand.New(rand.NewPCG(uint64(ji), uint64(rep)))
				a, lda, b, ldb, c, ldc := makeOperands(rng, j.tc, j.aT, j.bT)
				want, scale := refGemm(j.aT, j.bT, j.tc.m, j.tc.n, j.tc.k, j.tc.alpha, a, lda, b, ldb, j.tc.beta, c, ldc)
				tA, tB := blas.NoTrans, blas.NoTrans
				if j.aT {
					tA = blas.Trans
				}
				if j.bT {
					tB = blas.Trans
				}
				Implementation{Workers: 2}.Sgemm(tA, tB, j.tc.m, j.tc.n, j.tc.k, j.tc.alpha, a, lda, b, ldb, j.tc.beta, c, ldc)
				tol := float64(j.tc.k+2) * 2 * 0x1p-24
				for i := range j.tc.m {
					for jj := range j.tc.n {
						if d := math.Abs(float64(c[i*ldc+jj]) - want[i*j.tc.n+jj]); !(d <= tol*scale[i*j.tc.n+jj]+1e-30) {
							errs <- fmt.Sprintf("job %d rep %d: C[%d][%d] = %v, want %v", ji, rep, i, jj, c[i*ldc+jj], want[i*j.tc.n+jj])
							return
						}
					}
				}
			}
		}()
	}
	for range jobs {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestBalancedBlock checks block sizes on hand-worked cases.
func TestBalancedBlock(t *testing.T) {
	tests := []struct{ size, step, limit, want int }{
		{1024, 12, 1020, 516}, // two blocks: 516 + 508
		{1020, 12, 1020, 1020},
		{100, 32, 4096, 128}, // one block, rounded up to the step
		{3055, 32, 1792, 1536},
		{5, 4, 4, 4},
	}
	for _, tt := range tests {
		if got := balancedBlock(tt.size, tt.step, tt.limit); got != tt.want {
			t.Errorf("balancedBlock(%d, %d, %d) = %d, want %d", tt.size, tt.step, tt.limit, got, tt.want)
		}
	}
}

// TestReadInPlace checks which operands are read in place.
func TestReadInPlace(t *testing.T) {
	tests := []struct {
		ld, panels int
		want       bool
	}{
		{512, 11, true},
		{512, directPanels, true},
		{512, directPanels + 1, false},
		{1024, 2, false}, // 4 KiB stride
		{2048, 2, false},
		{1000, 40, true},
		{4608, 14, true},
	}
	for _, tt := range tests {
		if got := readInPlace(tt.ld, tt.panels); got != tt.want {
			t.Errorf("readInPlace(%d, %d) = %v, want %v", tt.ld, tt.panels, got, tt.want)
		}
	}
}

// TestAssemblyKernelsAgree checks the AVX-512 and AVX2 kernels give the
// same bits: both accumulate each element with fused multiply-adds in the
// same order over the same K blocks and finish with the same epilogue.
func TestAssemblyKernelsAgree(t *testing.T) {
	var asm []*kernel
	for _, kn := range availableKernels() {
		if kn != kernelGo {
			asm = append(asm, kn)
		}
	}
	if len(asm) < 2 {
		t.Skip("this CPU runs fewer than two assembly kernels")
	}
	const m, n, k = 77, 150, 700
	for _, aT := range []bool{false, true} {
		for _, bT := range []bool{false, true} {
			rng := rand.New(rand.NewPCG(21, 22))
			tc := gemmCase{m: m, n: n, k: k, pad: 3}
			a, lda, b, ldb, c0, ldc := makeOperands(rng, tc, aT, bT)
			var first []float32
			for _, kn := range asm {
				c := slices.Clone(c0)
				kn.gemm(2, aT, bT, m, n, k, 1.3, a, lda, b, ldb, -0.7, c, ldc)
				if first == nil {
					first = c
					continue
				}
				if !sameBits(c, first) {
					t.Errorf("%s%s: %s and %s differ", transNames[aT], transNames[bT], asm[0].name, kn.name)
				}
			}
		}
	}
}

// TestGEMMAllocatesNothingWarm checks that a serial call, once the pools
// hold its packing buffer and job, allocates nothing: a network step makes
// thousands of calls, whose garbage raised the peak memory of long steps.
func TestGEMMAllocatesNothingWarm(t *testing.T) {
	const m, n, k = 37, 70, 50
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for _, trans := range [][2]bool{{false, false}, {true, true}} {
		lda, ldb := k, n
		if trans[0] {
			lda, ldb = m, k
		}
		call := func() { defaultKernel.gemm(1, trans[0], trans[1], m, n, k, 1, a, lda, b, ldb, 0, c, n) }
		call()
		if allocs := testing.AllocsPerRun(20, call); allocs != 0 {
			t.Errorf("transposes %v: %g allocations per warm call, want 0", trans, allocs)
		}
	}
}
