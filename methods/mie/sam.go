package mie

import (
	"math"

	"github.com/miebench/miebench/nn"
)

// This file holds MIE's sharpness-aware (SAM) ascent step: the current
// modality's parameters move by eps = rho g / ||g|| before the gradient that
// is applied is taken.

// mieSAMEps is 1e-12, added to gradient norms before dividing, so that a zero
// gradient gives a zero perturbation.
const mieSAMEps = 1e-12

// mieSAMPerturb adds eps to every parameter's value and returns copies of
// the unperturbed values (one slice per parameter, for undoing) and the global
// gradient norm ||g|| over all params. With perTensor (the released code)
// each tensor is normalised by its own gradient norm,
// eps_p = rho g_p / (||g_p|| + 1e-12); otherwise (the paper's SAM) by the
// global norm, eps_p = rho g_p / (||g|| + 1e-12). Norms are summed in
// float64 in parameter order.
func mieSAMPerturb(params []*nn.Param, rho float64, perTensor bool) (orig [][]float32, gradNorm float64) {
	norms := make([]float64, len(params))
	var total float64
	for i, p := range params {
		var s float64
		for _, g := range p.Grad.Data {
			s += float64(g) * float64(g)
		}
		norms[i] = math.Sqrt(s)
		total += s
	}
	gradNorm = math.Sqrt(total)
	orig = make([][]float32, len(params))
	for i, p := range params {
		scale := rho / (gradNorm + mieSAMEps)
		if perTensor {
			scale = rho / (norms[i] + mieSAMEps)
		}
		orig[i] = append([]float32(nil), p.Value.Data...)
		for j, g := range p.Grad.Data {
			p.Value.Data[j] += float32(scale * float64(g))
		}
	}
	return orig, gradNorm
}

// mieSAMUndo restores the values saved by mieSAMPerturb exactly.
func mieSAMUndo(params []*nn.Param, orig [][]float32) {
	for i, p := range params {
		copy(p.Value.Data, orig[i])
	}
}
