package nn

import (
	"fmt"
	"math/rand/v2"
)

// prefixed joins an encoder's name and a sub-layer's name with a dot; an
// empty prefix adds nothing.
func prefixed(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// MLPEncoder is a stack of Linear+ReLU layers whose last ReLU output is the
// feature. Its Linear layers are named fc0, fc1, ... after the prefix.
type MLPEncoder struct {
	Net     *Sequential
	Linears []*Linear
	in, out int
	shape   []int
}

// NewMLPEncoder returns an MLP from in inputs through the hidden widths to
// out ReLU features. Inputs [N, ...] are flattened per sample and must have
// in elements per sample.
func NewMLPEncoder(name string, in int, hidden []int, out int, rng *rand.Rand) Encoder {
	e := &MLPEncoder{Net: NewSequential(), in: in, out: out}
	widths := append(append([]int{in}, hidden...), out)
	for i := 1; i < len(widths); i++ {
		l := NewLinear(prefixed(name, fmt.Sprintf("fc%d", i-1)), widths[i-1], widths[i], rng)
		e.Linears = append(e.Linears, l)
		e.Net.Layers = append(e.Net.Layers, l, NewReLU())
	}
	return e
}

// Forward maps [N, ...] to [N, out].
func (e *MLPEncoder) Forward(x *Tensor, train bool) *Tensor {
	if x.RowLen() != e.in {
		panic(fmt.Sprintf("nn: MLP encoder %s expects %d inputs per sample, got shape %v", e.Linears[0].W.Name, e.in, x.Shape))
	}
	if train {
		e.shape = append(e.shape[:0], x.Shape...)
	}
	return e.Net.Forward(x.Reshape(x.Rows(), e.in), train)
}

// Backward returns the gradient with respect to the input, shaped like it
// (nil after DropInputGrad).
func (e *MLPEncoder) Backward(dy *Tensor) *Tensor {
	dx := e.Net.Backward(dy)
	if dx == nil {
		return nil
	}
	return dx.Reshape(e.shape...)
}

// DropInputGrad stops Backward computing the input gradient (the first
// Linear's dx).
func (e *MLPEncoder) DropInputGrad() { e.Linears[0].NoInputGrad = true }

// Params returns the weights and biases in layer order.
func (e *MLPEncoder) Params() []*Param { return e.Net.Params() }

// Buffers returns nil.
func (e *MLPEncoder) Buffers() []*Buffer { return nil }

// OutDim is the feature width.
func (e *MLPEncoder) OutDim() int { return e.out }
