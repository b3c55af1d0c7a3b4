package lfm_test

import (
	"math"
	"testing"

	"github.com/miebench/miebench/bench"
	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestLFMRaisesWeakModality checks the scheduled method's effect over 12
// seeds: the alignment pulls the weak modality's predictions towards the
// strong one's, so its partial-logit test accuracy is higher than under
// joint training; the logged weights are the schedule's.
func TestLFMRaisesWeakModality(t *testing.T) {
	methodtest.RaisesWeakModality(t, methodtest.JointComparison{
		Method: "lfm", Seeds: 12, Source: "partial",
		Check: func(_ uint64, rec *bench.Record) {
			for _, h := range rec.History {
				cls, align := h.Method["alpha_cls"], h.Method["alpha_align"]
				want := []float64{0.204623704, 0.20809851368241683, 0.21180203738440154}
				if cls.N == 0 || math.Abs(cls.Mean+align.Mean-1) > 1e-9 || h.Epoch < len(want) && math.Abs(cls.Mean-want[h.Epoch]) > 1e-9 {
					t.Fatalf("epoch %d: weights %+v %+v", h.Epoch, cls, align)
				}
			}
		},
	})
}

// TestLFMLearnedWeightsFollowTheirGradient checks the learned weights on a
// few seeds: every epoch's alpha_align is the previous one minus lr_alpha
// times the logged hypergradient, clipped to [0.05, 0.95], with lr_alpha
// raised so that the weights visibly move (at the released 1e-4 the step
// is about 1e-8 per epoch on this model).
func TestLFMLearnedWeightsFollowTheirGradient(t *testing.T) {
	const lr = 200.0
	moved := false
	for seed := range uint64(3) {
		for _, start := range []float64{0.95, 0.05} {
			params := map[string]any{"weights": "learned", "init_align": start, "lr_alpha": lr}
			rec := methodtest.Train(t, methodtest.BehaviourSpec("lfm", params, seed))
			prev := start
			for _, h := range rec.History {
				align, g := h.Method["alpha_align"].Mean, h.Method["alpha_grad"].Mean
				want := math.Max(0.05, math.Min(0.95, prev-lr*g))
				if math.Abs(align-want) > 1e-9 || math.Abs(h.Method["alpha_cls"].Mean-(1-align)) > 1e-9 {
					t.Fatalf("%v seed %d epoch %d: alpha_align %v, want clip(%v - %v * %v) = %v", params, seed, h.Epoch, align, prev, lr, g, want)
				}
				if align != prev {
					moved = true
				}
				prev = align
			}
		}
	}
	if !moved {
		t.Error("the learned weights never moved")
	}
}
