package lfm_test

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

// TestLFMRaisesWeakModality checks the scheduled method's effect over 12
// seeds: the alignment pulls the weak modality's predictions towards the
// strong one's, so its partial-logit test accuracy is higher than under
// joint training; the logged weights are the schedule's.
func TestLFMRaisesWeakModality(t *testing.T) {
	const seeds = 12
	weak := func(method string) float64 {
		var sum float64
		for seed := range uint64(seeds) {
			rec, err := bench.Train(context.Background(), behaviourSpec(method, map[string]any{}, seed), bench.TrainOptions{})
			if err != nil || rec.Status != "ok" {
				t.Fatalf("%s seed %d: %v %s", method, seed, err, rec.Error)
			}
			m := rec.Metrics["test"]
			if m.ModalitySource["m1"] != "partial" {
				t.Fatalf("%s: m1 accuracy source %q, want partial", method, m.ModalitySource["m1"])
			}
			if method == "lfm" {
				for _, h := range rec.History {
					cls, align := h.Method["alpha_cls"], h.Method["alpha_align"]
					want := []float64{0.204623704, 0.20809851368241683, 0.21180203738440154}
					if cls.N == 0 || math.Abs(cls.Mean+align.Mean-1) > 1e-9 || h.Epoch < len(want) && math.Abs(cls.Mean-want[h.Epoch]) > 1e-9 {
						t.Fatalf("epoch %d: weights %+v %+v", h.Epoch, cls, align)
					}
				}
			}
			sum += m.ModalityAcc["m1"]
		}
		return sum / seeds
	}
	joint, got := weak("joint"), weak("lfm")
	t.Logf("lfm: weak-modality accuracy %.3f, joint %.3f", got, joint)
	if !(got > joint) {
		t.Errorf("lfm: weak-modality accuracy %.3f is not above joint training's %.3f", got, joint)
	}
}

// TestLFMLearnedWeightsFollowTheirGradient checks the learned weights on a
// few seeds: every epoch's alpha_align is the previous one minus lr_alpha
// times the logged hypergradient, clipped to [0.05, 0.95], with lr_alpha
// raised so that the weights visibly move (at the released 1e-4 the step
// is about 1e-8 per epoch on this model).
func TestLFMLearnedWeightsFollowTheirGradient(t *testing.T) {
	const lr = 200.0
	moved := false
	for seed := range uint64(3) {
		for _, start := range []float64{0.95, 0.05} {
			params := map[string]any{"weights": "learned", "init_align": start, "lr_alpha": lr}
			rec, err := bench.Train(context.Background(), behaviourSpec("lfm", params, seed), bench.TrainOptions{})
			if err != nil || rec.Status != "ok" {
				t.Fatalf("%v seed %d: %v %s", params, seed, err, rec.Error)
			}
			prev := start
			for _, h := range rec.History {
				align, g := h.Method["alpha_align"].Mean, h.Method["alpha_grad"].Mean
				want := math.Max(0.05, math.Min(0.95, prev-lr*g))
				if math.Abs(align-want) > 1e-9 || math.Abs(h.Method["alpha_cls"].Mean-(1-align)) > 1e-9 {
					t.Fatalf("%v seed %d epoch %d: alpha_align %v, want clip(%v - %v * %v) = %v", params, seed, h.Epoch, align, prev, lr, g, want)
				}
				if align != prev {
					moved = true
				}
				prev = align
			}
		}
	}
	if !moved {
		t.Error("the learned weights never moved")
	}
}
