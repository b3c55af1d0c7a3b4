package relearning_test

import (
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
