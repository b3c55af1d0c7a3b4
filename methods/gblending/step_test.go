package gblending

import (
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/gradcheck"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestStepGradient checks that G-Blending's Step leaves in every parameter the
// gradient of the loss it reports (central differences, mlp encoders).
func TestStepGradient(t *testing.T) {
	for _, c := range []struct {
		name   string
		fusion string
		m      methods.Method
	}{
		{"concat", "concat", &GBlending{SuperEpoch: 1}},
		{"sum", "sum", &GBlending{SuperEpoch: 1}},
	} {
		meth := c.m
		r, b, _ := methodtest.TwoModalityRun(t, c.fusion, "mlp", meth.Setup)
		gradcheck.OffKinks(r)
		g := meth.(*GBlending)
		g.weights = []float64{0.2, 0.5, 0.3}
		g.windows = make([]Window, 3)
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
