package lfm

import (
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestStepGradient checks that LFM's Step leaves in every parameter the
// gradient of the loss it reports (central differences, mlp encoders).
func TestStepGradient(t *testing.T) {
	methodtest.StepGradient(t, []methodtest.StepGradientCase{
		{Name: "released", Fusion: "concat", Method: &LFM{}, Prepare: startEpoch3},
		{Name: "paper JS on sum", Fusion: "sum", Method: &LFM{PaperJS: true, CEOnSum: true}, Prepare: startEpoch3},
	})
}

// startEpoch3 starts the schedule's epoch 3, whose weights the step uses.
func startEpoch3(r *methods.Run, m methods.Method) error { return m.StartEpoch(r, 3) }
