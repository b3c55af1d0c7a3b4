package bench

import (
	"encoding/json"
	"strings"
	"testing"
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
		{"{missing: true, levels: [1]}", `key "robustness.levels": unknown key (valid: missing, impute, noise)`},
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
