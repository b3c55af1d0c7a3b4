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
			p.ModalSource[i] = SourceHead
		case partial != nil:
			p.Modal[i] = partial[i]
			p.ModalSource[i] = SourcePartial
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
// has a fusion head, fuses the features into logits: Encode then Fuse.
func Forward(r *Run, b *Batch, train bool) Output {
	out := Output{Z: Encode(r, b, train)}
	if r.Model.Fusion != nil {
		out.Logits = Fuse(r, out.Z, train)
	}
	return out
}

// Encode returns every modality's features [N, D_m] (nil for a modality
// without encoder). A method may drop, zero, mask or rescale them before
// Fuse.
func Encode(r *Run, b *Batch, train bool) []*nn.Tensor {
	z := make([]*nn.Tensor, len(r.Model.Modalities))
	for m, enc := range r.Model.Encoders {
		if enc != nil {
			z[m] = enc.Forward(b.X[m], train)
		}
	}
	return z
}

// Featurer is implemented by a method whose features are not the
// encoders' own outputs (greedy: cross-modal layers between encoder
// stages). Features returns every modality's features [N, D_m] for b in
// evaluation mode, changing no state.
type Featurer interface {
	Features(r *Run, b *Batch) []*nn.Tensor
}

// EvalFeatures returns the features the method's heads read, in
// evaluation mode: the method's Features where it is a Featurer, else
// Encode's. The run loop's linear probe reads them.
func EvalFeatures(meth Method, r *Run, b *Batch) []*nn.Tensor {
	if f, ok := meth.(Featurer); ok {
		return f.Features(r, b)
	}
	return Encode(r, b, false)
}

// Fuse maps features to fused logits with the model's fusion head, which
// must exist. A training Fuse caches what the next BackwardFusion needs.
func Fuse(r *Run, z []*nn.Tensor, train bool) *nn.Tensor {
	return r.Model.Fusion.Forward(z, train)
}

// Zeroed returns z with the features of every modality m with keep[m]
// false replaced by zeros of the same shape; z itself is not changed.
func Zeroed(z []*nn.Tensor, keep []bool) []*nn.Tensor {
	out := make([]*nn.Tensor, len(z))
	for m, t := range z {
		out[m] = t
		if !keep[m] && t != nil {
			out[m] = nn.NewTensor(t.Shape...)
		}
	}
	return out
}

// FuseSubset is the fused output for the modality subset keep, the other
// modalities' features set to zero: f(S) of AGM's Shapley terms, CML's
// reduced prediction, sample valuation's v(S). In evaluation mode (train
// false) it leaves every cache untouched.
func FuseSubset(r *Run, z []*nn.Tensor, keep []bool, train bool) *nn.Tensor {
	return Fuse(r, Zeroed(z, keep), train)
}

// BackwardFusion back-propagates dLogits through the fusion head (after a
// training Fuse) and returns dL/dz[m] per modality, accumulating the
// head's parameter gradients.
func BackwardFusion(r *Run, dLogits *nn.Tensor) []*nn.Tensor {
	return r.Model.Fusion.Backward(dLogits)
}

// BackwardEncoders back-propagates dz[m] into every modality's encoder
// that has one (after a training Encode), skipping nil entries.
func BackwardEncoders(r *Run, dz []*nn.Tensor) {
	for m, d := range dz {
		if d != nil && r.Model.Encoders[m] != nil {
			r.Model.Encoders[m].Backward(d)
		}
	}
}

// Backward back-propagates dLogits (if non-nil) through the fusion head and
// then every encoder; extra[m], when non-nil, is added to dL/dZ[m] first.
// Parameter gradients accumulate into Param.Grad.
func Backward(r *Run, out Output, dLogits *nn.Tensor, extra []*nn.Tensor) {
	md := r.Model
	dz := make([]*nn.Tensor, len(md.Modalities))
	if dLogits != nil && md.Fusion != nil {
		dz = BackwardFusion(r, dLogits)
	}
	for m := range dz {
		if extra != nil && extra[m] != nil {
			if dz[m] == nil {
				dz[m] = extra[m].Clone()
			} else {
				nn.Axpy(1, extra[m], dz[m])
			}
		}
	}
	BackwardEncoders(r, dz)
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

// GroupParams returns the model's parameters whose Param.Group is group
// ("enc/<modality>", "head", "head/<modality>", or a group given to
// Model.AddExtra), in Model.Params order: the unit of per-group gradient
// edits.
func GroupParams(r *Run, group string) []*nn.Param {
	var out []*nn.Param
	for _, p := range r.Model.Params() {
		if p.Group == group {
			out = append(out, p)
		}
	}
	return out
}

// EncoderParams returns modality m's encoder parameters.
func EncoderParams(r *Run, m int) []*nn.Param {
	if r.Model.Encoders[m] == nil {
		return nil
	}
	return r.Model.Encoders[m].Params()
}
