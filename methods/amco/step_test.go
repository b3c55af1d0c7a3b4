package amco

import (
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/gradcheck"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestStepGradient checks that AMCo's Step leaves in every parameter the
// gradient of the loss it reports (central differences, mlp encoders).
func TestStepGradient(t *testing.T) {
	for _, c := range []struct {
		name   string
		fusion string
		m      methods.Method
	}{
		{"concat", "concat", &AMCo{Sigma: 0.5, Eps: 0.3}},
		{"sum", "sum", &AMCo{Sigma: 0.5, Eps: 0.3}},
	} {
		meth := c.m
		r, b, _ := methodtest.TwoModalityRun(t, c.fusion, "mlp", meth.Setup)
		gradcheck.OffKinks(r)
		r.Epoch, r.Batch = 1, 1 // mask fraction 0.5
		step := func() (float64, error) {
			r.RNG = rand.New(rand.NewPCG(5, 6))
			meth.(*AMCo).dependent = []bool{true, false}
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
