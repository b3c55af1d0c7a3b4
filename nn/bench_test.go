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
	timeSteps(b, x.Rows(), func() {
		opt.ZeroGrad()
		_, d := SoftmaxCrossEntropy(net.Forward(x, true), labels)
		net.Backward(d)
		opt.Step()
	})
}

// timeSteps runs step once untimed (the first step sizes and faults in
// every buffer; scripts/bench-torch.py warms up the same way), then times
// it over the benchmark's iterations and reports the throughput.
func timeSteps(b *testing.B, batch int, step func()) {
	step()
	var best time.Duration
	for b.Loop() {
		t0 := time.Now()
		step()
		best = fastest(best, time.Since(t0))
	}
	reportThroughput(b, batch, best)
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
	enc.(InputGradDropper).DropInputGrad() // as a model's encoders: the input is data
	net := NewSequential(enc, NewLinear("head", enc.OutDim(), 10, rng))
	benchStep(b, net, randTensor(rng, 1, 64, 1, 64, 64), 10)
}

// BenchmarkResNet18ForwardBackward is ResNet-18 forward and backward on a
// batch of 8 single-channel 257 x 188 spectrograms, without the gradient
// with respect to the input (as in a model, and as PyTorch's side of
// scripts/bench-torch.py).
func BenchmarkResNet18ForwardBackward(b *testing.B) {
	rng := newTestRNG(3)
	r := NewResNet18("audio", 1, rng)
	r.(InputGradDropper).DropInputGrad() // as a model's encoders: the input is data
	x := randTensor(rng, 1, 8, 1, 257, 188)
	dy := randTensor(rng, 1e-3, 8, 512)
	timeSteps(b, x.Rows(), func() {
		r.Forward(x, true)
		r.Backward(dy)
	})
}

// BenchmarkCREMADStep is the training step of the CREMA-D paper protocol
// on a batch of 64: a ResNet-18 over 1 x 257 x 188 spectrograms and one over
// 3 x 224 x 224 frames, their 512-wide features concatenated, a linear head
// to 6 classes, softmax cross-entropy, backward and SGD (lr 1e-3, momentum
// 0.9, weight decay 1e-4), as scripts/bench-torch.py's cremad row. Besides
// the throughput it reports the process's peak resident set (peak_RSS_MB);
// run it alone (-bench CREMADStep) for that number to be this step's. A
// step takes tens of seconds and about 3.4 GB.
func BenchmarkCREMADStep(b *testing.B) {
	const batch, classes = 64, 6
	rng := newTestRNG(4)
	audio := NewResNet18("audio", 1, rng)
	visual := NewResNet18("visual", 3, rng)
	for _, e := range []Encoder{audio, visual} {
		e.(InputGradDropper).DropInputGrad() // as a model's encoders
	}
	head := NewLinear("head", 1024, classes, rng)
	xa := randTensor(rng, 1, batch, 1, 257, 188)
	xv := randTensor(rng, 1, batch, 3, 224, 224)
	labels := make([]int, batch)
	for i := range labels {
		labels[i] = i % classes
	}
	params := append(append(audio.Params(), visual.Params()...), head.Params()...)
	opt := NewSGD([]ParamGroup{{Params: params, LR: 1e-3, WeightDecay: 1e-4}}, 0.9, false)
	z := NewTensor(batch, 1024)
	da, dv := NewTensor(batch, 512), NewTensor(batch, 512)
	timeSteps(b, batch, func() {
		opt.ZeroGrad()
		fa, fv := audio.Forward(xa, true), visual.Forward(xv, true)
		for i := range batch {
			copy(z.Row(i)[:512], fa.Row(i))
			copy(z.Row(i)[512:], fv.Row(i))
		}
		_, d := SoftmaxCrossEntropy(head.Forward(z, true), labels)
		dz := head.Backward(d)
		for i := range batch {
			copy(da.Row(i), dz.Row(i)[:512])
			copy(dv.Row(i), dz.Row(i)[512:])
		}
		audio.Backward(da)
		visual.Backward(dv)
		opt.Step()
	})
	if mb, ok := peakRSSMB(); ok {
		b.ReportMetric(mb, "peak_RSS_MB")
	}
}
