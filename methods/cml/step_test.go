package cml

import (
	"testing"

	"github.com/miebench/miebench/methods/methodtest"
)

// TestStepGradient checks that CML's Step leaves in every parameter the
// gradient of the loss it reports (central differences, mlp encoders).
func TestStepGradient(t *testing.T) {
	methodtest.StepGradient(t, []methodtest.StepGradientCase{
		{Name: "released", Fusion: "concat", Method: &CML{Lambda: 0.5}},
		{Name: "per-sample hinge", Fusion: "gated", Method: &CML{Lambda: 0.5, PerSample: true}},
	})
}
