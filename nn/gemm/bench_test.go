package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

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

// benchShapes are the shapes of issue 3: the linear-layer products at
// batch 64, 128 and 256 (NN forward, NT input gradient, TN weight
// gradient), a large square product, and the im2col products of
// ResNet-18's four stages for a batch of 8 inputs of 257x188 (rows are
// output pixels, K = Cin*9, N = Cout).
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
		benchShape{"NN_1024x1024x1024", 1024, 1024, 1024, blas.NoTrans, blas.NoTrans},
		benchShape{"im2col_stage1_24440x64x576", 8 * 65 * 47, 64, 64 * 9, blas.NoTrans, blas.NoTrans},
		benchShape{"im2col_stage2_6336x128x1152", 8 * 33 * 24, 128, 128 * 9, blas.NoTrans, blas.NoTrans},
		benchShape{"im2col_stage3_1632x256x2304", 8 * 17 * 12, 256, 256 * 9, blas.NoTrans, blas.NoTrans},
		benchShape{"im2col_stage4_432x512x4608", 8 * 9 * 6, 512, 512 * 9, blas.NoTrans, blas.NoTrans},
	)
	return s
}()

// benchGemm times impl on shape s and reports GFLOPS.
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
	b.ResetTimer()
	for b.Loop() {
		impl.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
	}
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
	b.ReportMetric(flops/float64(b.Elapsed().Nanoseconds()), "GFLOPS")
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
	prev := best
	defer func() { best = prev }()
	for _, kn := range availableKernels() {
		for _, s := range benchShapes {
			if s.m != 128 && s.m != 1024 {
				continue
			}
			b.Run(kn.name+"/"+s.name, func(b *testing.B) {
				best = kn
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
