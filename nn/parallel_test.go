package nn

import (
	"runtime"
	"slices"
	"testing"
)

// TestResultsIndependentOfGoroutines trains the small CNN for two steps on
// inputs large enough for every parallel path (im2col, col2im, pooling,
// batch norm, ReLU, GEMM) and checks that one and four goroutines give
// bit-identical parameters and running statistics.
func TestResultsIndependentOfGoroutines(t *testing.T) {
	run := func(procs int) *Snapshot {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rng := newTestRNG(51)
		enc := NewCNNEncoder("cnn", []int{2, 32, 32}, []int{8, 16}, 8, rng)
		net := NewSequential(enc, NewLinear("head", 8, 3, rng))
		opt := NewSGD([]ParamGroup{{Params: net.Params(), LR: 0.01}}, 0.9, false)
		x := randTensor(rng, 1, 16, 2, 32, 32)
		labels := make([]int, 16)
		for i := range labels {
			labels[i] = i % 3
		}
		for range 2 {
			opt.ZeroGrad()
			_, d := SoftmaxCrossEntropy(net.Forward(x, true), labels)
			net.Backward(d)
			opt.Step()
		}
		return Capture(net.Params(), net.Buffers())
	}
	a, b := run(1), run(4)
	for name, v := range a.Params {
		if !slices.Equal(v.Data, b.Params[name].Data) {
			t.Errorf("parameter %s differs between 1 and 4 goroutines", name)
		}
	}
	for name, v := range a.Buffers {
		if !slices.Equal(v.Data, b.Buffers[name].Data) {
			t.Errorf("buffer %s differs between 1 and 4 goroutines", name)
		}
	}
}
