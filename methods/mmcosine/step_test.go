package mmcosine

import (
	"testing"

	"github.com/miebench/miebench/methods/methodtest"
)

// TestStepGradient checks that MMCosine's Step leaves in every parameter the
// gradient of the loss it reports (central differences, mlp encoders).
func TestStepGradient(t *testing.T) {
	methodtest.StepGradient(t, []methodtest.StepGradientCase{
		{Name: "concat", Fusion: "concat", Method: &MMCosine{Scale: 10}},
	})
}
