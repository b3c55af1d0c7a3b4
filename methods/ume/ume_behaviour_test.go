package ume_test

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

// TestUMERaisesWeakModality checks the method's effect over 12 seeds: each
// modality is trained alone, so the weak modality's accuracy from its own
// head is well above its partial-logit accuracy under joint training, and
// the fused (averaged) prediction is not worse than the strong modality
// alone; the per-modality CEs are logged every epoch.
func TestUMERaisesWeakModality(t *testing.T) {
	const seeds = 12
	run := func(method string) (weak, fused, strong float64) {
		for seed := range uint64(seeds) {
			rec, err := bench.Train(context.Background(), behaviourSpec(method, seed), bench.TrainOptions{})
			if err != nil || rec.Status != "ok" {
				t.Fatalf("%s seed %d: %v %s", method, seed, err, rec.Error)
			}
			m := rec.Metrics["test"]
			want := map[string]string{"joint": "partial", "ume": "head"}[method]
			if m.ModalitySource["m1"] != want {
				t.Fatalf("%s: m1 accuracy source %q, want %s", method, m.ModalitySource["m1"], want)
			}
			if method == "ume" {
				for _, h := range rec.History {
					for _, k := range []string{"ce_m0", "ce_m1"} {
						if s, ok := h.Method[k]; !ok || s.N == 0 {
							t.Fatalf("epoch %d: %q not logged: %+v", h.Epoch, k, h.Method)
						}
					}
				}
			}
			weak += m.ModalityAcc["m1"] / seeds
			strong += m.ModalityAcc["m0"] / seeds
			fused += m.Acc / seeds
		}
		return weak, fused, strong
	}
	jw, _, _ := run("joint")
	w, f, s := run("ume")
	t.Logf("ume: weak %.3f fused %.3f strong %.3f; joint weak %.3f", w, f, s, jw)
	if !(w > jw) {
		t.Errorf("ume: weak-modality accuracy %.3f is not above joint training's %.3f", w, jw)
	}
	if !(f >= s) {
		t.Errorf("ume: ensemble accuracy %.3f is below its strong modality's %.3f", f, s)
	}
}
