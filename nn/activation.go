package nn

import (
	"fmt"
	"math"
)

// elementwise is the common part of the pointwise activations: it keeps the
// training output (from which each activation's derivative follows) and
// reuses its buffers.
type elementwise struct {
	name  string
	y, dx *Tensor
	ok    bool
	mode  inPlace
	// dxSlot, when set, is where dx lives (an encoder sharing gradient
	// storage between layers).
	dxSlot *gradSlot
}

// inPlace says which passes of a layer may overwrite their argument instead
// of writing a buffer of their own. Composite layers (the encoders, the
// residual block) set it on inner layers whose argument is an intermediate
// result nobody else reads, which halves their activation memory; layers
// made by the exported constructors never overwrite their arguments.
type inPlace struct {
	forward, backward bool
}

func (e *elementwise) out(x *Tensor, train bool) *Tensor {
	if train && e.dxSlot != nil && !e.mode.backward {
		e.dxSlot.reserve(len(x.Data))
	}
	if e.mode.forward {
		if train {
			e.y, e.ok = x, true
		}
		return x
	}
	y := output(&e.y, train, false, x.Shape...)
	if train {
		e.ok = true
	}
	return y
}

func (e *elementwise) grad(dy *Tensor) *Tensor {
	if !e.ok {
		panic(fmt.Sprintf("nn: %s: Backward without a training Forward", e.name))
	}
	if len(dy.Data) != len(e.y.Data) {
		panic(fmt.Sprintf("nn: %s: gradient shape %v, output shape %v", e.name, dy.Shape, e.y.Shape))
	}
	if e.mode.backward {
		return dy
	}
	return gradBuffer(&e.dx, e.dxSlot, false, e.y.Shape...)
}

// newInPlaceReLU returns a ReLU whose passes overwrite their argument as
// mode says.
func newInPlaceReLU(mode inPlace) *ReLU {
	return &ReLU{elementwise{name: "ReLU", mode: mode}}
}

// Params returns nil: activations have no parameters.
func (e *elementwise) Params() []*Param { return nil }

// Buffers returns nil: activations have no buffers.
func (e *elementwise) Buffers() []*Buffer { return nil }

// ReLU is max(x, 0) elementwise; its derivative at 0 is taken as 0.
type ReLU struct{ elementwise }

// NewReLU returns a ReLU layer.
func NewReLU() Layer { return &ReLU{elementwise{name: "ReLU"}} }

// Forward computes max(x, 0).
func (r *ReLU) Forward(x *Tensor, train bool) *Tensor {
	y := r.out(x, train)
	parallelFor(len(x.Data), 1, func(lo, hi int) { relu(y.Data[lo:hi], x.Data[lo:hi]) })
	return y
}

// Backward passes dy where the output was positive.
func (r *ReLU) Backward(dy *Tensor) *Tensor {
	dx := r.grad(dy)
	parallelFor(len(dx.Data), 1, func(lo, hi int) {
		reluMask(dx.Data[lo:hi], dy.Data[lo:hi], r.y.Data[lo:hi])
	})
	return dx
}

// Sigmoid is 1/(1+e^-x) elementwise.
type Sigmoid struct{ elementwise }

// NewSigmoid returns a Sigmoid layer.
func NewSigmoid() Layer { return &Sigmoid{elementwise{name: "Sigmoid"}} }

// Forward computes the logistic function.
func (s *Sigmoid) Forward(x *Tensor, train bool) *Tensor {
	y := s.out(x, train)
	for i, v := range x.Data {
		y.Data[i] = float32(sigmoid(float64(v)))
	}
	return y
}

// sigmoid is the logistic function, computed without overflow for either sign.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Backward multiplies dy by y(1-y).
func (s *Sigmoid) Backward(dy *Tensor) *Tensor {
	dx := s.grad(dy)
	for i, y := range s.y.Data {
		dx.Data[i] = dy.Data[i] * y * (1 - y)
	}
	return dx
}

// Tanh is the hyperbolic tangent elementwise.
type Tanh struct{ elementwise }

// NewTanh returns a Tanh layer.
func NewTanh() Layer { return &Tanh{elementwise{name: "Tanh"}} }

// Forward computes tanh(x).
func (t *Tanh) Forward(x *Tensor, train bool) *Tensor {
	y := t.out(x, train)
	for i, v := range x.Data {
		y.Data[i] = float32(math.Tanh(float64(v)))
	}
	return y
}

// Backward multiplies dy by 1-y².
func (t *Tanh) Backward(dy *Tensor) *Tensor {
	dx := t.grad(dy)
	for i, y := range t.y.Data {
		dx.Data[i] = dy.Data[i] * (1 - y*y)
	}
	return dx
}

// reluMask sets dst[i] = src[i] where y[i] > 0 and 0 elsewhere, without
// branches (the signs of activations are unpredictable): for y >= +0 the
// float bits read as a non-negative int32, positive exactly when y > 0, and
// ReLU outputs are never -0 or NaN-signed negatives.
func reluMask(dst, src, y []float32) {
	src = src[:len(y)]
	dst = dst[:len(y)]
	for i, v := range y {
		b := int32(math.Float32bits(v))
		mask := uint32(-b >> 31) // all ones when b > 0
		dst[i] = math.Float32frombits(math.Float32bits(src[i]) & mask)
	}
}

// relu sets dst[i] = max(x[i], 0) by clearing every value whose sign bit is
// set (negative numbers and -0 become +0), selecting without branches. NaN
// passes through whatever its sign, as with max, so that a diverging run
// still shows NaN in its loss.
func relu(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = reluValue(v)
	}
}

// reluValue is relu for one value.
func reluValue(v float32) float32 {
	b := math.Float32bits(v)
	keep := ^uint32(int32(b) >> 31) // all ones when the sign bit is clear
	if b&0x7fffffff > 0x7f800000 {  // NaN
		keep = ^uint32(0)
	}
	return math.Float32frombits(b & keep)
}
