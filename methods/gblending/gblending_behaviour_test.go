package gblending_test

import (
	"context"
	"math"
	"testing"

	"github.com/miebench/miebench/bench"
	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
)

// behaviourSpec is a small run on the synthetic set with a strong modality
// m0 (prototype length 3) and a weak one m1 (length 1.5), mlp encoders and
// a concat head.
func behaviourSpec(method string, params map[string]any, seed uint64) bench.RunSpec {
	return bench.RunSpec{
		Suite: "test", Label: method, Method: method, Params: params, Seed: seed,
		Dataset: bench.DatasetSpec{Name: "synthetic", Params: map[string]any{
			"modalities": 2, "strength": []float64{3, 1.5}, "train": 400, "val": 100, "test": 300}},
		Train: bench.TrainSpec{Epochs: 8, BatchSize: 32, EvalBatchSize: 128, Optimizer: "sgd",
			LR: 0.01, Momentum: 0.9, WeightDecay: 1e-4},
		Model: bench.ModelSpec{Fusion: "concat", Encoders: map[string]bench.EncoderSpec{
			"m0": {Kind: "mlp", Widths: []int{32}, Dim: 16},
			"m1": {Kind: "mlp", Widths: []int{32}, Dim: 16}}},
		Selection: bench.SelectionSpec{Split: "val", Metric: "acc"},
	}
}

// TestGBlendingRaisesWeakModality checks the method's effect over 12
// seeds: with each modality's partial logits trained by their own weighted
// CE, the weak modality's partial-logit test accuracy is higher than under
// joint training; the logged weights are positive, sum to 1, and change
// only at estimation epochs (0 and 4 with super_epoch 4).
func TestGBlendingRaisesWeakModality(t *testing.T) {
	const seeds = 12
	params := map[string]any{"super_epoch": 4}
	weak := func(method string) float64 {
		var sum float64
		for seed := range uint64(seeds) {
			p := map[string]any{}
			if method == "gblending" {
				p = params
			}
			rec, err := bench.Train(context.Background(), behaviourSpec(method, p, seed), bench.TrainOptions{})
			if err != nil || rec.Status != "ok" {
				t.Fatalf("%s seed %d: %v %s", method, seed, err, rec.Error)
			}
			m := rec.Metrics["test"]
			if m.ModalitySource["m1"] != "partial" {
				t.Fatalf("%s: m1 accuracy source %q, want partial", method, m.ModalitySource["m1"])
			}
			if method == "gblending" {
				var prev float64
				for _, h := range rec.History {
					var total float64
					for _, k := range []string{"w_m0", "w_m1", "w_fused"} {
						s := h.Method[k]
						if s.N == 0 || s.Min != s.Max || s.Mean < 0 {
							t.Fatalf("epoch %d: %s = %+v, want one nonnegative value per epoch", h.Epoch, k, s)
						}
						total += s.Mean
					}
					if math.Abs(total-1) > 1e-9 {
						t.Fatalf("epoch %d: weights sum to %v", h.Epoch, total)
					}
					if w := h.Method["w_m1"].Mean; h.Epoch%4 != 0 && w != prev {
						t.Fatalf("epoch %d: w_m1 changed (%v -> %v) outside an estimation epoch", h.Epoch, prev, w)
					}
					prev = h.Method["w_m1"].Mean
				}
			}
			sum += m.ModalityAcc["m1"]
		}
		return sum / seeds
	}
	joint, got := weak("joint"), weak("gblending")
	t.Logf("gblending: weak-modality accuracy %.3f, joint %.3f", got, joint)
	if !(got > joint) {
		t.Errorf("gblending: weak-modality accuracy %.3f is not above joint training's %.3f", got, joint)
	}
}
