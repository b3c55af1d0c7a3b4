package relearning_test

import (
	"reflect"
	"testing"

	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestRelearningDiagnosesTheStrongModality: on Imbalanced(2) the strong
// modality m0 over-fits (its clusters are purer on training than on
// validation data) and gets the larger re-initialisation strength,
// averaged over three seeds and three re-initialisations; the runs
// re-initialise exactly reinit_num times. Measured: alpha_m0 0.18,
// alpha_m1 0.07.
func TestRelearningDiagnosesTheStrongModality(t *testing.T) {
	var a0, a1 float64
	for seed := range uint64(3) {
		rec := methodtest.Train(t, methodtest.SyntheticSpec("relearning", map[string]any{"reinit_epoch": 3}, seed, 12, methodtest.Imbalanced(2), "concat"))
		var n int
		for _, h := range rec.History {
			if s, ok := h.Method["alpha_m0"]; ok {
				n++
				a0 += s.Mean / 9
				a1 += h.Method["alpha_m1"].Mean / 9
				if h.Epoch%3 != 1 {
					t.Errorf("seed %d: re-initialised before epoch %d, want after epochs 3, 6, 9", seed, h.Epoch)
				}
			}
		}
		if n != 3 {
			t.Errorf("seed %d: %d re-initialisations, want reinit_num 3", seed, n)
		}
	}
	t.Logf("mean alpha: m0 %.3f, m1 %.3f", a0, a1)
	if a0 <= a1+0.05 {
		t.Errorf("alpha_m0 %.3f, want above alpha_m1 %.3f + 0.05 (the strong modality over-fits)", a0, a1)
	}
}

// TestRelearningDeterministic: two runs of one spec with a
// re-initialisation (k-means seeded from the run) give identical records.
func TestRelearningDeterministic(t *testing.T) {
	spec := methodtest.SyntheticSpec("relearning", map[string]any{"reinit_epoch": 1, "reinit_num": 2}, 5, 4, methodtest.Imbalanced(3), "sum")
	a, b := methodtest.Train(t, spec), methodtest.Train(t, spec)
	if !reflect.DeepEqual(a.History, b.History) || !reflect.DeepEqual(a.Metrics, b.Metrics) {
		t.Error("two runs of the same spec differ")
	}
	if _, ok := a.History[2].Method["alpha_m2"]; !ok {
		t.Error("three modalities: no alpha_m2 logged after epoch 1")
	}
}
