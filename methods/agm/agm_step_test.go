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
				m := methodtest.NewMethod(t, "agm", map[string]any{"apply": apply})
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
	m := methodtest.NewMethod(t, "agm", map[string]any{"pad": agm.PadFeature})
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
	m := methodtest.NewMethod(t, "agm", map[string]any{"modulation_starts": 1, "apply": agm.ApplyEncoder})
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

// TestValidate: what agm refuses before training.
func TestValidate(t *testing.T) {
	av := methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat"}
	methodtest.CheckPlanCases(t, "agm", []methodtest.PlanCase{
		{Params: map[string]any{"alpha": -1.0}, Plan: av},
		{Params: map[string]any{"pad": "noise"}, Plan: av},
		{Params: map[string]any{"empty": "half"}, Plan: av},
		{Params: map[string]any{"apply": "head"}, Plan: av},
		{Params: map[string]any{"modulation_starts": 5, "modulation_ends": 4}, Plan: av},
		{Plan: methods.PlanInfo{Modalities: []string{"a"}, Fusion: "concat"}},
	})
}

// TestScoresWithZeroInputs checks pad=input (released) on every fusion:
// a removed modality's features are its encoder's eval-mode output for a
// zero input, so phi_a = 0.5 (f(a,v) - f(0a,v) + f(a,0v)) with 0m = enc_m(0),
// f(a,v) the training forward's logits.
func TestScoresWithZeroInputs(t *testing.T) {
	for _, fusion := range []string{"concat", "sum", "film", "gated"} {
		for _, enc := range []string{"mlp", "cnn"} {
			// by hand on one copy: the training forward (which moves batch-norm
			// statistics), then the eval-mode zero encodings
			ref, b, _ := methodtest.TwoModalityRun(t, fusion, enc, methodtest.NewMethod(t, "agm", nil).Setup)
			md := ref.Model
			out := methods.Forward(ref, b, true)
			full, z := out.Logits, out.Z
			zero := make([]*nn.Tensor, 2)
			for i, e := range md.Encoders {
				zero[i] = e.Forward(nn.NewTensor(b.X[i].Shape...), false)
			}
			fa := md.Fusion.Forward([]*nn.Tensor{z[0], zero[1]}, false)
			fv := md.Fusion.Forward([]*nn.Tensor{zero[0], z[1]}, false)
			// the step on another
			m := methodtest.NewMethod(t, "agm", nil)
			r, b2, logs := methodtest.TwoModalityRun(t, fusion, enc, m.Setup)
			if _, err := m.Step(r, b2); err != nil {
				t.Fatal(err)
			}
			for i, own := range []*nn.Tensor{fa, fv} {
				other := []*nn.Tensor{fv, fa}[i]
				phi := make([]float64, len(full.Data))
				for j := range phi {
					phi[j] = 0.5 * (float64(full.Data[j]) - float64(other.Data[j]) + float64(own.Data[j]))
				}
				want := agm.Score(phi, b.Y, md.NumClasses)
				name := "score_" + md.Modalities[i]
				if !methodtest.Close(logs[name], want, 1e-5) {
					t.Errorf("%s/%s: %s = %v, want %v", fusion, enc, name, logs[name], want)
				}
			}
		}
	}
}
