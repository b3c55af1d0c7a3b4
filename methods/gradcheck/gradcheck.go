// Package gradcheck compares the parameter gradients a method's Step
// leaves behind with central differences of the loss it reports, for
// tests of methods whose loss combines several terms (the fused output,
// partial logits, zeroed inputs, distillation terms).
package gradcheck

import (
	"fmt"
	"math"

	"github.com/miebench/miebench/methods"
)

// Step checks, on a run whose optimizer has learning rate 0 (so that Step
// leaves the parameters unchanged, as methodtest.TwoModalityRun builds
// it), that after step() every parameter's gradient matches the central
// difference (L(theta + h) - L(theta - h)) / 2h of the loss step()
// reports, for the first perIndex entries of every parameter tensor. step
// must be deterministic given the parameters (reset any random stream it
// uses). It returns one error per mismatch, naming the entry.
func Step(r *methods.Run, step func() (float64, error), h, tol float64, perIndex int) ([]error, error) {
	if _, err := step(); err != nil {
		return nil, err
	}
	ps := r.Model.Params()
	analytic := make([][]float32, len(ps))
	for i, p := range ps {
		analytic[i] = append([]float32(nil), p.Grad.Data...)
	}
	var errs []error
	for i, p := range ps {
		for j := range min(perIndex, len(p.Value.Data)) {
			old := p.Value.Data[j]
			p.Value.Data[j] = old + float32(h)
			up, err := step()
			if err != nil {
				return nil, err
			}
			p.Value.Data[j] = old - float32(h)
			down, err := step()
			if err != nil {
				return nil, err
			}
			p.Value.Data[j] = old
			num := (up - down) / (2 * h)
			if got := float64(analytic[i][j]); math.Abs(got-num) > tol*(1+math.Abs(num)) {
				errs = append(errs, fmt.Errorf("%s[%d]: gradient %.6g, central difference %.6g", p.Name, j, got, num))
			}
		}
	}
	return errs, nil
}

// OffKinks adds 0.05 to every encoder bias of r's model. A freshly
// initialised ReLU encoder has zero biases, so a sample whose hidden units
// are all inactive has pre-activations of exactly 0 in the next layer: a
// kink of the loss right at the test point, where central differences
// mean nothing. The shift moves such samples into the linear region.
func OffKinks(r *methods.Run) {
	for _, enc := range r.Model.Encoders {
		if enc == nil {
			continue
		}
		for _, p := range enc.Params() {
			if len(p.Value.Shape) == 1 {
				for i := range p.Value.Data {
					p.Value.Data[i] += 0.05
				}
			}
		}
	}
}

// Numerical returns the central differences (f(x + h e_i) - f(x - h e_i))
// / 2h for every entry i of x, which f reads: each entry is moved in place
// and restored before the next, so x is unchanged afterwards. It is the
// reference for the hand-written gradients of a rule's pure functions.
func Numerical(x []float32, h float64, f func() float64) []float64 {
	num := make([]float64, len(x))
	for i := range x {
		old := x[i]
		x[i] = old + float32(h)
		up := f()
		x[i] = old - float32(h)
		down := f()
		x[i] = old
		num[i] = (up - down) / (2 * h)
	}
	return num
}
