package lfm

import (
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/gradcheck"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestStepGradient checks that LFM's Step leaves in every parameter the
// gradient of the loss it reports (central differences, mlp encoders).
func TestStepGradient(t *testing.T) {
	for _, c := range []struct {
		name   string
		fusion string
		m      methods.Method
	}{
		{"released", "concat", &LFM{}},
		{"paper JS on sum", "sum", &LFM{PaperJS: true, CEOnSum: true}},
	} {
		meth := c.m
		r, b, _ := methodtest.TwoModalityRun(t, c.fusion, "mlp", meth.Setup)
		gradcheck.OffKinks(r)
		if err := meth.StartEpoch(r, 3); err != nil {
			t.Fatal(err)
		}
		step := func() (float64, error) {

			s, err := meth.Step(r, b)
			return s.Loss, err
		}
		errs, err := gradcheck.Step(r, step, 1e-2, 2e-2, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range errs {
			t.Errorf("%s: %v", c.name, e)
		}
	}
}
