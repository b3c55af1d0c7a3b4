package amco_test

import (
	"testing"

	"github.com/miebench/miebench/bench"
	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestAMCoRaisesWeakModality checks the method's effect over 12 seeds:
// masking the dominant modality's logits and training each modality's
// partial logits raise the weak modality's partial-logit test accuracy
// above joint training's; the mask fraction is 0 in epoch 0 and reaches 1
// in later epochs, and at most one modality is dependent per batch. (As
// released, a fully masked modality loses its share and the other becomes
// dependent on the next batch, so the two alternate.)
func TestAMCoRaisesWeakModality(t *testing.T) {
	methodtest.RaisesWeakModality(t, methodtest.JointComparison{
		Method: "amco", Seeds: 12, Source: "partial",
		Check: func(_ uint64, rec *bench.Record) {
			methodtest.LoggedEveryEpoch(t, rec, "pt", "masked", "share_m0", "share_m1", "dependent_m0", "dependent_m1")
			for _, h := range rec.History {
				if pt := h.Method["pt"]; (h.Epoch == 0) != (pt.Max == 0) || h.Epoch > 0 && pt.Max != 1 {
					t.Fatalf("epoch %d: mask fraction %+v", h.Epoch, pt)
				}
				if d := h.Method["dependent_m0"].Mean + h.Method["dependent_m1"].Mean; d > 1+1e-9 {
					t.Fatalf("epoch %d: both modalities dependent on some batch (%v)", h.Epoch, d)
				}
			}
		},
	})
}
