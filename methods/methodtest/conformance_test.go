package methodtest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/methodtest"
	"github.com/miebench/miebench/nn"
)

// broken is joint training with one deliberate defect.
type broken struct {
	methods.Base
	defect string
}

// steps counts Step calls across runs: the nondeterministic defect.
var steps int

func (b *broken) Setup(r *methods.Run) error {
	if b.defect == "setup-uses-optimizer" {
		r.Opt.ZeroGrad()
	}
	return b.Base.Setup(r)
}

func (b *broken) Step(r *methods.Run, batch *methods.Batch) (methods.Stats, error) {
	steps++
	switch b.defect {
	case "logs-nan":
		r.Log("ratio", 0/func() float64 { return 0 }())
	case "state-outside-the-run":
		// The learning signal depends on how many steps this process ran
		// before: a second run with the same seed differs.
		r.Opt.ZeroGrad()
		out := methods.Forward(r, batch, true)
		loss, d := nn.SoftmaxCrossEntropy(out.Logits, batch.Y)
		nn.Scale(float32(1+steps), d)
		methods.Backward(r, out, d, nil)
		r.Opt.Step()
		return methods.Stats{Loss: loss}, nil
	}
	return b.Base.Step(r, batch)
}

func (b *broken) Predict(r *methods.Run, batch *methods.Batch) (methods.Prediction, error) {
	p, err := b.Base.Predict(r, batch)
	switch b.defect {
	case "predict-changes-parameters":
		r.Model.Params()[0].Value.Data[0] += 1e-3
	case "predict-changes-inputs":
		batch.X[0].Data[0]++
	case "modal-without-source":
		p.ModalSource[0] = ""
	case "fused-wrong-shape":
		p.Fused = nn.NewTensor(batch.Len(), p.Fused.RowLen()+1)
	}
	return p, err
}

// TestConformanceCatchesBrokenMethods registers joint training with one
// defect each and checks that the suite reports exactly that defect.
func TestConformanceCatchesBrokenMethods(t *testing.T) {
	cases := []struct {
		defect   string
		validate func(methods.Hyper, methods.PlanInfo) error
		want     string
	}{
		{"none", nil, ""},
		{"setup-uses-optimizer", nil, "Setup used the optimizer (ZeroGrad)"},
		{"logs-nan", nil, "logged non-finite values: ratio=NaN"},
		{"state-outside-the-run", nil, "two runs with seed 3 differ"},
		{"predict-changes-parameters", nil, "Predict changed parameter enc.m0.fc0.weight"},
		{"predict-changes-inputs", nil, "Predict changed the inputs of modality 0"},
		{"modal-without-source", nil, `modality 0's output has source ""`},
		{"fused-wrong-shape", nil, "fused scores [6 4], want [6, 3]"},
		{"vague-refusal", func(methods.Hyper, methods.PlanInfo) error { return errors.New("no") }, "plan refused with an unclear error"},
	}
	for _, c := range cases {
		name := "t-broken-" + c.defect
		methods.Register(methods.Spec{Name: name, Validate: c.validate,
			New: func(methods.Hyper) (methods.Method, error) { return &broken{defect: c.defect}, nil }})
		errs := methodtest.Check(name, nil)
		if c.want == "" {
			for _, err := range errs {
				t.Errorf("%s: %v; want no violation", name, err)
			}
			continue
		}
		found := false
		for _, err := range errs {
			found = found || strings.Contains(err.Error(), c.want)
		}
		if !found {
			t.Errorf("%s: violations %v; want one saying %q", name, errs, c.want)
		}
	}
}
