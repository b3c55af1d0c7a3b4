package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestResultsIndependentOfGoroutines trains networks for a step or two on
// inputs large enough for every parallel path (im2col, col2im, pooling,
// batch norm, ReLU, residual adds, convolution bias, GEMM) and checks that
// one, two and eight goroutines give bit-identical parameters and running
// statistics.
func TestResultsIndependentOfGoroutines(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps int
		build func(rng *rand.Rand) (Layer, []int)
	}{
		{"cnn", 2, func(rng *rand.Rand) (Layer, []int) {
			enc := NewCNNEncoder("cnn", []int{2, 32, 32}, []int{8, 16}, 8, rng)
			return NewSequential(enc, NewLinear("head", 8, 3, rng)), []int{16, 2, 32, 32}
		}},
		{"cnn blocks, biased conv", 2, func(rng *rand.Rand) (Layer, []int) {
			enc := NewCNNEncoderBlocks("cnn", []int{4, 32, 32}, []CNNBlock{{8, 2, PoolAvg, 2}, {16, 1, PoolMax, 3}, {16, 1, PoolNone, 0}}, 0, rng)
			return NewSequential(NewConv2D("pre", 2, 4, 3, 3, 1, 1, true, rng), enc, NewLinear("head", 16, 3, rng)), []int{16, 2, 32, 32}
		}},
		{"winograd convolutions", 2, func(rng *rand.Rand) (Layer, []int) {
			// 3x3 stride-1 layers of 64 channels on 24 x 22 planes (132
			// tiles per sample, 6 samples): Winograd throughout.
			w1, w2 := NewConv2D("wino1", 64, 64, 3, 3, 1, 1, false, rng), NewConv2D("wino2", 64, 64, 3, 3, 1, 1, true, rng)
			if !w1.Winograd(6, 24, 22) {
				panic("the winograd case's layers do not take Winograd")
			}
			return NewSequential(NewConv2D("pre", 2, 64, 3, 3, 1, 1, true, rng), NewReLU(),
				w1, NewBatchNorm2D("bn", 64), NewReLU(),
				w2, NewGlobalAvgPool(), NewLinear("head", 64, 3, rng)), []int{6, 2, 24, 22}
		}},
		{"resnet18", 1, func(rng *rand.Rand) (Layer, []int) {
			enc := NewResNet18("r", 1, rng)
			return NewSequential(enc, NewLinear("head", 512, 3, rng)), []int{4, 1, 48, 40}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(procs int) *Snapshot {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				rng := newTestRNG(51)
				net, shape := tc.build(rng)
				opt := NewSGD([]ParamGroup{{Params: net.Params(), LR: 0.01}}, 0.9, false)
				x := randTensor(rng, 1, shape...)
				labels := make([]int, shape[0])
				for i := range labels {
					labels[i] = i % 3
				}
				for range tc.steps {
					opt.ZeroGrad()
					_, d := SoftmaxCrossEntropy(net.Forward(x, true), labels)
					net.Backward(d)
					opt.Step()
				}
				return Capture(net.Params(), net.Buffers())
			}
			ref := run(1)
			for _, procs := range []int{2, 8} {
				got := run(procs)
				for name, v := range ref.Params {
					if !sameFloatBits(v.Data, got.Params[name].Data) {
						t.Errorf("parameter %s differs between 1 and %d goroutines", name, procs)
					}
				}
				for name, v := range ref.Buffers {
					if !sameFloatBits(v.Data, got.Buffers[name].Data) {
						t.Errorf("buffer %s differs between 1 and %d goroutines", name, procs)
					}
				}
			}
		})
	}
}

// sameFloatBits reports whether a and b hold the same float32 bit patterns.
func sameFloatBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}
