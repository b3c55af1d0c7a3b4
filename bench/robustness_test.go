package bench

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/miebench/miebench/datasets"
	"github.com/miebench/miebench/nn"
)

func TestTrainRobustness(t *testing.T) {
	spec := syntheticSpec("joint", nil, 3)
	spec.Robustness = &RobustnessSpec{Missing: true, Noise: []float64{1e-12, 1, 8}}
	rec := mustTrain(t, spec)
	if rec.Status != "ok" {
		t.Fatalf("status %s: %s", rec.Status, rec.Error)
	}
	r := rec.Robustness
	if r == nil || len(r.Missing) != 2 || len(r.Noise) != 2 || len(r.Levels) != 3 {
		t.Fatalf("robustness %+v", r)
	}
	clean := rec.Metrics["test"].Acc
	for _, m := range []string{"m0", "m1"} {
		acc := r.Noise[m]
		// A negligible level leaves float32 inputs unchanged: the clean
		// accuracy exactly. Large noise on one modality costs accuracy.
		if acc[0] != clean {
			t.Errorf("%s at level 1e-12: %v, want the clean %v", m, acc[0], clean)
		}
		if !(acc[2] < clean) {
			t.Errorf("%s: noise 8 gives %v; want below the clean %v", m, acc[2], clean)
		}
		// Without the strong modality the model loses accuracy; the weak
		// one (m1, strength 1.5) may be ignored by the fused head.
		if m == "m0" && !(r.Missing[m] < clean) {
			t.Errorf("%s missing gives %v; want below the clean %v", m, r.Missing[m], clean)
		}
		for _, a := range append(acc, r.Missing[m]) {
			if a < 0 || a > 1 {
				t.Errorf("%s: accuracy %v", m, a)
			}
		}
	}
	// Deterministic, and the id covers the block.
	again := mustTrain(t, spec)
	a, _ := json.Marshal(rec.Robustness)
	b, _ := json.Marshal(again.Robustness)
	if string(a) != string(b) {
		t.Errorf("two runs differ:\n%s\n%s", a, b)
	}
	plain := syntheticSpec("joint", nil, 3)
	if plain.ID() == spec.ID() {
		t.Error("the robustness block does not change the run id")
	}
	// Mean imputation, without noise levels, measures the missing modalities only.
	spec.Robustness = &RobustnessSpec{Missing: true, Impute: "mean"}
	if mean := mustTrain(t, spec); mean.Robustness.Noise != nil || len(mean.Robustness.Missing) != 2 {
		t.Errorf("mean imputation: %+v", mean.Robustness)
	}
}

func TestRobustnessSpecErrors(t *testing.T) {
	for _, tc := range []struct{ block, want string }{
		{"{missing: true, impute: median}", `unknown imputation "median" (valid: zero, mean)`},
		{"{noise: [0.5, -1]}", "want positive finite levels, got [0.5 -1]"},
		{"{missing: false}", "asks for nothing"},
		{"{missing: true, levels: [1]}", `key "robustness.levels": unknown key (valid: missing, impute, noise, corruptions)`},
	} {
		_, err := ParseSuite("t.yaml", []byte(testSuite+"robustness: "+tc.block+"\n"), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.block, err, tc.want)
		}
	}
	runs := planOf(t, testSuite+"robustness: {missing: true, noise: [1]}\n")
	if runs[0].Robustness == nil || !runs[0].Robustness.Missing {
		t.Errorf("plan: %+v", runs[0].Robustness)
	}
}

// scaledDataset is the synthetic dataset with one test-only corruption,
// m0.scale: modality m0's inputs multiplied by the level. Level 1 is the
// clean input and level 0 the zero-imputed missing modality, so both are
// known exactly from the other measurements.
type scaledDataset struct{ datasets.Dataset }

func (d scaledDataset) Corrupt(split, modality, name string, level float64, _ uint64, _ string) (datasets.Split, error) {
	s, err := d.Split(split)
	if err != nil {
		return nil, err
	}
	return scaledSplit{s, level}, nil
}

type scaledSplit struct {
	datasets.Split
	level float64
}

func (s scaledSplit) Load(idx []int, aug *rand.Rand) ([]*nn.Tensor, error) {
	x, err := s.Split.Load(idx, aug)
	if err != nil {
		return nil, err
	}
	for i := range x[0].Data {
		x[0].Data[i] *= float32(s.level)
	}
	return x, nil
}

func init() {
	b, _ := datasets.Lookup("synthetic")
	datasets.Register(datasets.Builder{Name: "t-scaled", Params: b.Params,
		Corruptions: []datasets.Corruption{{Modality: "m0", Name: "scale", Decreasing: true, Min: 0, Max: 1, Levels: "factor on m0"}},
		Open: func(cfg datasets.Config) (datasets.Dataset, error) {
			d, err := b.Open(cfg)
			return scaledDataset{d}, err
		}})
}

func TestTrainCorruptions(t *testing.T) {
	spec := syntheticSpec("joint", nil, 3)
	spec.Dataset.Name = "t-scaled"
	spec.Robustness = &RobustnessSpec{Missing: true, Corruptions: map[string]map[string][]float64{"m0": {"scale": {1, 0.5, 0}}}}
	rec := mustTrain(t, spec)
	if rec.Status != "ok" {
		t.Fatalf("status %s: %s", rec.Status, rec.Error)
	}
	r := rec.Robustness
	if len(r.Corruptions) != 1 {
		t.Fatalf("corruptions %+v", r.Corruptions)
	}
	c := r.Corruptions[0]
	if c.Modality != "m0" || c.Name != "scale" || !slices.Equal(c.Levels, []float64{1, 0.5, 0}) || len(c.Acc) != 3 {
		t.Fatalf("curve %+v", c)
	}
	if clean := rec.Metrics["test"].Acc; c.Acc[0] != clean {
		t.Errorf("scale 1: %v, want the clean accuracy %v", c.Acc[0], clean)
	}
	if c.Acc[2] != r.Missing["m0"] {
		t.Errorf("scale 0: %v, want the zero-imputed missing accuracy %v", c.Acc[2], r.Missing["m0"])
	}
	again := mustTrain(t, spec)
	if !slices.Equal(again.Robustness.Corruptions[0].Acc, c.Acc) {
		t.Errorf("two runs differ: %v and %v", c.Acc, again.Robustness.Corruptions[0].Acc)
	}
	// A dataset without corruptions fails the run with the reason.
	spec.Dataset.Name = "synthetic"
	if rec := mustTrain(t, spec); rec.Status == "ok" || !strings.Contains(rec.Error, "offers no modality-specific corruptions") {
		t.Errorf("synthetic with corruptions: %s %s", rec.Status, rec.Error)
	}
}

func TestCorruptionPlanErrors(t *testing.T) {
	suite := strings.Replace(testSuite, "t-ds\n    params: {noise: 1}", "t-scaled", 1)
	for _, tc := range []struct{ block, want string }{
		{"{corruptions: {m0: {blur: [1]}}}", `key "robustness.corruptions.m0.blur": dataset t-scaled has no corruption "blur" of modality m0 (valid: scale)`},
		{"{corruptions: {m1: {scale: [1]}}}", `key "robustness.corruptions.m1.scale": dataset t-scaled declares no corruption of modality "m1"`},
		{"{corruptions: {m9: {scale: [1]}}}", `key "robustness.corruptions.m9": dataset t-scaled has no modality "m9" (modalities: m0, m1)`},
		{"{corruptions: {m0: {scale: [0, 1]}}}", `key "robustness.corruptions.m0.scale": dataset t-scaled, m0.scale: levels [0 1] are not strictly decreasing`},
		{"{corruptions: {m0: {scale: [2]}}}", `outside [0, 1] (factor on m0)`},
		{"{corruptions: {m0: {}}}", `key "robustness.corruptions.m0": no corruption named for modality m0`},
	} {
		s, err := ParseSuite("t.yaml", []byte(suite+"robustness: "+tc.block+"\n"), nil)
		if err == nil {
			_, err = s.Plan(func(DatasetSpec) ([]string, error) { return []string{"m0", "m1"}, nil })
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.block, err, tc.want)
		}
	}
	s, err := ParseSuite("t.yaml", []byte(suite+"robustness: {corruptions: {m0: {scale: [0.5]}}}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := s.Plan(func(DatasetSpec) ([]string, error) { return []string{"m0", "m1"}, nil })
	if err != nil || runs[0].Robustness.Corruptions["m0"]["scale"][0] != 0.5 {
		t.Errorf("plan: %v %+v", err, runs)
	}
}
