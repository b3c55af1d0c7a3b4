package umt

import (
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/methods/gradcheck"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestStepGradient checks UMT's stage 2: after the teachers are frozen and
// the model reset, Step leaves in every parameter the gradient of CE plus
// the feature distillation it reports.
func TestStepGradient(t *testing.T) {
	u := &UMT{Lambda: 10, TeacherEpochs: 1}
	r, b, _ := methodtest.TwoModalityRun(t, "concat", "mlp", u.Setup)
	r.Loop = methodtest.LoopStub{}
	// Stand-in for stage 1: the encoders move away from their initial weights.
	rng := rand.New(rand.NewPCG(7, 8))
	for _, enc := range r.Model.Encoders {
		for _, p := range enc.Params() {
			for i := range p.Value.Data {
				p.Value.Data[i] += float32(0.3 * rng.NormFloat64())
			}
		}
	}
	r.Epoch = 1
	if err := u.StartEpoch(r, 1); err != nil {
		t.Fatal(err)
	}
	gradcheck.OffKinks(r)
	step := func() (float64, error) {
		s, err := u.Step(r, b)
		return s.Loss, err
	}
	errs, err := gradcheck.Step(r, step, 1e-2, 2e-2, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Error(e)
	}
}
