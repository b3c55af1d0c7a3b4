package reconboost_test

import (
	"testing"

	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestReconBoostRaisesWeakModality: averaged over three seeds of 16
// epochs (four stages per modality), the weak modality's learner, trained
// in its own boosting stages, is more accurate than m1 inside joint
// training, and the ensemble is not worse.
func TestReconBoostRaisesWeakModality(t *testing.T) {
	const seeds, epochs = 3, 16
	var jw, jf, rw, rf float64
	for seed := range uint64(seeds) {
		j := methodtest.Train(t, methodtest.SyntheticSpec("joint", nil, seed, epochs, methodtest.Imbalanced(2), "concat"))
		rb := methodtest.Train(t, methodtest.SyntheticSpec("reconboost", map[string]any{"stage_epochs": 1, "correct_epochs": 1}, seed, epochs, methodtest.Imbalanced(2), "concat"))
		jw += j.Metrics["test"].ModalityAcc["m1"] / seeds
		jf += j.Metrics["test"].Acc / seeds
		rw += rb.Metrics["test"].ModalityAcc["m1"] / seeds
		rf += rb.Metrics["test"].Acc / seeds
	}
	t.Logf("m1 accuracy: joint %.3f, reconboost %.3f; fused: joint %.3f, reconboost %.3f", jw, rw, jf, rf)
	if rw < jw+0.1 {
		t.Errorf("reconboost m1 accuracy %.3f, want at least joint's %.3f + 0.1", rw, jw)
	}
	if rf < jf-0.03 {
		t.Errorf("reconboost fused accuracy %.3f, want no worse than joint's %.3f - 0.03", rf, jf)
	}
}

// TestReconBoostSchedule: the logged phases follow the stage schedule over
// three modalities and the boost rate moves only once correction starts.
func TestReconBoostSchedule(t *testing.T) {
	params := map[string]any{"stage_epochs": 1, "correct_epochs": 1, "shared_head": false, "head_hidden": 0, "ga_grad": true}
	rec := methodtest.Train(t, methodtest.SyntheticSpec("reconboost", params, 1, 6, methodtest.Imbalanced(3), "concat"))
	wantModality := []float64{0, -1, 1, -1, 2, -1}
	for e, h := range rec.History {
		if got := h.Method["modality"].Mean; got != wantModality[e] {
			t.Errorf("epoch %d: modality %v, want %v", e, got, wantModality[e])
		}
		if got := h.Method["stage"].Mean; got != float64(e/2) {
			t.Errorf("epoch %d: stage %v, want %d", e, got, e/2)
		}
	}
	if b0, b1 := rec.History[0].Method["boost_rate"], rec.History[1].Method["boost_rate"]; b0.Min != 1 || b0.Max != 1 || b1.Max == b1.Min {
		t.Errorf("boost_rate: epoch 0 in [%v, %v] (want exactly 1), epoch 1 in [%v, %v] (want moving)", b0.Min, b0.Max, b1.Min, b1.Max)
	}
	if _, ok := rec.History[2].Method["ga_loss"]; !ok {
		t.Error("second stage logs no ga_loss")
	}
	for _, m := range []string{"m0", "m1", "m2"} {
		if acc := rec.Metrics["test"].ModalityAcc[m]; acc < 0.3 {
			t.Errorf("%s learner accuracy %.3f, want well above chance 0.125", m, acc)
		}
	}
}
