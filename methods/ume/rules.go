// Package ume is UME, the uni-modal ensemble of Du et al. (ICML 2023, "On
// uni-modal feature learning in supervised multi-modal learning"): every
// modality's encoder and linear head trained alone on its own
// cross-entropy, the prediction the average of the unimodal logits.
package ume

import (
	"fmt"

	"github.com/miebench/miebench/nn"
)

// meanLogits returns (1/M) sum_m logits[m], the ensemble's output.
func meanLogits(logits []*nn.Tensor) (*nn.Tensor, error) {
	if len(logits) == 0 {
		return nil, fmt.Errorf("ume: no unimodal logits to average")
	}
	out := nn.NewTensor(logits[0].Shape...)
	for m, l := range logits {
		if !nn.SameShape(l, out) {
			return nil, fmt.Errorf("ume: modality %d logits %v, want %v", m, l.Shape, out.Shape)
		}
		nn.Axpy(1, l, out)
	}
	nn.Scale(1/float32(len(logits)), out)
	return out, nil
}
