package agm_test

import (
	"math"
	"strings"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/agm"
	"github.com/miebench/miebench/methods/methodtest"
	"github.com/miebench/miebench/nn"
)

func newAGM(t *testing.T, params map[string]any) methods.Method {
	t.Helper()
	spec, err := methods.Lookup("agm")
	if err != nil {
		t.Fatal(err)
	}
	h, err := methods.Resolve(spec.Params, params)
	if err != nil {
		t.Fatal(err)
	}
	m, err := spec.New(h)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestStepScalesGradients compares one AGM step with one joint step on the
// same model and batch (learning rate 0, so gradients stay readable): with
// apply=fused every gradient is mean(k) times joint's; with apply=encoder
// encoder m's matrices and kernels are k_m times joint's and everything
// else is unchanged. It also checks the first step's coefficients against
// the released formula with an empty running average (rbar = 1).
func TestStepScalesGradients(t *testing.T) {
	for _, fusion := range []string{"concat", "sum", "film", "gated"} {
		for _, enc := range []string{"mlp", "cnn"} {
			r0, b0, _ := methodtest.TwoModalityRun(t, fusion, enc, nil)
			if _, err := (methods.Base{}).Step(r0, b0); err != nil {
				t.Fatal(err)
			}
			joint := methodtest.Grads(r0)
			for _, apply := range []string{agm.ApplyFused, agm.ApplyEncoder} {
				m := newAGM(t, map[string]any{"apply": apply})
				r, b, logs := methodtest.TwoModalityRun(t, fusion, enc, m.Setup)
				if _, err := m.Step(r, b); err != nil {
					t.Fatal(err)
				}
				sa, sv := logs["score_audio"], logs["score_visual"]
				ka, kv := logs["k_audio"], logs["k_visual"]
				wantKa := math.Exp(1.5 * math.Min(1-math.Exp(sv-sa), 10))
				wantKv := math.Exp(1.5 * math.Min(1-math.Exp(sa-sv), 10))
				if !methodtest.Close(ka, wantKa, 1e-12) || !methodtest.Close(kv, wantKv, 1e-12) {
					t.Fatalf("%s/%s: k = (%v, %v), want (%v, %v) from scores (%v, %v)", fusion, enc, ka, kv, wantKa, wantKv, sa, sv)
				}
				got := methodtest.Grads(r)
				for _, p := range r.Model.Params() {
					f := 1.0
					switch {
					case apply == agm.ApplyFused:
						f = (ka + kv) / 2
					case strings.HasPrefix(p.Name, "enc.audio.") && len(p.Grad.Shape) > 1:
						f = ka
					case strings.HasPrefix(p.Name, "enc.visual.") && len(p.Grad.Shape) > 1:
						f = kv
					}
					for i, g := range got[p.Name] {
						if want := f * float64(joint[p.Name][i]); !methodtest.Close(float64(g), want, 1e-5) {
							t.Fatalf("%s/%s apply=%s: %s[%d] = %v, want %v (factor %v)", fusion, enc, apply, p.Name, i, g, want, f)
						}
					}
				}
			}
		}
	}
}

// TestScoresArePartialLogitsCE checks the wiring of the Shapley logits: on a
// concat head with pad=feature and empty=zero, phi_m is exactly modality
// m's partial logits, so the logged score is their mean cross-entropy.
func TestScoresArePartialLogitsCE(t *testing.T) {
	m := newAGM(t, map[string]any{"pad": agm.PadFeature})
	r, b, logs := methodtest.TwoModalityRun(t, "concat", "mlp", m.Setup)
	if _, err := m.Step(r, b); err != nil {
		t.Fatal(err)
	}
	out := methods.Forward(r, b, false)
	for i, p := range r.Model.Fusion.Partial(out.Z) {
		ce, _ := nn.SoftmaxCrossEntropy(p, b.Y)
		name := "score_" + r.Model.Modalities[i]
		if !methodtest.Close(logs[name], ce, 1e-5) {
			t.Errorf("%s = %v, want the partial logits' CE %v", name, logs[name], ce)
		}
	}
}

// TestWindow checks that outside the modulation window the step is joint
// training and k is logged as 1.
func TestWindow(t *testing.T) {
	r0, b0, _ := methodtest.TwoModalityRun(t, "concat", "mlp", nil)
	if _, err := (methods.Base{}).Step(r0, b0); err != nil {
		t.Fatal(err)
	}
	joint := methodtest.Grads(r0)
	m := newAGM(t, map[string]any{"modulation_starts": 1, "apply": agm.ApplyEncoder})
	r, b, logs := methodtest.TwoModalityRun(t, "concat", "mlp", m.Setup)
	if _, err := m.Step(r, b); err != nil {
		t.Fatal(err)
	}
	for name, g := range methodtest.Grads(r) {
		for i := range g {
			if g[i] != joint[name][i] {
				t.Fatalf("epoch 0 outside the window: %s[%d] = %v, joint %v", name, i, g[i], joint[name][i])
			}
		}
	}
	if logs["k_audio"] != 1 || logs["k_visual"] != 1 {
		t.Errorf("outside the window k logged as (%v, %v), want 1", logs["k_audio"], logs["k_visual"])
	}
}

func TestValidate(t *testing.T) {
	spec, err := methods.Lookup("agm")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []map[string]any{
		{"alpha": -1.0}, {"pad": "noise"}, {"empty": "half"}, {"apply": "head"},
		{"modulation_starts": 5, "modulation_ends": 4},
	} {
		h, err := methods.Resolve(spec.Params, bad)
		if err != nil {
			t.Fatal(err)
		}
		if err := spec.CheckPlan(h, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat"}); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
	h, _ := methods.Resolve(spec.Params, nil)
	if err := spec.CheckPlan(h, methods.PlanInfo{Modalities: []string{"a"}, Fusion: "concat"}); err == nil {
		t.Error("one modality: accepted")
	}
}
