package methodtest

import (
	"context"
	"testing"

	"github.com/miebench/miebench/bench"
)

// BehaviourSpec is the small run the methods' behaviour tests train: the
// synthetic set with a strong modality m0 (prototype length 3) and a weak
// one m1 (length 1.5), 400/100/300 train/val/test samples, mlp encoders
// (hidden 32, 16 features), a concat head, 8 epochs of SGD (lr 0.01,
// momentum 0.9, weight decay 1e-4, batch 32), the epoch selected on
// validation accuracy. A nil params is the method's defaults.
func BehaviourSpec(method string, params map[string]any, seed uint64) bench.RunSpec {
	if params == nil {
		params = map[string]any{}
	}
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

// SeedMeans holds test accuracies of the selected epochs averaged over
// seeds: of the weak modality m1, of the strong modality m0 and of the
// fused prediction.
type SeedMeans struct {
	Weak, Strong, Fused float64
}

// WeakModalityAccuracy trains spec(seed) for seeds 0..seeds-1 and returns
// the mean test accuracies of the selected epochs. It fails the test when a
// run does not finish with status ok or when m1's accuracy does not come
// from source ("partial" for partial logits, "head" for a modality's own
// head). check, when not nil, runs on every record after those checks, for
// the method's own assertions on what it logged.
func WeakModalityAccuracy(t *testing.T, seeds int, source string, spec func(seed uint64) bench.RunSpec, check func(seed uint64, rec *bench.Record)) SeedMeans {
	t.Helper()
	var sum SeedMeans
	for seed := range uint64(seeds) {
		s := spec(seed)
		rec, err := bench.Train(context.Background(), s, bench.TrainOptions{})
		if err != nil {
			t.Fatalf("%s seed %d: %v", s.Method, seed, err)
		}
		if rec.Status != "ok" {
			t.Fatalf("%s seed %d: status %s: %s", s.Method, seed, rec.Status, rec.Error)
		}
		m := rec.Metrics["test"]
		if m.ModalitySource["m1"] != source {
			t.Fatalf("%s: m1 accuracy source %q, want %s", s.Method, m.ModalitySource["m1"], source)
		}
		if check != nil {
			check(seed, rec)
		}
		sum.Weak += m.ModalityAcc["m1"]
		sum.Strong += m.ModalityAcc["m0"]
		sum.Fused += m.Acc
	}
	n := float64(seeds)
	return SeedMeans{Weak: sum.Weak / n, Strong: sum.Strong / n, Fused: sum.Fused / n}
}

// LoggedEveryEpoch fails the test unless every epoch of rec's history
// holds at least one logged value under each of keys.
func LoggedEveryEpoch(t *testing.T, rec *bench.Record, keys ...string) {
	t.Helper()
	for _, h := range rec.History {
		for _, k := range keys {
			if s, ok := h.Method[k]; !ok || s.N == 0 {
				t.Fatalf("epoch %d: %q not logged: %+v", h.Epoch, k, h.Method)
			}
		}
	}
}

// JointComparison describes a behaviour check of a method against joint
// training on the same runs: see RaisesWeakModality.
type JointComparison struct {
	// Method is the method under test.
	Method string
	// Seeds is how many seeds (0..Seeds-1) each side trains.
	Seeds int
	// Source is where Method's m1 accuracy comes from ("partial" or
	// "head"); joint's is always "partial".
	Source string
	// Spec builds the run of a method (Method or "joint") for a seed; nil
	// is BehaviourSpec with the methods' defaults.
	Spec func(method string, seed uint64) bench.RunSpec
	// Check, when not nil, runs on every record of Method (not joint).
	Check func(seed uint64, rec *bench.Record)
}

// RaisesWeakModality trains joint and then c.Method over c.Seeds seeds each
// with WeakModalityAccuracy, logs both weak-modality means and fails the
// test unless c.Method's is strictly above joint's. It returns both sides'
// means for further assertions.
func RaisesWeakModality(t *testing.T, c JointComparison) (got, joint SeedMeans) {
	t.Helper()
	build := c.Spec
	if build == nil {
		build = func(method string, seed uint64) bench.RunSpec { return BehaviourSpec(method, nil, seed) }
	}
	joint = WeakModalityAccuracy(t, c.Seeds, "partial", func(seed uint64) bench.RunSpec { return build("joint", seed) }, nil)
	got = WeakModalityAccuracy(t, c.Seeds, c.Source, func(seed uint64) bench.RunSpec { return build(c.Method, seed) }, c.Check)
	t.Logf("weak-modality accuracy: %s %.3f, joint %.3f", c.Method, got.Weak, joint.Weak)
	if !(got.Weak > joint.Weak) {
		t.Errorf("%s: weak-modality accuracy %.3f is not above joint training's %.3f", c.Method, got.Weak, joint.Weak)
	}
	return got, joint
}

// ImbalancedRuns is a JointComparison.Spec of 8-epoch concat runs on
// Imbalanced(2) (SyntheticSpec): the method under test gets params, joint
// its defaults.
func ImbalancedRuns(params map[string]any) func(method string, seed uint64) bench.RunSpec {
	return func(method string, seed uint64) bench.RunSpec {
		if method == "joint" {
			return SyntheticSpec(method, nil, seed, 8, Imbalanced(2), "concat")
		}
		return SyntheticSpec(method, params, seed, 8, Imbalanced(2), "concat")
	}
}
