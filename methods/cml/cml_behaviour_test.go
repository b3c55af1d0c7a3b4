package cml_test

import (
	"context"
	"testing"

	"github.com/miebench/miebench/bench"
	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
)

// behaviourSpec is a small run on the synthetic set with a strong modality
// m0 (prototype length 3) and a weak one m1 (length 1.5), mlp encoders and
// a concat head.
func behaviourSpec(method string, seed uint64) bench.RunSpec {
	return bench.RunSpec{
		Suite: "test", Label: method, Method: method, Params: map[string]any{}, Seed: seed,
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

// TestCMLRaisesWeakModality checks the method's effect over 12 seeds: the
// reduced outputs train each modality to predict through the head alone,
// so the weak modality's partial-logit test accuracy is higher than under
// joint training; the hinge and the CE terms are logged every epoch.
func TestCMLRaisesWeakModality(t *testing.T) {
	const seeds = 12
	weak := func(method string) float64 {
		var sum float64
		for seed := range uint64(seeds) {
			rec, err := bench.Train(context.Background(), behaviourSpec(method, seed), bench.TrainOptions{})
			if err != nil || rec.Status != "ok" {
				t.Fatalf("%s seed %d: %v %s", method, seed, err, rec.Error)
			}
			m := rec.Metrics["test"]
			if m.ModalitySource["m1"] != "partial" {
				t.Fatalf("%s: m1 accuracy source %q, want partial", method, m.ModalitySource["m1"])
			}
			if method == "cml" {
				for _, h := range rec.History {
					for _, k := range []string{"ce_full", "ce_reduced", "hinge", "removed_m0", "removed_m1"} {
						if s, ok := h.Method[k]; !ok || s.N == 0 {
							t.Fatalf("epoch %d: %q not logged: %+v", h.Epoch, k, h.Method)
						}
					}
				}
			}
			sum += m.ModalityAcc["m1"]
		}
		return sum / seeds
	}
	joint, got := weak("joint"), weak("cml")
	t.Logf("weak-modality accuracy: cml %.3f, joint %.3f", got, joint)
	if !(got > joint) {
		t.Errorf("cml: weak-modality accuracy %.3f is not above joint training's %.3f", got, joint)
	}
}
