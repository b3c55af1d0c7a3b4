package umt_test

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

// TestUMTRaisesWeakModality checks the method's effect over 12 seeds: after
// 8 epochs of unimodal teachers, 8 epochs of distillation give the weak
// modality a higher partial-logit test accuracy than 8 epochs of joint
// training; the stages and the distances are logged.
func TestUMTRaisesWeakModality(t *testing.T) {
	const seeds = 12
	weak := func(method string) float64 {
		var sum float64
		for seed := range uint64(seeds) {
			spec := behaviourSpec(method, map[string]any{}, seed)
			if method == "umt" {
				spec.Params = map[string]any{"teacher_epochs": 8}
				spec.Train.Epochs = 16
			}
			rec, err := bench.Train(context.Background(), spec, bench.TrainOptions{})
			if err != nil || rec.Status != "ok" {
				t.Fatalf("%s seed %d: %v %s", method, seed, err, rec.Error)
			}
			m := rec.Metrics["test"]
			if m.ModalitySource["m1"] != "partial" {
				t.Fatalf("%s: m1 accuracy source %q, want partial", method, m.ModalitySource["m1"])
			}
			if method == "umt" {
				for _, h := range rec.History {
					stage := h.Method["stage"].Mean
					keys := []string{"teacher_ce_m0", "teacher_ce_m1"}
					if h.Epoch >= 8 {
						keys = []string{"ce", "mse_m0", "mse_m1"}
					}
					if (h.Epoch < 8) != (stage == 1) {
						t.Fatalf("epoch %d: stage %v", h.Epoch, stage)
					}
					for _, k := range keys {
						if s, ok := h.Method[k]; !ok || s.N == 0 || math.IsNaN(s.Mean) {
							t.Fatalf("epoch %d: %q not logged: %+v", h.Epoch, k, h.Method)
						}
					}
				}
				if rec.SelectedEpoch < 8 {
					t.Fatalf("seed %d: selected epoch %d is in the teacher stage", seed, rec.SelectedEpoch)
				}
			}
			sum += m.ModalityAcc["m1"]
		}
		return sum / seeds
	}
	joint, got := weak("joint"), weak("umt")
	t.Logf("umt: weak-modality accuracy %.3f, joint %.3f", got, joint)
	if !(got > joint) {
		t.Errorf("umt: weak-modality accuracy %.3f is not above joint training's %.3f", got, joint)
	}
}
