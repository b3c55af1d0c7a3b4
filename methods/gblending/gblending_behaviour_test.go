package gblending_test

import (
	"math"
	"testing"

	"github.com/miebench/miebench/bench"
	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestGBlendingRaisesWeakModality checks the method's effect over 12
// seeds: with each modality's partial logits trained by their own weighted
// CE, the weak modality's partial-logit test accuracy is higher than under
// joint training; the logged weights are positive, sum to 1, and change
// only at estimation epochs (0 and 4 with super_epoch 4).
func TestGBlendingRaisesWeakModality(t *testing.T) {
	methodtest.RaisesWeakModality(t, methodtest.JointComparison{
		Method: "gblending", Seeds: 12, Source: "partial",
		Spec: func(method string, seed uint64) bench.RunSpec {
			var params map[string]any
			if method == "gblending" {
				params = map[string]any{"super_epoch": 4}
			}
			return methodtest.BehaviourSpec(method, params, seed)
		},
		Check: func(_ uint64, rec *bench.Record) {
			var prev float64
			for _, h := range rec.History {
				var total float64
				for _, k := range []string{"w_m0", "w_m1", "w_fused"} {
					s := h.Method[k]
					if s.N == 0 || s.Min != s.Max || s.Mean < 0 {
						t.Fatalf("epoch %d: %s = %+v, want one nonnegative value per epoch", h.Epoch, k, s)
					}
					total += s.Mean
				}
				if math.Abs(total-1) > 1e-9 {
					t.Fatalf("epoch %d: weights sum to %v", h.Epoch, total)
				}
				if w := h.Method["w_m1"].Mean; h.Epoch%4 != 0 && w != prev {
					t.Fatalf("epoch %d: w_m1 changed (%v -> %v) outside an estimation epoch", h.Epoch, prev, w)
				}
				prev = h.Method["w_m1"].Mean
			}
		},
	})
}
