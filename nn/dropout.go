package nn

import (
	"fmt"
	"math/rand/v2"
)

// Dropout zeroes each element with probability P during training and scales
// the survivors by 1/(1-P) (inverted dropout, as PyTorch); in evaluation it
// is the identity. The mask is drawn from the layer's own seeded stream.
type Dropout struct {
	P     float64
	rng   *rand.Rand
	mask  []float32
	y, dx *Tensor
	shape []int
}

// NewDropout returns a dropout layer with drop probability p in [0, 1).
func NewDropout(p float64, rng *rand.Rand) Layer {
	if p < 0 || p >= 1 {
		panic(fmt.Sprintf("nn: Dropout probability %g is outside [0, 1)", p))
	}
	return &Dropout{P: p, rng: rng}
}

// Forward applies a fresh mask in training mode.
func (d *Dropout) Forward(x *Tensor, train bool) *Tensor {
	if !train {
		return x
	}
	d.shape = append(d.shape[:0], x.Shape...)
	if cap(d.mask) < len(x.Data) {
		d.mask = make([]float32, len(x.Data))
	}
	d.mask = d.mask[:len(x.Data)]
	keep := float32(1 / (1 - d.P))
	y := ensure(&d.y, false, x.Shape...)
	for i, v := range x.Data {
		m := keep
		if d.P > 0 && d.rng.Float64() < d.P {
			m = 0
		}
		d.mask[i] = m
		y.Data[i] = v * m
	}
	return y
}

// Backward applies the same mask to the gradient.
func (d *Dropout) Backward(dy *Tensor) *Tensor {
	if d.shape == nil || len(dy.Data) != len(d.mask) {
		panic(fmt.Sprintf("nn: Dropout: gradient shape %v does not match the last training input %v", dy.Shape, d.shape))
	}
	dx := ensure(&d.dx, false, d.shape...)
	for i, v := range dy.Data {
		dx.Data[i] = v * d.mask[i]
	}
	return dx
}

// Params returns nil.
func (d *Dropout) Params() []*Param { return nil }

// Buffers returns nil.
func (d *Dropout) Buffers() []*Buffer { return nil }
