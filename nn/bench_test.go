package nn

import (
	"testing"
	"time"
)

// benchStep runs one training step (forward, loss, backward, SGD) of net on
// x per iteration and reports samples per second.
func benchStep(b *testing.B, net Layer, x *Tensor, classes int) {
	labels := make([]int, x.Rows())
	for i := range labels {
		labels[i] = i % classes
	}
	opt := NewSGD([]ParamGroup{{Params: net.Params(), LR: 1e-3, WeightDecay: 1e-4}}, 0.9, false)
	var best time.Duration
	for b.Loop() {
		t0 := time.Now()
		opt.ZeroGrad()
		_, d := SoftmaxCrossEntropy(net.Forward(x, true), labels)
		net.Backward(d)
		opt.Step()
		best = fastest(best, time.Since(t0))
	}
	reportThroughput(b, x.Rows(), best)
}

// fastest returns the shorter of two step times, treating 0 as unset.
func fastest(best, d time.Duration) time.Duration {
	if best == 0 || d < best {
		return d
	}
	return best
}

// reportThroughput reports samples per second over all steps and for the
// fastest step (best_samples/s), which other processes sharing the cores
// disturb least.
func reportThroughput(b *testing.B, batch int, best time.Duration) {
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(batch)/best.Seconds(), "best_samples/s")
}

// The MLP step (512 -> 512 -> 10, batch 128) is BenchmarkMLPTrainStep in
// mlpstep_bench_test.go.

// BenchmarkCNNStep is one SGD step of the small CNN (widths 16-32-64-128,
// 4 blocks) with a linear head on 64 spectrograms of 1 x 64 x 64.
func BenchmarkCNNStep(b *testing.B) {
	rng := newTestRNG(2)
	enc := NewCNNEncoder("cnn", []int{1, 64, 64}, []int{16, 32, 64, 128}, 0, rng)
	net := NewSequential(enc, NewLinear("head", enc.OutDim(), 10, rng))
	benchStep(b, net, randTensor(rng, 1, 64, 1, 64, 64), 10)
}

// BenchmarkResNet18ForwardBackward is ResNet-18 forward and backward on a
// batch of 8 single-channel 257 x 188 spectrograms.
func BenchmarkResNet18ForwardBackward(b *testing.B) {
	rng := newTestRNG(3)
	r := NewResNet18("audio", 1, rng)
	x := randTensor(rng, 1, 8, 1, 257, 188)
	dy := randTensor(rng, 1e-3, 8, 512)
	var best time.Duration
	for b.Loop() {
		t0 := time.Now()
		r.Forward(x, true)
		r.Backward(dy)
		best = fastest(best, time.Since(t0))
	}
	reportThroughput(b, x.Rows(), best)
}
