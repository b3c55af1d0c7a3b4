package sizing

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/datasets"
	"github.com/miebench/miebench/nn"
)

func twoModal(a, b []int, classes int) datasets.Info {
	info := datasets.Info{Modalities: []datasets.Modality{{Name: "a", Shape: a}, {Name: "b", Shape: b}}}
	for range classes {
		info.Classes = append(info.Classes, "c")
	}
	return info
}

func specOf(fusion string, a, b bench.EncoderSpec, batch, evalBatch int, opt string, momentum float64) bench.RunSpec {
	return bench.RunSpec{
		Label: "t",
		Train: bench.TrainSpec{BatchSize: batch, EvalBatchSize: evalBatch, Optimizer: opt, Momentum: momentum},
		Model: bench.ModelSpec{Fusion: fusion, Encoders: map[string]bench.EncoderSpec{"a": a, "b": b}},
	}
}

// TestParamsMatchModel checks the shape walk against the model miebench
// builds: the estimated parameter and buffer counts are the real ones.
func TestParamsMatchModel(t *testing.T) {
	mlp := bench.EncoderSpec{Kind: "mlp", Widths: []int{32, 16}, Dim: 8}
	cnn := bench.EncoderSpec{Kind: "cnn", Widths: []int{8, 16}, Dim: 12}
	cnnNoFC := bench.EncoderSpec{Kind: "cnn", Widths: []int{4}}
	res := bench.EncoderSpec{Kind: "resnet18"}
	for _, tc := range []struct {
		name   string
		fusion string
		a, b   bench.EncoderSpec
		sa, sb []int
	}{
		{"mlp concat", "concat", mlp, mlp, []int{20}, []int{1, 4, 5}},
		{"mlp sum", "sum", mlp, bench.EncoderSpec{Kind: "mlp", Dim: 8}, []int{20}, []int{7}},
		{"mlp film", "film", mlp, mlp, []int{20}, []int{9}},
		{"mlp gated", "gated", mlp, mlp, []int{20}, []int{9}},
		{"cnn frames", "concat", cnn, cnnNoFC, []int{1, 16, 12}, []int{3, 2, 8, 8}},
		{"resnet18", "concat", res, res, []int{1, 32, 32}, []int{2, 3, 32, 32}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info := twoModal(tc.sa, tc.sb, 5)
			spec := specOf(tc.fusion, tc.a, tc.b, 4, 4, "sgd", 0)
			m, err := Estimate(spec, info)
			if err != nil {
				t.Fatal(err)
			}
			md, err := Model(spec, info)
			if err != nil {
				t.Fatal(err)
			}
			var params, buffers int64
			for _, p := range md.Params() {
				params += int64(p.Value.Len())
			}
			for _, b := range md.Buffers() {
				buffers += int64(b.Value.Len())
			}
			if m.Params != params {
				t.Errorf("estimated %d parameters, the model has %d", m.Params, params)
			}
			// sgd without momentum: value, gradient, snapshot; buffers: value, snapshot.
			if want := 4 * (3*params + 2*buffers); m.State != want {
				t.Errorf("state %d bytes, want %d", m.State, want)
			}
		})
	}
}

// TestOptimizerState checks the slots per optimizer.
func TestOptimizerState(t *testing.T) {
	mlp := bench.EncoderSpec{Kind: "mlp", Dim: 4}
	info := twoModal([]int{3}, []int{3}, 2)
	// Parameters: two 3->4 layers (16 each) and the 8->2 head (18).
	const p = 16 + 16 + 18
	for _, tc := range []struct {
		opt      string
		momentum float64
		values   int64 // float32 values per parameter
	}{
		{"sgd", 0, 3},
		{"", 0.9, 4},
		{"sgd", 0.9, 4},
		{"adam", 0, 5},
		{"adamw", 0.9, 5},
	} {
		m, err := Estimate(specOf("concat", mlp, mlp, 2, 2, tc.opt, tc.momentum), info)
		if err != nil {
			t.Fatal(err)
		}
		if m.Params != p || m.State != 4*p*tc.values {
			t.Errorf("%s momentum %v: %d params, state %d bytes; want %d params, %d bytes", tc.opt, tc.momentum, m.Params, m.State, p, 4*p*tc.values)
		}
	}
	if _, err := Estimate(specOf("concat", mlp, mlp, 2, 2, "lbfgs", 0), info); err == nil || !strings.Contains(err.Error(), `unknown optimizer "lbfgs"`) {
		t.Errorf("unknown optimizer: error %v", err)
	}
}

// TestMLPActivations checks the buffers of a small MLP model by hand.
func TestMLPActivations(t *testing.T) {
	// a: 6 -> 4 (Linear y 4, no dx: its input is data; ReLU y 4 + dx 4) = 12 per sample
	// b: 2 -> 4 (4 + 4 + 4) = 12 per sample
	// concat: features 8 + gradient 8, Linear 8 -> 3 (y 3 + dx 8), logits and gradient 3 + 3 = 33
	mlp := bench.EncoderSpec{Kind: "mlp", Dim: 4}
	m, err := Estimate(specOf("concat", mlp, mlp, 10, 7, "sgd", 0), twoModal([]int{6}, []int{2}, 3))
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(4 * 10 * (12 + 12 + 33)); m.Activations != want {
		t.Errorf("activations %d bytes, want %d", m.Activations, want)
	}
	// Evaluation outputs: a 4+4, b 4+4, concat 8, head 3 = 27 per sample.
	if want := int64(4 * 7 * 27); m.Eval != want {
		t.Errorf("eval %d bytes, want %d", m.Eval, want)
	}
	if want := int64(4 * (6 + 2) * (10 + 7)); m.Batches != want {
		t.Errorf("batches %d bytes, want %d", m.Batches, want)
	}
	if m.Workspace != 0 {
		t.Errorf("workspace %d bytes, want 0 without convolutions", m.Workspace)
	}
}

// TestConvKeepsSmallIm2col checks the convolution's kept im2col matrices
// and scratch, on one thread: a batch whose matrices fit the budget keeps
// them and takes only the weight-gradient buffer, the permuted product and
// the input-gradient columns from the free list; a large one takes the
// columns as scratch in both passes; evaluation never keeps them. An 8x8
// output plane (p = 64) is convolved in units of 4 samples (256 columns).
func TestConvKeepsSmallIm2col(t *testing.T) {
	nn.SetThreads(1)
	defer nn.SetThreads(0)
	const k, p, outC = 9, 64, 2 // 1 input channel, 3x3 kernel, 8x8 output
	for _, tc := range []struct {
		batch          int
		kept           int64 // floats
		fwd, bwd, eval []int64
	}{
		// One unit of 2 samples: columns 9 x 128, product 2 x 128, weight gradient 2 x 9.
		{2, k * 128, []int64{outC * 128}, []int64{outC * k, outC * 128, k * 128}, []int64{k * 128, outC * 128}},
		// 1024 units of 4 samples, 2.36M im2col floats: over the budget.
		{4096, 0, []int64{k * 256, outC * 256}, []int64{1024 * outC * k, k * 256, outC * 256, k * 256}, []int64{k * 256, outC * 256}},
	} {
		w := &net{n: int64(tc.batch), ne: int64(tc.batch)}
		w.conv(1, 8, 8, outC, 3, 1, 1, own, own)
		kept := w.p.mem.Activations - int64(4*tc.batch*(outC*p+p))
		if kept != 4*tc.kept {
			t.Errorf("batch %d: kept im2col %d bytes, want %d", tc.batch, kept, 4*tc.kept)
		}
		tr := w.p.scratch
		if !reflect.DeepEqual(tr.fwd, [][]int64{tc.fwd}) || !reflect.DeepEqual(tr.bwd, [][]int64{tc.bwd}) || !reflect.DeepEqual(tr.eval, [][]int64{tc.eval}) {
			t.Errorf("batch %d: scratch forward %v, backward %v, evaluation %v; want %v, %v, %v", tc.batch, tr.fwd, tr.bwd, tr.eval, tc.fwd, tc.bwd, tc.eval)
		}
	}
}

// TestFreeList checks the free-list mirror: best fit, a new buffer when
// none fits, the smallest dropped beyond nn.MaxFreeScratch, and the peak of
// taken plus kept buffers.
func TestFreeList(t *testing.T) {
	// Calls of more buffers than the list keeps: sizes 1..m+1, given back
	// largest first, so the list keeps m+1 down to 2.
	m := int64(nn.MaxFreeScratch)
	var over, keptOver []int64
	for i := int64(1); i <= m+1; i++ {
		over = append(over, i)
		keptOver = append([]int64{i}, keptOver...)
	}
	keptOver = keptOver[:m]
	sumOver := (m + 1) * (m + 2) / 2
	for _, tc := range []struct {
		name  string
		calls [][]int64
		free  []int64
		peak  int64
	}{
		{"reuse", [][]int64{{10, 20}, {10, 20}}, []int64{20, 10}, 30},
		{"best fit", [][]int64{{5, 50}, {4}, {40}}, []int64{5, 50}, 55},
		{"larger request allocates", [][]int64{{10}, {11}}, []int64{10, 11}, 21},
		{"bounded", [][]int64{over}, keptOver, sumOver},
		// A new buffer of m+2 while m+1..2 are kept; returned, it pushes 2 out.
		{"dropped is not held", [][]int64{over, {m + 2}}, append(slices.Clone(keptOver[:m-1]), m+2), sumOver - 1 + m + 2},
	} {
		var f freeList
		for _, g := range tc.calls {
			f.call(g)
		}
		if !reflect.DeepEqual(f.free, tc.free) || f.peak != tc.peak || f.inUse != 0 {
			t.Errorf("%s: kept %v, peak %d, in use %d; want %v, %d, 0", tc.name, f.free, f.peak, f.inUse, tc.free, tc.peak)
		}
	}
}

// TestCNNActivations checks the small CNN's buffers by hand, per sample
// in floats, including nn's shared slots and the per-block strides and
// poolings.
func TestCNNActivations(t *testing.T) {
	for _, tc := range []struct {
		name  string
		enc   bench.EncoderSpec
		shape []int
		want  int64 // bytes per sample
	}{
		// conv0 1x4x4 -> 2x4x4: output in the pool's gradient slot (32),
		// no input gradient (the input is data), im2col kept 9·16; bn x̂ 32; max2 pool
		// output 8 and arg-maxes 8 x 1 byte, input gradient in the slot;
		// global pool 2 + 8; the slot 32.
		{"default", bench.EncoderSpec{Kind: "cnn", Widths: []int{2}}, []int{1, 4, 4},
			4*(32+144+32+8+2+8) + 1*8},
		// conv0 1x8x8 stride 2 -> 2x4x4, no pooling: own output 32, no
		// input gradient, im2col kept 9·16; bn x̂ 32. conv1 -> 3x4x4:
		// output in slot 0 (48), input gradient in slot 1 (32), im2col kept
		// 18·16; bn x̂ 48. avg2 output 12, input gradient in slot 0 (48).
		// Global pool 3 + 12. Slots 48 + 32.
		{"strides and pools", bench.EncoderSpec{Kind: "cnn", Widths: []int{2, 3}, Strides: []int{2, 1}, Pools: []string{"none", "avg2"}}, []int{1, 8, 8},
			4 * (32 + 144 + 32 + 288 + 48 + 12 + 3 + 12 + 48 + 32)},
	} {
		p, err := encoder(tc.enc, tc.shape, 5, 5)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if want := 5 * tc.want; p.mem.Activations != want {
			t.Errorf("%s: activations %d bytes, want %d", tc.name, p.mem.Activations, want)
		}
	}
	bad := bench.EncoderSpec{Kind: "cnn", Widths: []int{2}, Pools: []string{"max9"}}
	if _, err := encoder(bad, []int{1, 4, 4}, 2, 2); err == nil || !strings.Contains(err.Error(), "too small") {
		t.Errorf("a pooling larger than its input: error %v", err)
	}
}

// TestResNetSlots checks ResNet-18's shared buffers on a 3x32x32 sample
// (per sample, floats): the stem convolution's output 64x16x16 shares the
// max pooling's input gradient; the three block slots are as large as
// layer1's tensors, 64x8x8, the largest of their uses (the shortcut
// convolutions' outputs and input gradients are smaller; the stem computes
// no input gradient), and two of them (2 x 4096) are parts of the stem's
// slot, which is larger.
func TestResNetSlots(t *testing.T) {
	w := &net{n: 2, ne: 2}
	w.resnet18(3, 32, 32)
	if want := []int{0, 4096, 0, 16384}; !reflect.DeepEqual(w.slots, want) {
		t.Errorf("slots %v, want %v", w.slots, want)
	}
	if got := len(w.p.scratch.fwd); got != 1+8*2+3 {
		t.Errorf("%d convolutions walked, want 20", got)
	}
}

// TestPeak checks the process bound under the garbage collector settings.
func TestPeak(t *testing.T) {
	runs := []Memory{{State: 100}, {State: 300}, {State: 200}}
	for _, tc := range []struct {
		name    string
		p       Process
		workers int
		want    int64
	}{
		{"gogc 100, one worker", Process{Base: 1000, BaseHeap: 400, GCPercent: 100}, 1, 600 + 2*(400+300)},
		{"gogc 100, two workers", Process{Base: 1000, BaseHeap: 400, GCPercent: 100}, 2, 600 + 2*(400+500)},
		{"more workers than runs", Process{Base: 1000, BaseHeap: 400, GCPercent: 100}, 9, 600 + 2*(400+600)},
		{"gogc 50", Process{Base: 1000, BaseHeap: 400, GCPercent: 50}, 1, 600 + 700 + 350},
		{"memory limit caps", Process{Base: 1000, BaseHeap: 400, GCPercent: 100, MemLimit: 1000}, 1, 600 + 1000},
		{"limit below live", Process{Base: 1000, BaseHeap: 400, GCPercent: 100, MemLimit: 10}, 1, 600 + 700},
		{"gogc off with limit", Process{Base: 1000, BaseHeap: 400, GCPercent: -1, MemLimit: 5000}, 1, 600 + 5000},
		{"gogc off unbounded", Process{Base: 1000, BaseHeap: 400, GCPercent: -1}, 1, -1},
	} {
		if got := tc.p.Peak(runs, tc.workers); got != tc.want {
			t.Errorf("%s: peak %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestBytes(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0B"}, {1023, "1023B"}, {1024, "1KiB"}, {1536, "1.5KiB"},
		{10 << 20, "10MiB"}, {123456789, "118MiB"}, {3 << 30, "3GiB"}, {5 << 40, "5TiB"},
	} {
		if got := Bytes(tc.n); got != tc.want {
			t.Errorf("Bytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// TestStepTrains checks the warm-up step is a real training step: the loss
// on a fixed batch falls.
func TestStepTrains(t *testing.T) {
	mlp := bench.EncoderSpec{Kind: "mlp", Widths: []int{8}, Dim: 4}
	spec := specOf("concat", mlp, mlp, 4, 4, "sgd", 0.9)
	spec.Train.LR = 0.1
	info := twoModal([]int{3}, []int{2}, 2)
	md, err := Model(spec, info)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optimizer(spec.Train, md.Params())
	if err != nil {
		t.Fatal(err)
	}
	x := []*nn.Tensor{
		nn.FromSlice([]float32{1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1}, 4, 3),
		nn.FromSlice([]float32{1, 0, 0, 1, 1, 1, 0, 0}, 4, 2),
	}
	y := []int{0, 1, 0, 1}
	loss := func() float64 {
		l, _ := nn.SoftmaxCrossEntropy(EvalForward(md, x), y)
		return l
	}
	before := loss()
	for range 20 {
		if err := Step(md, opt, x, y); err != nil {
			t.Fatal(err)
		}
	}
	if after := loss(); !(after < before) {
		t.Errorf("loss %v before 20 steps, %v after", before, after)
	}
}
