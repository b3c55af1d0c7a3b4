package amco

import (
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestStepGradient checks that AMCo's Step leaves in every parameter the
// gradient of the loss it reports (central differences, mlp encoders).
func TestStepGradient(t *testing.T) {
	methodtest.StepGradient(t, []methodtest.StepGradientCase{
		{Name: "concat", Fusion: "concat", Method: &AMCo{Sigma: 0.5, Eps: 0.3}, Prepare: halfMasked, BeforeStep: sameDraws},
		{Name: "sum", Fusion: "sum", Method: &AMCo{Sigma: 0.5, Eps: 0.3}, Prepare: halfMasked, BeforeStep: sameDraws},
	})
}

// halfMasked puts the run at epoch 1, batch 1: mask fraction 0.5.
func halfMasked(r *methods.Run, _ methods.Method) error {
	r.Epoch, r.Batch = 1, 1
	return nil
}

// sameDraws makes every step draw the same masks with modality m0
// dependent.
func sameDraws(r *methods.Run, m methods.Method) {
	r.RNG = rand.New(rand.NewPCG(5, 6))
	m.(*AMCo).dependent = []bool{true, false}
}
