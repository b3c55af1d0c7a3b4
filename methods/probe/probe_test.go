package probe_test

import (
	"strings"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/methodtest"
	"github.com/miebench/miebench/methods/probe"
)

func TestScorer(t *testing.T) {
	for _, c := range []struct {
		fusion string
		probes bool
	}{{"concat", false}, {"sum", false}, {"film", true}, {"gated", true}} {
		var s *probe.Scorer
		r, b, _ := methodtest.TwoModalityRun(t, c.fusion, "mlp", func(r *methods.Run) error {
			var err error
			s, err = probe.NewScorer("m", r)
			return err
		})
		if s.Probes() != c.probes {
			t.Fatalf("%s: Probes() = %v, want %v", c.fusion, s.Probes(), c.probes)
		}
		for m, h := range r.Model.Heads {
			if (h != nil) != c.probes {
				t.Errorf("%s: modality %d head installed = %v, want %v", c.fusion, m, h != nil, c.probes)
			}
			if h != nil && !strings.HasSuffix(h.Params()[0].Name, ".probe.weight") {
				t.Errorf("%s: probe parameter %s, want head.<modality>.probe.weight", c.fusion, h.Params()[0].Name)
			}
		}
		r.Opt.ZeroGrad()
		out := methods.Forward(r, b, true)
		logits := s.Logits(r, out, b.Y)
		for m, l := range logits {
			if l.Rows() != b.Len() || l.RowLen() != r.Model.NumClasses {
				t.Errorf("%s: modality %d logits %v, want [%d, %d]", c.fusion, m, l.Shape, b.Len(), r.Model.NumClasses)
			}
		}
		// Probes train themselves only: no gradient reaches an encoder.
		for m := range r.Model.Modalities {
			for _, p := range methods.EncoderParams(r, m) {
				for _, g := range p.Grad.Data {
					if g != 0 {
						t.Fatalf("%s: encoder parameter %s has a gradient after Logits", c.fusion, p.Name)
					}
				}
			}
		}
	}
}

func TestScorerNeedsAFusionHead(t *testing.T) {
	r, _, _ := methodtest.TwoModalityRun(t, "concat", "mlp", nil)
	r.Model.Fusion = nil
	if _, err := probe.NewScorer("m", r); err == nil || !strings.HasPrefix(err.Error(), "m: ") {
		t.Errorf("NewScorer without a fusion head: %v, want an error naming the method", err)
	}
}
