package nn_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/miebench/miebench/nn"
)

// BenchmarkMLPTrainStep is the MLP training step that scripts/bench-torch.py
// times in PyTorch: Linear 512->512, ReLU, Linear 512->10 at batch 128,
// softmax cross-entropy, backward, and SGD (lr 1e-3, momentum 0.9, weight
// decay 1e-4). It reports steps per second over all iterations and for the
// fastest single step (best_steps/s), which is robust to other processes
// sharing the cores.
func BenchmarkMLPTrainStep(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	net := nn.NewSequential(nn.NewLinear("fc0", 512, 512, rng), nn.NewReLU(), nn.NewLinear("fc1", 512, 10, rng))
	x := nn.NewTensor(128, 512)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	labels := make([]int, 128)
	for i := range labels {
		labels[i] = i % 10
	}
	opt := nn.NewSGD([]nn.ParamGroup{{Params: net.Params(), LR: 1e-3, WeightDecay: 1e-4}}, 0.9, false)
	best := time.Duration(1<<63 - 1)
	for b.Loop() {
		t0 := time.Now()
		opt.ZeroGrad()
		_, d := nn.SoftmaxCrossEntropy(net.Forward(x, true), labels)
		net.Backward(d)
		opt.Step()
		best = min(best, time.Since(t0))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
	b.ReportMetric(1/best.Seconds(), "best_steps/s")
}
