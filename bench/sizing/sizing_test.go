package sizing

import (
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
	// a: 6 -> 4 (Linear y 4 + dx 6, ReLU y 4 + dx 4) = 18 per sample
	// b: 2 -> 4 (4 + 2 + 4 + 4) = 14 per sample
	// concat: features 8 + gradient 8, Linear 8 -> 3 (y 3 + dx 8), logits and gradient 3 + 3 = 33
	mlp := bench.EncoderSpec{Kind: "mlp", Dim: 4}
	m, err := Estimate(specOf("concat", mlp, mlp, 10, 7, "sgd", 0), twoModal([]int{6}, []int{2}, 3))
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(4 * 10 * (18 + 14 + 33)); m.Activations != want {
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

// TestConvKeepsSmallIm2col checks the convolution's kept im2col matrix: a
// batch whose matrix fits the budget keeps it, a large one uses scratch.
func TestConvKeepsSmallIm2col(t *testing.T) {
	for _, tc := range []struct {
		batch int
		keep  bool
	}{
		{2, true},
		{4096, false},
	} {
		w := &net{n: int64(tc.batch), ne: int64(tc.batch)}
		w.conv(1, 8, 8, 2, 3, 1, 1) // p = 64, k = 9
		kept := w.p.mem.Activations - int64(4*tc.batch*(2*64+64))
		if (kept > 0) != tc.keep {
			t.Errorf("batch %d: kept im2col %d bytes, want kept=%v", tc.batch, kept, tc.keep)
		}
		if w.p.mem.Workspace == 0 {
			t.Errorf("batch %d: no workspace", tc.batch)
		}
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
