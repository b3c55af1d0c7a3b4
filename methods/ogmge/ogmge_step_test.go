package ogmge

import (
	"github.com/miebench/miebench/methods/methodtest"
	"github.com/miebench/miebench/methods/scores"
	"math"
	"strings"
	"testing"

	"github.com/miebench/miebench/methods"
)

func TestOGMStepScalesOnlyEncoderWeights(t *testing.T) {
	for _, fusion := range []string{"concat", "sum", "film", "gated"} {
		o := &OGMGE{Alpha: 0.8, End: 50}
		r, b, logs := methodtest.TwoModalityRun(t, fusion, "mlp", o.Setup)
		if _, err := (methods.Base{}).Step(r, b); err != nil {
			t.Fatal(err)
		}
		joint := methodtest.Grads(r)
		if _, err := o.Step(r, b); err != nil {
			t.Fatal(err)
		}
		got := methodtest.Grads(r)
		k := []float64{logs["k_audio"], logs["k_visual"]}
		if k[0] != 1 && k[1] != 1 {
			t.Fatalf("%s: both coefficients below 1: %v", fusion, k)
		}
		if math.Min(k[0], k[1]) >= 1 {
			t.Fatalf("%s: no modality modulated: %v", fusion, k)
		}
		for _, p := range r.Model.Params() {
			want := joint[p.Name]
			scale := 1.0
			switch {
			case strings.HasPrefix(p.Name, "head.") && strings.HasSuffix(p.Name, "probe.weight"),
				strings.HasPrefix(p.Name, "head.") && strings.HasSuffix(p.Name, "probe.bias"):
				continue // probe heads: joint training has none to compare with
			case strings.HasPrefix(p.Name, "enc.") && len(p.Grad.Shape) == 2:
				scale = k[methodtest.VisualIndex(p.Name)]
			}
			for i := range want {
				if math.Abs(float64(got[p.Name][i])-scale*float64(want[i])) > 1e-6 {
					t.Fatalf("%s: %s[%d] = %v, want %v * %v", fusion, p.Name, i, got[p.Name][i], scale, want[i])
				}
			}
		}
		if fusion == "film" || fusion == "gated" {
			if r.Model.Heads[0] == nil || r.Model.Heads[1] == nil {
				t.Fatalf("%s: no probe heads installed", fusion)
			}
			var norm float64
			for _, p := range r.Model.Heads[1].Params() {
				for _, v := range p.Grad.Data {
					norm += float64(v * v)
				}
			}
			if norm == 0 {
				t.Fatalf("%s: probe head got no gradient", fusion)
			}
		}
	}
}

func TestOGMStepScoresFromPartialLogits(t *testing.T) {
	o := &OGMGE{Alpha: 0.8, End: 50}
	r, b, logs := methodtest.TwoModalityRun(t, "concat", "mlp", o.Setup)
	out := methods.Forward(r, b, false)
	part := r.Model.Fusion.Partial(out.Z)
	sa, sv := scores.TrueClassMass(part[0], b.Y), scores.TrueClassMass(part[1], b.Y)
	if _, err := o.Step(r, b); err != nil {
		t.Fatal(err)
	}
	if math.Abs(logs["score_audio"]-sa/6) > 1e-9 || math.Abs(logs["score_visual"]-sv/6) > 1e-9 {
		t.Fatalf("logged scores %v, %v; want %v, %v", logs["score_audio"], logs["score_visual"], sa/6, sv/6)
	}
	// Hand rule: the stronger modality gets 1 - tanh(0.8 * ratio).
	wantK := []float64{1, 1}
	if sv/sa > 1 {
		wantK[1] = 1 - math.Tanh(0.8*sv/sa)
	} else {
		wantK[0] = 1 - math.Tanh(0.8*sa/sv)
	}
	if math.Abs(logs["k_audio"]-wantK[0]) > 1e-9 || math.Abs(logs["k_visual"]-wantK[1]) > 1e-9 {
		t.Fatalf("k = %v, %v; want %v", logs["k_audio"], logs["k_visual"], wantK)
	}
}

func TestOGMStepOutsideWindowIsJoint(t *testing.T) {
	o := &OGMGE{Alpha: 0.8, Start: 2, End: 5, GE: true}
	r, b, logs := methodtest.TwoModalityRun(t, "concat", "mlp", o.Setup)
	for _, epoch := range []int{1, 6} {
		r.Epoch = epoch
		if _, err := (methods.Base{}).Step(r, b); err != nil {
			t.Fatal(err)
		}
		joint := methodtest.Grads(r)
		if _, err := o.Step(r, b); err != nil {
			t.Fatal(err)
		}
		for name, g := range methodtest.Grads(r) {
			for i := range g {
				if g[i] != joint[name][i] {
					t.Fatalf("epoch %d outside the window: %s changed", epoch, name)
				}
			}
		}
		if logs["k_audio"] != 1 || logs["k_visual"] != 1 {
			t.Fatalf("epoch %d: logged k %v %v, want 1 outside the window", epoch, logs["k_audio"], logs["k_visual"])
		}
	}
}

func TestOGMGEStepAddsNoiseToBothEncodersOnly(t *testing.T) {
	o := &OGMGE{Alpha: 0.8, End: 50, GE: true}
	r, b, _ := methodtest.TwoModalityRun(t, "sum", "mlp", o.Setup)
	if _, err := (methods.Base{}).Step(r, b); err != nil {
		t.Fatal(err)
	}
	joint := methodtest.Grads(r)
	if _, err := o.Step(r, b); err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Model.Params() {
		same := true
		for i, v := range p.Grad.Data {
			if v != joint[p.Name][i] {
				same = false
			}
		}
		touched := strings.HasPrefix(p.Name, "enc.") && len(p.Grad.Shape) == 2
		if touched == same {
			t.Errorf("%s: changed = %v, want %v (only encoder weights, both modalities, get noise)", p.Name, !same, touched)
		}
	}
}

func TestOGMStepOnCNNTouchesOnlyConvWeights(t *testing.T) {
	o := &OGMGE{Alpha: 0.8, End: 50}
	r, b, logs := methodtest.TwoModalityRun(t, "concat", "cnn", o.Setup)
	if _, err := (methods.Base{}).Step(r, b); err != nil {
		t.Fatal(err)
	}
	joint := methodtest.Grads(r)
	if _, err := o.Step(r, b); err != nil {
		t.Fatal(err)
	}
	k := []float64{logs["k_audio"], logs["k_visual"]}
	scaled := 0
	for _, p := range r.Model.Params() {
		scale := 1.0
		if len(p.Grad.Shape) == 4 {
			scale = k[methodtest.VisualIndex(p.Name)]
			scaled++
		}
		for i, v := range p.Grad.Data {
			if math.Abs(float64(v)-scale*float64(joint[p.Name][i])) > 1e-6 {
				t.Fatalf("%s[%d] = %v, want %v * %v (only 4-D conv weights are modulated; batch norm, the encoder's linear layer and the head are not)", p.Name, i, v, scale, joint[p.Name][i])
			}
		}
	}
	if scaled != 2 || math.Min(k[0], k[1]) >= 1 {
		t.Fatalf("%d conv weights, k = %v; want 2 conv weights and one k below 1", scaled, k)
	}
}
