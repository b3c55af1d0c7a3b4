package dimml_test

import (
	"testing"

	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestDIMMLTrainsWeakModality: averaged over three seeds, the weak
// modality m1, trained apart from m0, is far more accurate than inside
// joint training, the ensemble is not worse, and the phases log what
// they compute.
func TestDIMMLTrainsWeakModality(t *testing.T) {
	params := map[string]any{"align_epoch": 3, "stage2_epochs": 2}
	jw, jf := methodtest.WeakAccuracy(t, "joint", nil, 3)
	w, f := methodtest.WeakAccuracy(t, "di-mml", params, 3)
	t.Logf("m1 accuracy: joint %.3f, di-mml %.3f; fused: joint %.3f, di-mml %.3f", jw, w, jf, f)
	if w < jw+0.15 {
		t.Errorf("di-mml m1 accuracy %.3f, want at least joint's %.3f + 0.15", w, jw)
	}
	if f < jf-0.03 {
		t.Errorf("di-mml fused accuracy %.3f, want no worse than joint's %.3f - 0.03", f, jf)
	}
	rec := methodtest.Train(t, methodtest.SyntheticSpec("di-mml", params, 0, 8, methodtest.Imbalanced(2), "concat"))
	for e, h := range rec.History {
		_, align := h.Method["loss_align"]
		_, fusion := h.Method["loss_fusion"]
		if align != (e >= 3 && e < 6) || fusion != (e >= 6) {
			t.Errorf("epoch %d: loss_align logged %v, loss_fusion %v", e, align, fusion)
		}
	}
	if _, ok := rec.History[3].Method["only_dims_m0"]; !ok {
		t.Error("epoch 3 logs no only_dims_m0")
	}
}

// TestDIMMLFusionsAndThreeModalities: stage 2 trains a film head as well,
// and three modalities align on each other's own dimensions.
func TestDIMMLFusionsAndThreeModalities(t *testing.T) {
	params := map[string]any{"align_epoch": 1, "stage2_epochs": 1}
	rec := methodtest.Train(t, methodtest.SyntheticSpec("di-mml", params, 3, 4, methodtest.Imbalanced(2), "film"))
	if l := rec.History[3].Method["loss_fusion"]; l.N == 0 || l.Max == l.Min {
		t.Errorf("film stage 2: loss_fusion %+v, want logged and moving", l)
	}
	rec = methodtest.Train(t, methodtest.SyntheticSpec("di-mml", params, 3, 4, methodtest.Imbalanced(3), "concat"))
	if _, ok := rec.History[1].Method["only_dims_m2"]; !ok {
		t.Error("three modalities: no only_dims_m2 at align_epoch")
	}
	if acc := rec.Metrics["test"].ModalityAcc["m2"]; acc < 0.3 {
		t.Errorf("three modalities: m2 accuracy %.3f, want well above chance 0.125", acc)
	}
}
