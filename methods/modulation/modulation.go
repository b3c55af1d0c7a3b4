// Package modulation holds what gradient-modulation methods share: the
// epoch window in which a method modulates, read from the
// modulation_starts / modulation_ends hyperparameters, and the encoder
// tensors a modulation acts on.
package modulation

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/nn"
)

// Window is an inclusive range of 0-based epochs.
type Window struct {
	Start, End int
}

// WindowFrom reads the window from hyperparameters modulation_starts and
// modulation_ends and rejects a negative or empty one; method names the
// method in the error.
func WindowFrom(method string, h methods.Hyper) (Window, error) {
	w := Window{Start: h.Int("modulation_starts"), End: h.Int("modulation_ends")}
	if w.Start < 0 || w.End < w.Start {
		return w, fmt.Errorf("%s: modulation window [%d, %d] is empty or negative, want 0 <= modulation_starts <= modulation_ends", method, w.Start, w.End)
	}
	return w, nil
}

// Active reports whether epoch lies inside the window.
func (w Window) Active(epoch int) bool { return w.Start <= epoch && epoch <= w.End }

// ConvOrLinearWeights returns the parameters of one encoder whose gradients
// a modulation scales: the 4-D tensors (convolution weights), as OGM-GE's
// released code selects them; batch-norm parameters and biases are never
// touched. An encoder without any 4-D tensor (the MLP encoder) gets its 2-D
// weight matrices instead, the linear layers playing the role of the
// convolutions, so that a method is not silently a no-op on feature-vector
// data.
func ConvOrLinearWeights(params []*nn.Param) []*nn.Param {
	var conv, mat []*nn.Param
	for _, p := range params {
		switch len(p.Grad.Shape) {
		case 4:
			conv = append(conv, p)
		case 2:
			mat = append(mat, p)
		}
	}
	if len(conv) > 0 {
		return conv
	}
	return mat
}
