package bench

import (
	"reflect"
	"testing"

	"github.com/miebench/miebench/nn"
)

// TestProbeForEveryModality: every run's val and test metrics carry a
// linear-probe accuracy per modality with an encoder, beside the in-model
// accuracy, whose source the probe does not change where the method gives
// one; a gated run's fallback modality accuracy is the probe's; a
// unimodal run probes its one encoder only.
func TestProbeForEveryModality(t *testing.T) {
	tests := []struct {
		name, fusion string
		params       map[string]any
		method       string
		modalities   []string
		source       string
	}{
		{"concat", "concat", nil, "joint", []string{"m0", "m1"}, "partial"},
		{"gated", "gated", nil, "joint", []string{"m0", "m1"}, "probe"},
		{"unimodal", "concat", map[string]any{"modality": "m1"}, "unimodal", []string{"m1"}, "head"},
	}
	for _, tt := range tests {
		spec := syntheticSpec(tt.method, tt.params, 1)
		spec.Model.Fusion = tt.fusion
		rec := mustTrain(t, spec)
		if rec.Status != "ok" {
			t.Fatalf("%s: status %s: %s", tt.name, rec.Status, rec.Error)
		}
		for _, split := range []string{"val", "test"} {
			m := rec.Metrics[split]
			if len(m.ProbeAcc) != len(tt.modalities) {
				t.Errorf("%s %s: probe accuracies %v, want one for each of %v", tt.name, split, m.ProbeAcc, tt.modalities)
			}
			for _, mod := range tt.modalities {
				p, ok := m.ProbeAcc[mod]
				if !ok || p <= 0.25 || p > 1 {
					t.Errorf("%s %s: probe accuracy of %s = %v (present %v), want above chance 0.25", tt.name, split, mod, p, ok)
				}
				if src := m.ModalitySource[mod]; src != tt.source {
					t.Errorf("%s %s: %s source %q, want %q", tt.name, split, mod, src, tt.source)
				}
				if tt.source == "probe" && m.ModalityAcc[mod] != p {
					t.Errorf("%s %s: fallback accuracy %v of %s, want the probe's %v", tt.name, split, m.ModalityAcc[mod], mod, p)
				}
			}
		}
		for _, h := range rec.History {
			if h.Val.ProbeAcc != nil || h.Test.ProbeAcc != nil {
				t.Fatalf("%s: epoch %d history carries probe accuracies", tt.name, h.Epoch)
			}
		}
	}
}

// TestProbeSelectsOnScore: with a score, fitProbe returns the best-scoring
// checkpoint; a score that prefers the first checkpoint returns the
// weights after probeCheck iterations, not the last ones.
func TestProbeSelectsOnScore(t *testing.T) {
	x := nn.FromSlice([]float32{0, 1, 1, 0, 0.9, 0.1, 0.1, 0.9}, 4, 2)
	y := []int{0, 1, 1, 0}
	calls := 0
	first := func(w, mean, std []float64) float64 { calls++; return -float64(calls) }
	wFirst, _, _ := fitProbe(x, y, 2, first)
	wLast, _, _ := fitProbe(x, y, 2, nil)
	if calls != probeIters/probeCheck {
		t.Errorf("score called %d times, want %d", calls, probeIters/probeCheck)
	}
	if reflect.DeepEqual(wFirst, wLast) {
		t.Error("the first checkpoint's weights equal the last iterate's")
	}
	calls = 0
	wBest, _, _ := fitProbe(x, y, 2, func(w, mean, std []float64) float64 { calls++; return float64(calls) })
	if !reflect.DeepEqual(wBest, wLast) {
		t.Error("a score rising with iterations does not return the last iterate")
	}
}
