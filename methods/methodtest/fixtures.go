// Package methodtest holds what the methods' tests share: small runs built
// by hand (a model, an optimizer, a batch) for step-level checks, small
// synthetic runs through the run loop for behaviour checks, and the
// conformance suite every registered method passes.
package methodtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// TwoModalityRun builds a tiny run with modalities audio and visual: "mlp"
// encoders (audio 5 inputs, visual 3, both 4 features) or "cnn" ones
// (inputs [1, 4, 4] and [1, 2, 2], one conv block of 4 channels with batch
// norm, then a linear layer to 4 features), 3 classes, the given fusion
// head, a batch of 6 in which audio is strongly informative, and an SGD
// optimizer with learning rate 0, so that steps leave the parameters
// unchanged and their gradients can be compared. setup runs before the
// optimizer is built, as the run loop does. The returned map holds the last
// value logged under each name.
func TwoModalityRun(t *testing.T, fusion, encoder string, setup func(r *methods.Run) error) (*methods.Run, *methods.Batch, map[string]float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(21, 22))
	cfg := model.Config{
		Modalities: []string{"audio", "visual"},
		Shapes:     [][]int{{5}, {3}},
		Encoders:   []model.EncoderConfig{{Kind: "mlp", Widths: []int{6}, Dim: 4}, {Kind: "mlp", Dim: 4}},
		Fusion:     fusion,
		NumClasses: 3,
	}
	if encoder == "cnn" {
		cfg.Shapes = [][]int{{1, 4, 4}, {1, 2, 2}}
		cfg.Encoders = []model.EncoderConfig{{Kind: "cnn", Widths: []int{4}, Dim: 4}, {Kind: "cnn", Widths: []int{4}, Dim: 4}}
	}
	md, err := model.New(cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	logs := map[string]float64{}
	r := &methods.Run{
		Model:           md,
		RNG:             rand.New(rand.NewPCG(1, 2)),
		InitRNG:         rand.New(rand.NewPCG(3, 4)),
		Epochs:          100,
		BatchesPerEpoch: 1,
		Log:             func(name string, v float64) { logs[name] = v },
	}
	if setup != nil {
		if err := setup(r); err != nil {
			t.Fatal(err)
		}
	}
	r.Opt = nn.NewSGD([]nn.ParamGroup{{Name: "all", Params: md.Params(), LR: 0}}, 0, false)
	b := &methods.Batch{X: []*nn.Tensor{nn.NewTensor(6, 5), nn.NewTensor(6, 3)}, Y: []int{0, 1, 2, 0, 1, 2}}
	if encoder == "cnn" {
		b.X = []*nn.Tensor{nn.NewTensor(6, 1, 4, 4), nn.NewTensor(6, 1, 2, 2)}
	}
	for _, x := range b.X {
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
		}
	}
	for i, y := range b.Y {
		b.X[0].Row(i)[y] += 3
	}
	return r, b, logs
}

// VisualIndex is the modality index of a TwoModalityRun parameter: 1 for
// the visual encoder's parameters, 0 for everything else.
func VisualIndex(name string) int {
	if strings.HasPrefix(name, "enc.visual.") {
		return 1
	}
	return 0
}

// Grads copies every parameter's gradient, by name.
func Grads(r *methods.Run) map[string][]float32 {
	g := map[string][]float32{}
	for _, p := range r.Model.Params() {
		g[p.Name] = append([]float32(nil), p.Grad.Data...)
	}
	return g
}

// ParamNames lists the parameters' names, for messages.
func ParamNames(ps []*nn.Param) []string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Name)
	}
	return s
}

// MLPRun builds a model with one mlp encoder (4 inputs, hidden 6) per entry
// of dims (its feature width), modalities m0, m1, ..., a concat head and 3
// classes; runs method's Setup and attaches plain SGD (no momentum, no
// weight decay) with learning rate lr.
func MLPRun(t *testing.T, method methods.Method, dims []int, lr float64, loop methods.Loop) *methods.Run {
	t.Helper()
	rng := rand.New(rand.NewPCG(11, 12))
	cfg := model.Config{Fusion: "concat", NumClasses: 3}
	for i, d := range dims {
		cfg.Modalities = append(cfg.Modalities, "m"+string(rune('0'+i)))
		cfg.Shapes = append(cfg.Shapes, []int{4})
		cfg.Encoders = append(cfg.Encoders, model.EncoderConfig{Kind: "mlp", Widths: []int{6}, Dim: d})
	}
	md, err := model.New(cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	r := &methods.Run{Model: md, RNG: rand.New(rand.NewPCG(1, 2)), InitRNG: rng, Epochs: 6, BatchesPerEpoch: 4, Loop: loop, Log: func(string, float64) {}}
	if err := method.Setup(r); err != nil {
		t.Fatal(err)
	}
	r.Opt = nn.NewSGD([]nn.ParamGroup{{Name: "all", Params: md.Params(), LR: lr}}, 0, false)
	return r
}

// RandomBatch is a batch of n samples for m modalities of width 4 with
// standard normal inputs and labels 0, 1, 2, 0, ...
func RandomBatch(m, n int, seed uint64) *methods.Batch {
	rng := rand.New(rand.NewPCG(seed, 5))
	b := &methods.Batch{Y: make([]int, n)}
	for range m {
		x := nn.NewTensor(n, 4)
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
		}
		b.X = append(b.X, x)
	}
	for i := range b.Y {
		b.Y[i] = i % 3
	}
	return b
}

// Same reports whether a and b hold the same values.
func Same(a, b *nn.Tensor) bool {
	if len(a.Data) != len(b.Data) {
		return false
	}
	for i := range a.Data {
		if a.Data[i] != b.Data[i] {
			return false
		}
	}
	return true
}

// Close reports |a - b| <= tol (1 + |b|).
func Close(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

// Imbalanced is a synthetic data set on which joint training under-trains
// the second modality: 8 classes, prototype strength 3.5 for m0 and 2 for
// m1 (m1 alone reaches about 0.63 test accuracy with a linear head; inside
// a jointly trained concat model it stays near 0.28); with three
// modalities m2 is as weak as m1.
func Imbalanced(modalities int) map[string]any {
	ds := map[string]any{"train": 400, "val": 100, "test": 300, "classes": 8, "strength": []float64{3.5, 2}}
	if modalities > 2 {
		ds["modalities"] = modalities
		ds["strength"] = []float64{3.5, 2, 2}
	}
	return ds
}

// SyntheticSpec is a small run on the synthetic dataset with mlp encoders
// (hidden 32, 16 features), SGD lr 0.05 with momentum, batch 32.
func SyntheticSpec(method string, params map[string]any, seed uint64, epochs int, ds map[string]any, fusion string) bench.RunSpec {
	if params == nil {
		params = map[string]any{}
	}
	enc := map[string]bench.EncoderSpec{}
	for i := range 3 {
		enc["m"+string(rune('0'+i))] = bench.EncoderSpec{Kind: "mlp", Widths: []int{32}, Dim: 16}
	}
	return bench.RunSpec{
		Suite: "test", Label: method,
		Dataset: bench.DatasetSpec{Name: "synthetic", Params: ds},
		Method:  method, Params: params, Seed: seed,
		Train: bench.TrainSpec{Epochs: epochs, BatchSize: 32, EvalBatchSize: 128, Optimizer: "sgd",
			LR: 0.05, Momentum: 0.9, WeightDecay: 1e-4, Schedule: bench.ScheduleSpec{Kind: "none"}},
		Model:     bench.ModelSpec{Fusion: fusion, Encoders: enc},
		Selection: bench.SelectionSpec{Split: "val", Metric: "acc"},
	}
}

// Train trains spec and fails the test unless the run finished with
// status ok.
func Train(t *testing.T, spec bench.RunSpec) *bench.Record {
	t.Helper()
	rec, err := bench.Train(context.Background(), spec, bench.TrainOptions{})
	if err != nil {
		t.Fatalf("Train %s: %v", spec.Method, err)
	}
	if rec.Status != "ok" {
		t.Fatalf("%s: status %s: %s", spec.Method, rec.Status, rec.Error)
	}
	return rec
}

// WeakAccuracy returns the mean over seeds 0..seeds-1 of the selected
// epoch's test accuracy of modality m1 and of the fused prediction, for
// 8-epoch concat runs on Imbalanced(2).
func WeakAccuracy(t *testing.T, method string, params map[string]any, seeds int) (weak, fused float64) {
	for seed := range uint64(seeds) {
		rec := Train(t, SyntheticSpec(method, params, seed, 8, Imbalanced(2), "concat"))
		weak += rec.Metrics["test"].ModalityAcc["m1"] / float64(seeds)
		fused += rec.Metrics["test"].Acc / float64(seeds)
	}
	return weak, fused
}

// NewMethod builds the registered method with params (nil: the defaults)
// resolved over its declared parameters, failing the test on any error.
func NewMethod(t *testing.T, method string, params map[string]any) methods.Method {
	t.Helper()
	spec, err := methods.Lookup(method)
	if err != nil {
		t.Fatal(err)
	}
	h, err := methods.Resolve(spec.Params, params)
	if err != nil {
		t.Fatalf("%s %v: %v", method, params, err)
	}
	m, err := spec.New(h)
	if err != nil {
		t.Fatalf("%s %v: %v", method, params, err)
	}
	return m
}

// LoopStub implements the methods.Loop methods a hand-built test run does
// not offer: each fails with an error naming it (RestoreBest reports that
// nothing was evaluated; ResetOptimizer does nothing). Embed it in a test
// loop and override what the test needs.
type LoopStub struct{}

// TrainBatches implements methods.Loop: no training split.
func (LoopStub) TrainBatches(int, func(*methods.Batch) error) error {
	return errors.New("test loop: no training batches")
}

// RestoreBest implements methods.Loop: nothing was evaluated.
func (LoopStub) RestoreBest() bool { return false }

// ResetOptimizer implements methods.Loop as a no-op.
func (LoopStub) ResetOptimizer() {}

// Evaluate implements methods.Loop: no splits.
func (LoopStub) Evaluate(split string) (methods.Scores, error) {
	return methods.Scores{}, fmt.Errorf("test loop: no %s split to evaluate", split)
}

// EvalBatches implements methods.Loop: no splits.
func (LoopStub) EvalBatches(split string, _ func(*methods.Batch) error) error {
	return fmt.Errorf("test loop: no %s split", split)
}

// History implements methods.Loop: no epochs.
func (LoopStub) History() []methods.EpochScores { return nil }

// SetEpochSamples implements methods.Loop: no training split.
func (LoopStub) SetEpochSamples([]int) error {
	return errors.New("test loop: no training split to resample")
}
