// Package grads edits the gradients of a group of parameters (one
// encoder's, a head's, any selection of Param): copies that keep the
// gradients of several losses apart, flat float64 views for inner products
// and norms, and in-place scaling, zeroing and adding, so that a method can
// back-propagate each loss in turn and combine the results (MMPareto's
// per-encoder Pareto step, per-group modulation).
package grads

import (
	"fmt"
	"math"

	"github.com/miebench/miebench/nn"
)

// Set is a copy of a parameter group's gradients, one slice per parameter
// in the group's order.
type Set [][]float32

// Capture copies the current gradients of ps.
func Capture(ps []*nn.Param) Set {
	s := make(Set, len(ps))
	for i, p := range ps {
		s[i] = append([]float32(nil), p.Grad.Data...)
	}
	return s
}

// check reports whether s was captured from a group shaped like ps.
func (s Set) check(ps []*nn.Param) error {
	if len(s) != len(ps) {
		return fmt.Errorf("gradient set of %d tensors for %d parameters", len(s), len(ps))
	}
	for i, p := range ps {
		if len(s[i]) != len(p.Grad.Data) {
			return fmt.Errorf("gradient set: tensor %d has %d values, parameter %s has %d", i, len(s[i]), p.Name, len(p.Grad.Data))
		}
	}
	return nil
}

// Restore writes the copy back: the gradients of ps become s.
func (s Set) Restore(ps []*nn.Param) error {
	if err := s.check(ps); err != nil {
		return err
	}
	for i, p := range ps {
		copy(p.Grad.Data, s[i])
	}
	return nil
}

// AddTo adds k times the copy to the gradients of ps.
func (s Set) AddTo(ps []*nn.Param, k float64) error {
	if err := s.check(ps); err != nil {
		return err
	}
	for i, p := range ps {
		for j, v := range s[i] {
			p.Grad.Data[j] = float32(float64(p.Grad.Data[j]) + k*float64(v))
		}
	}
	return nil
}

// Flat returns the copy as one float64 vector (tensors in order).
func (s Set) Flat() []float64 {
	n := 0
	for _, g := range s {
		n += len(g)
	}
	out := make([]float64, 0, n)
	for _, g := range s {
		for _, v := range g {
			out = append(out, float64(v))
		}
	}
	return out
}

// Flatten returns the current gradients of ps as one float64 vector.
func Flatten(ps []*nn.Param) []float64 { return Capture(ps).Flat() }

// Unflatten writes a flat vector (as Flatten returns it) into the
// gradients of ps, rounding to float32.
func Unflatten(ps []*nn.Param, v []float64) error {
	n := 0
	for _, p := range ps {
		n += len(p.Grad.Data)
	}
	if len(v) != n {
		return fmt.Errorf("flat gradient of %d values for parameters holding %d", len(v), n)
	}
	off := 0
	for _, p := range ps {
		for j := range p.Grad.Data {
			p.Grad.Data[j] = float32(v[off+j])
		}
		off += len(p.Grad.Data)
	}
	return nil
}

// Zero sets the gradients of ps to zero.
func Zero(ps []*nn.Param) {
	for _, p := range ps {
		clear(p.Grad.Data)
	}
}

// Scale multiplies the gradients of ps by k.
func Scale(ps []*nn.Param, k float64) {
	for _, p := range ps {
		for j, v := range p.Grad.Data {
			p.Grad.Data[j] = float32(k * float64(v))
		}
	}
}

// Dot is the inner product of two flat gradients of equal length.
func Dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// Norm is the Euclidean norm of a flat gradient.
func Norm(a []float64) float64 { return math.Sqrt(Dot(a, a)) }
