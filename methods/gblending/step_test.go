package gblending

import (
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestStepGradient checks that G-Blending's Step leaves in every parameter the
// gradient of the loss it reports (central differences, mlp encoders).
func TestStepGradient(t *testing.T) {
	methodtest.StepGradient(t, []methodtest.StepGradientCase{
		{Name: "concat", Fusion: "concat", Method: &GBlending{SuperEpoch: 1}, Prepare: fixedWeights},
		{Name: "sum", Fusion: "sum", Method: &GBlending{SuperEpoch: 1}, Prepare: fixedWeights},
	})
}

// fixedWeights gives the step estimated weights (m0, m1, fused) and empty
// loss windows.
func fixedWeights(_ *methods.Run, m methods.Method) error {
	g := m.(*GBlending)
	g.weights = []float64{0.2, 0.5, 0.3}
	g.windows = make([]Window, 3)
	return nil
}
