package mie

import (
	"math/rand/v2"

	"github.com/miebench/miebench/nn"
)

// mieHead is MIE's per-modality classifier FC(D -> 256) -> ReLU ->
// FC(256 -> 64) -> FC(64 -> C), with Xavier-normal weights and zero biases.
// It implements nn.Layer.
type mieHead struct {
	fc   [mieLayers]*nn.Linear
	relu nn.Layer
}

// Hidden widths and linear-layer count of MIE's head, as released.
const (
	mieLayers  = 3
	mieHidden1 = 256
	mieHidden2 = 64
)

// newMIEHead builds a head for modality name with input width in and c
// classes; parameters are named "head.<name>.fc{1,2,3}.{weight,bias}" in
// group "head/<name>".
func newMIEHead(name string, in, c int, rng *rand.Rand) *mieHead {
	prefix := "head." + name + "."
	h := &mieHead{
		fc: [mieLayers]*nn.Linear{
			nn.NewLinear(prefix+"fc1", in, mieHidden1, rng),
			nn.NewLinear(prefix+"fc2", mieHidden1, mieHidden2, rng),
			nn.NewLinear(prefix+"fc3", mieHidden2, c, rng),
		},
		relu: nn.NewReLU(),
	}
	for _, p := range h.Params() {
		p.Group = "head/" + name
	}
	return h
}

// Forward maps features [N, in] to logits [N, C].
func (h *mieHead) Forward(x *nn.Tensor, train bool) *nn.Tensor {
	a := h.relu.Forward(h.fc[0].Forward(x, train), train)
	return h.fc[2].Forward(h.fc[1].Forward(a, train), train)
}

// forwardInputs is an evaluation-mode forward that also returns the input
// of each linear layer (for the gradient-modification statistics).
func (h *mieHead) forwardInputs(x *nn.Tensor) (logits *nn.Tensor, inputs [mieLayers]*nn.Tensor) {
	inputs[0] = x
	inputs[1] = h.relu.Forward(h.fc[0].Forward(x, false), false)
	inputs[2] = h.fc[1].Forward(inputs[1], false)
	return h.fc[2].Forward(inputs[2], false), inputs
}

// Backward takes dL/dlogits and returns dL/dx, accumulating gradients.
func (h *mieHead) Backward(dy *nn.Tensor) *nn.Tensor {
	d := h.fc[1].Backward(h.fc[2].Backward(dy))
	return h.fc[0].Backward(h.relu.Backward(d))
}

// Params returns the three layers' weights and biases.
func (h *mieHead) Params() []*nn.Param {
	var ps []*nn.Param
	for _, l := range h.fc {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Buffers returns nil: the head has no buffers.
func (h *mieHead) Buffers() []*nn.Buffer { return nil }
