package methods

import (
	"fmt"

	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// Base implements Method as plain joint training: cross-entropy on the fused
// output, one optimizer step per batch. Embed it in a method and override
// what the method changes.
type Base struct{}

// Setup implements Method; joint training adds nothing.
func (Base) Setup(r *Run) error {
	if r.Model.Fusion == nil {
		return fmt.Errorf("joint training needs a fusion head")
	}
	return nil
}

// StartEpoch implements Method.
func (Base) StartEpoch(*Run, int) error { return nil }

// EndEpoch implements Method.
func (Base) EndEpoch(*Run, int) error { return nil }

// Step implements Method: zero gradients, forward, CE on the fused logits,
// backward, optimizer step.
func (Base) Step(r *Run, b *Batch) (Stats, error) {
	r.Opt.ZeroGrad()
	out := Forward(r, b, true)
	loss, d := nn.SoftmaxCrossEntropy(out.Logits, b.Y)
	Backward(r, out, d, nil)
	r.Opt.Step()
	return Stats{Loss: loss}, nil
}

// Predict implements Method: the fused logits and, per modality, its own
// head's logits where the model has one, else the fusion head's partial
// logits where it has a decomposition.
func (Base) Predict(r *Run, b *Batch) (Prediction, error) {
	out := Forward(r, b, false)
	return PredictFrom(r, out), nil
}

// PredictFrom builds a Prediction from an evaluation-mode forward pass.
func PredictFrom(r *Run, out Output) Prediction {
	m := len(r.Model.Modalities)
	p := Prediction{Fused: out.Logits, Modal: make([]*nn.Tensor, m), ModalSource: make([]string, m)}
	var partial []*nn.Tensor
	if r.Model.Fusion != nil {
		partial = r.Model.Fusion.Partial(out.Z)
	}
	for i := range m {
		switch {
		case out.Z[i] == nil:
		case r.Model.Heads[i] != nil:
			p.Modal[i] = r.Model.Heads[i].Forward(out.Z[i], false)
			p.ModalSource[i] = "head"
		case partial != nil:
			p.Modal[i] = partial[i]
			p.ModalSource[i] = "partial"
		}
	}
	return p
}

// Output is a forward pass: per-modality features and fused logits.
type Output struct {
	Z      []*nn.Tensor // Z[m] is [N, D_m]; nil for a modality without encoder
	Logits *nn.Tensor   // fused logits [N, C]; nil without a fusion head
}

// Forward encodes every modality that has an encoder and, when the model
// has a fusion head, fuses the features into logits.
func Forward(r *Run, b *Batch, train bool) Output {
	md := r.Model
	out := Output{Z: make([]*nn.Tensor, len(md.Modalities))}
	for m, enc := range md.Encoders {
		if enc != nil {
			out.Z[m] = enc.Forward(b.X[m], train)
		}
	}
	if md.Fusion != nil {
		out.Logits = md.Fusion.Forward(out.Z, train)
	}
	return out
}

// Backward back-propagates dLogits (if non-nil) through the fusion head and
// then every encoder; extra[m], when non-nil, is added to dL/dZ[m] first.
// Parameter gradients accumulate into Param.Grad.
func Backward(r *Run, out Output, dLogits *nn.Tensor, extra []*nn.Tensor) {
	md := r.Model
	dz := make([]*nn.Tensor, len(md.Modalities))
	if dLogits != nil && md.Fusion != nil {
		dz = md.Fusion.Backward(dLogits)
	}
	for m := range dz {
		if extra != nil && extra[m] != nil {
			if dz[m] == nil {
				dz[m] = extra[m].Clone()
			} else {
				nn.Axpy(1, extra[m], dz[m])
			}
		}
		if dz[m] != nil && md.Encoders[m] != nil {
			md.Encoders[m].Backward(dz[m])
		}
	}
}

// NeedEncoders reports, prefixed by method, the first modality of md
// without an encoder.
func NeedEncoders(method string, md *model.Model) error {
	for m, enc := range md.Encoders {
		if enc == nil {
			return fmt.Errorf("%s: modality %q has no encoder", method, md.Modalities[m])
		}
	}
	return nil
}

// EncodeBackward runs modality m's encoder backward with dL/dz.
func EncodeBackward(r *Run, m int, dz *nn.Tensor) {
	r.Model.Encoders[m].Backward(dz)
}

// EncoderParams returns modality m's encoder parameters.
func EncoderParams(r *Run, m int) []*nn.Param {
	if r.Model.Encoders[m] == nil {
		return nil
	}
	return r.Model.Encoders[m].Params()
}
