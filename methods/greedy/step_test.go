package greedy

import (
	"slices"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/gradcheck"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestStepGradients compares a whole Step's parameter gradients (the
// heads, the MMTM layer after the only stage, both cnn encoders) with
// central differences of its loss, outside a window (before the unlock)
// and inside one (modality 1 averaged).
func TestStepGradients(t *testing.T) {
	for _, caring := range []int{-1, 1} {
		g := &Greedy{Epsilon: 0.01, Window: 5, Ratio: 4, FirstStage: 0, SharedAverage: true}
		r, b, _ := methodtest.TwoModalityRun(t, "concat", "cnn", g.Setup)
		gradcheck.OffKinks(r)
		if _, err := g.Step(r, b); err != nil { // fills the running averages
			t.Fatal(err)
		}
		if caring >= 0 {
			g.win = window{Epsilon: 0.01, Size: 1 << 30, Unlocked: true, Curating: true, Caring: caring}
		}
		step := func() (float64, error) {
			s, err := g.Step(r, b)
			return s.Loss, err
		}
		errs, err := gradcheck.Step(r, step, 1e-2, 2e-2, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range errs {
			t.Errorf("averaged modality %d: %v", caring, e)
		}
	}
}

// TestFeaturesAreTheHeadsInputs checks that Features (what the linear
// probe reads) includes the MMTM scaling, differs from the encoders' own
// Forward, and is what Predict's heads see.
func TestFeaturesAreTheHeadsInputs(t *testing.T) {
	g := &Greedy{Epsilon: 0.01, Window: 5, Ratio: 4, FirstStage: 0, SharedAverage: true}
	r, b, _ := methodtest.TwoModalityRun(t, "concat", "cnn", g.Setup)
	z := g.Features(r, b)
	plain := methods.Encode(r, b, false)
	p, err := g.Predict(r, b)
	if err != nil {
		t.Fatal(err)
	}
	for m := range 2 {
		if slices.Equal(z[m].Data, plain[m].Data) {
			t.Errorf("modality %d: Features equal the encoder's Forward, want the MMTM scaling", m)
		}
		if want := g.heads[m].Forward(z[m], false); !slices.Equal(p.Modal[m].Data, want.Data) {
			t.Errorf("modality %d: Predict's head logits are not the head of Features", m)
		}
	}
}
