package umt_test

import (
	"math"
	"testing"

	"github.com/miebench/miebench/bench"
	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestUMTRaisesWeakModality checks the method's effect over 12 seeds: after
// 8 epochs of unimodal teachers, 8 epochs of distillation give the weak
// modality a higher partial-logit test accuracy than 8 epochs of joint
// training; the stages and the distances are logged.
func TestUMTRaisesWeakModality(t *testing.T) {
	methodtest.RaisesWeakModality(t, methodtest.JointComparison{
		Method: "umt", Seeds: 12, Source: "partial",
		Spec: func(method string, seed uint64) bench.RunSpec {
			spec := methodtest.BehaviourSpec(method, nil, seed)
			if method == "umt" {
				spec.Params = map[string]any{"teacher_epochs": 8}
				spec.Train.Epochs = 16
			}
			return spec
		},
		Check: func(seed uint64, rec *bench.Record) {
			for _, h := range rec.History {
				stage := h.Method["stage"].Mean
				keys := []string{"teacher_ce_m0", "teacher_ce_m1"}
				if h.Epoch >= 8 {
					keys = []string{"ce", "mse_m0", "mse_m1"}
				}
				if (h.Epoch < 8) != (stage == 1) {
					t.Fatalf("epoch %d: stage %v", h.Epoch, stage)
				}
				for _, k := range keys {
					if s, ok := h.Method[k]; !ok || s.N == 0 || math.IsNaN(s.Mean) {
						t.Fatalf("epoch %d: %q not logged: %+v", h.Epoch, k, h.Method)
					}
				}
			}
			if rec.SelectedEpoch < 8 {
				t.Fatalf("seed %d: selected epoch %d is in the teacher stage", seed, rec.SelectedEpoch)
			}
		},
	})
}
