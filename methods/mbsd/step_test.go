package mbsd

import (
	"testing"

	"github.com/miebench/miebench/methods/methodtest"
)

// TestStepGradient checks that MBSD's Step leaves in every parameter the
// gradient of the loss it reports (central differences, mlp encoders). The
// detached variant is by design not that gradient (its rule test checks
// it).
func TestStepGradient(t *testing.T) {
	methodtest.StepGradient(t, []methodtest.StepGradientCase{
		{Name: "released concat", Fusion: "concat", Method: &MBSD{}},
		{Name: "released sum", Fusion: "sum", Method: &MBSD{}},
	})
}
