package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is one GEMM shape of the benchmarks: op(A) is m x k, op(B)
// is k x n.
type benchShape struct {
	name    string
	m, n, k int
	tA, tB  blas.Transpose
}

// benchShapes are the shapes of issue 3, the same list as
// scripts/bench-torch.py: the linear-layer products at batch 64, 128 and
// 256 (NN, NT, TN with m = batch), the weight gradient of a 512 -> 512
// layer at batch 128 as nn.Linear calls it (TN, k = batch), a large square
// product, and the im2col products of ResNet-18's four stages on a batch
// of 8 inputs of 1x257x188 as nn.Conv2D calls them: forward
// W[Cout, Cin*9] x cols[Cin*9, pixels], weight gradient dY x colsᵀ and
// column gradient Wᵀ x dY, with pixels the output pixels of one im2col
// chunk.
var benchShapes = func() []benchShape {
	var s []benchShape
	for _, m := range []int{64, 128, 256} {
		s = append(s,
			benchShape{fmt.Sprintf("NN_%dx512x512", m), m, 512, 512, blas.NoTrans, blas.NoTrans},
			benchShape{fmt.Sprintf("NT_%dx512x512", m), m, 512, 512, blas.NoTrans, blas.Trans},
			benchShape{fmt.Sprintf("TN_%dx512x512", m), m, 512, 512, blas.Trans, blas.NoTrans},
		)
	}
	s = append(s,
		benchShape{"TN_512x512x128", 512, 512, 128, blas.Trans, blas.NoTrans},
		benchShape{"NN_1024x1024x1024", 1024, 1024, 1024, blas.NoTrans, blas.NoTrans},
	)
	for i, st := range []struct{ cout, pixels int }{{64, 3055}, {128, 1584}, {256, 816}, {512, 432}} {
		k := st.cout * 9
		s = append(s,
			benchShape{fmt.Sprintf("conv%d_fwd_NN_%dx%dx%d", i+1, st.cout, st.pixels, k), st.cout, st.pixels, k, blas.NoTrans, blas.NoTrans},
			benchShape{fmt.Sprintf("conv%d_dW_NT_%dx%dx%d", i+1, st.cout, k, st.pixels), st.cout, k, st.pixels, blas.NoTrans, blas.Trans},
			benchShape{fmt.Sprintf("conv%d_dX_TN_%dx%dx%d", i+1, k, st.pixels, st.cout), k, st.pixels, st.cout, blas.Trans, blas.NoTrans},
		)
	}
	return s
}()

// benchGemm times impl on shape s and reports GFLOPS over all iterations
// and for the fastest single call (best_GFLOPS), which is robust to other
// processes sharing the cores.
func benchGemm(b *testing.B, impl blas.Float32, s benchShape) {
	rng := rand.New(rand.NewPCG(1, 2))
	a := randSlice(rng, s.m*s.k)
	bm := randSlice(rng, s.k*s.n)
	c := make([]float32, s.m*s.n)
	lda := s.k
	if s.tA == blas.Trans {
		lda = s.m
	}
	ldb := s.n
	if s.tB == blas.Trans {
		ldb = s.k
	}
	best := time.Duration(1<<63 - 1)
	for b.Loop() {
		t0 := time.Now()
		impl.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
		best = min(best, time.Since(t0))
	}
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
	b.ReportMetric(flops*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GFLOPS")
	b.ReportMetric(flops/float64(best.Nanoseconds()), "best_GFLOPS")
}

// BenchmarkSgemm times this package's Sgemm with the process's kernel and
// GOMAXPROCS workers (use -cpu 1,2 to vary them).
func BenchmarkSgemm(b *testing.B) {
	for _, s := range benchShapes {
		b.Run(s.name, func(b *testing.B) { benchGemm(b, Implementation{}, s) })
	}
}

// BenchmarkSgemmKernels times every kernel this CPU supports on the
// 128x512x512 shapes and 1024^3.
func BenchmarkSgemmKernels(b *testing.B) {
	prev := defaultKernel
	defer func() { defaultKernel = prev }()
	for _, kn := range availableKernels() {
		for _, s := range benchShapes {
			if s.m != 128 && s.m != 1024 || s.k != 512 && s.k != 1024 {
				continue
			}
			b.Run(kn.name+"/"+s.name, func(b *testing.B) {
				defaultKernel = kn
				benchGemm(b, Implementation{}, s)
			})
		}
	}
}

// BenchmarkGonumSgemm times gonum v0.17's native Sgemm on the same shapes
// for reference.
func BenchmarkGonumSgemm(b *testing.B) {
	for _, s := range benchShapes {
		b.Run(s.name, func(b *testing.B) { benchGemm(b, gonum.Implementation{}, s) })
	}
}

// BenchmarkMicroKernel times each microkernel alone on packed panels that
// stay in L1 and L2 (k = 256, C tile updated with beta = 1): the ceiling the
// blocked GEMM can reach on one core. One iteration is 100 calls;
// best_GFLOPS is the fastest iteration.
func BenchmarkMicroKernel(b *testing.B) {
	const k, calls = 256, 100
	for _, kn := range availableKernels() {
		b.Run(kn.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			a := randSlice(rng, kn.mr*k)
			bp := randSlice(rng, kn.nr*k)
			c := make([]float32, kn.mr*kn.nr)
			best := time.Duration(1<<63 - 1)
			for b.Loop() {
				t0 := time.Now()
				for range calls {
					kn.micro(k, &a[0], kn.mr, &bp[0], kn.nr, &c[0], kn.nr, 1e-3, 1)
				}
				best = min(best, time.Since(t0))
			}
			flops := 2 * float64(kn.mr*kn.nr*k) * calls
			b.ReportMetric(flops*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GFLOPS")
			b.ReportMetric(flops/float64(best.Nanoseconds()), "best_GFLOPS")
		})
	}
}
