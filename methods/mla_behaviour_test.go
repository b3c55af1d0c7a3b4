package methods_test

import (
	"context"
	"testing"

	"github.com/miebench/miebench/bench"
	_ "github.com/miebench/miebench/datasets"
)

// mlaImbalanced is a synthetic set on which joint training under-trains the
// second modality: 8 classes, prototype strength 3.5 for m0 and 2 for m1
// (m1 alone reaches about 0.63 test accuracy with a linear head; inside a
// jointly trained concat model it stays near 0.28).
func mlaImbalanced(modalities int) map[string]any {
	ds := map[string]any{"train": 400, "val": 100, "test": 300, "classes": 8, "strength": []float64{3.5, 2}}
	if modalities > 2 {
		ds["modalities"] = modalities
		ds["strength"] = []float64{3.5, 2, 2}
	}
	return ds
}

// mlaSpec is a small run on the synthetic dataset with mlp encoders.
func mlaSpec(method string, params map[string]any, seed uint64, epochs int, ds map[string]any, fusion string) bench.RunSpec {
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

func mlaTrain(t *testing.T, spec bench.RunSpec) *bench.Record {
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

// mlaWeakAcc returns the mean over seeds of the selected epoch's test
// accuracy of modality m1 and of the fused prediction.
func mlaWeakAcc(t *testing.T, method string, params map[string]any, seeds int) (weak, fused float64) {
	for seed := range uint64(seeds) {
		rec := mlaTrain(t, mlaSpec(method, params, seed, 8, mlaImbalanced(2), "concat"))
		weak += rec.Metrics["test"].ModalityAcc["m1"] / float64(seeds)
		fused += rec.Metrics["test"].Acc / float64(seeds)
	}
	return weak, fused
}

// TestMLARaisesWeakModality: averaged over three seeds, MLA's accuracy on
// the weak modality m1 is well above m1's accuracy inside joint training,
// and its fused accuracy is not worse. Measured: joint m1 0.28, MLA 0.61.
func TestMLARaisesWeakModality(t *testing.T) {
	jw, jf := mlaWeakAcc(t, "joint", nil, 3)
	mw, mf := mlaWeakAcc(t, "mla", nil, 3)
	t.Logf("m1 accuracy: joint %.3f, mla %.3f; fused: joint %.3f, mla %.3f", jw, mw, jf, mf)
	if mw < jw+0.15 {
		t.Errorf("mla m1 accuracy %.3f, want at least joint's %.3f + 0.15", mw, jw)
	}
	if mf < jf-0.02 {
		t.Errorf("mla fused accuracy %.3f, want no worse than joint's %.3f - 0.02", mf, jf)
	}
}

// TestMLAAnyFusionAndThreeModalities: MLA ignores the fusion head, so gated
// runs; with three modalities every modality gets its turn each batch.
func TestMLAAnyFusionAndThreeModalities(t *testing.T) {
	rec := mlaTrain(t, mlaSpec("mla", map[string]any{"inference": "dynamic-sample", "project": true}, 1, 3, mlaImbalanced(2), "gated"))
	if src := rec.Metrics["test"].ModalitySource["m1"]; src != "head" {
		t.Errorf("gated fusion: m1 accuracy source %q, want head", src)
	}
	rec = mlaTrain(t, mlaSpec("mla", nil, 1, 3, mlaImbalanced(3), "concat"))
	for _, m := range []string{"m0", "m1", "m2"} {
		if s := rec.History[0].Method["loss_"+m]; s.N != rec.History[0].Method["loss_m0"].N || s.N == 0 {
			t.Errorf("three modalities: loss_%s logged %d times in epoch 0, loss_m0 %d", m, s.N, rec.History[0].Method["loss_m0"].N)
		}
		if acc := rec.Metrics["test"].ModalityAcc[m]; acc < 0.3 {
			t.Errorf("three modalities: %s accuracy %.3f, want above chance 0.125 by a margin", m, acc)
		}
	}
}
