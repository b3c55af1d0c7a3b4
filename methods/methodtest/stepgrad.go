package methodtest

import (
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/gradcheck"
)

// StepGradientCase is one gradient check of a method's Step: see
// StepGradient.
type StepGradientCase struct {
	// Name names the case in the errors.
	Name string
	// Fusion is the fusion head of the run.
	Fusion string
	// Method is the method under test; its Setup prepares the run.
	Method methods.Method
	// Prepare, when not nil, runs once after the parameters are moved off
	// kinks: the epoch, batch or method state the step is checked in.
	Prepare func(r *methods.Run, m methods.Method) error
	// BeforeStep, when not nil, runs before every Step, those of the
	// central differences included, to restore state a step consumes
	// (a random stream, per-batch decisions).
	BeforeStep func(r *methods.Run, m methods.Method)
}

// StepGradient checks, for every case, that the method's Step leaves in
// every parameter the gradient of the loss it reports: on a
// TwoModalityRun with mlp encoders, the case's fusion head and the
// method's Setup, with the encoder biases moved off kinks
// (gradcheck.OffKinks), against central differences with step 1e-2 and
// tolerance 2e-2 on the first 3 entries of every parameter.
func StepGradient(t *testing.T, cases []StepGradientCase) {
	t.Helper()
	for _, c := range cases {
		meth := c.Method
		r, b, _ := TwoModalityRun(t, c.Fusion, "mlp", meth.Setup)
		gradcheck.OffKinks(r)
		if c.Prepare != nil {
			if err := c.Prepare(r, meth); err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
		}
		step := func() (float64, error) {
			if c.BeforeStep != nil {
				c.BeforeStep(r, meth)
			}
			s, err := meth.Step(r, b)
			return s.Loss, err
		}
		errs, err := gradcheck.Step(r, step, 1e-2, 2e-2, 3)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		for _, e := range errs {
			t.Errorf("%s: %v", c.Name, e)
		}
	}
}
