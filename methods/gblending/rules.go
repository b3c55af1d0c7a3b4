// Package gblending is Gradient-Blending (Wang, Tran, Feiszli, CVPR 2020,
// "What makes training multi-modal classification networks hard?"): a
// weighted sum of per-branch cross-entropies (each modality's partial
// logits and the fused output) with weights re-estimated online, every
// super-epoch, from how each branch alone generalises and overfits.
package gblending

import (
	"fmt"
	"math"
)

// This file holds G-Blending's weight rule as a pure function.

// Window is one branch's losses at the start and the end of an estimation
// window: after its first and after its last epoch of training a
// temporary copy on that branch alone.
type Window struct {
	TrainPre, ValPre float64
	TrainNow, ValNow float64
}

// gain is dG = ValNow - ValPre, the change of the validation loss.
func (w Window) gain() float64 { return w.ValNow - w.ValPre }

// overfit is dO = (ValNow - TrainNow) - (ValPre - TrainPre), the change of
// the overfitting gap.
func (w Window) overfit() float64 { return (w.ValNow - w.TrainNow) - (w.ValPre - w.TrainPre) }

// weights returns w_k = |dG_k / dO_k^2| / sum_j |dG_j / dO_j^2|, as
// BalanceBenchmark's super_epoch_origin normalises them. A branch with
// dO = 0 has an unbounded raw weight: then the branches with dO = 0 and
// dG != 0 share the weight equally; if no branch has a finite, positive
// total (every dG 0), all weights are equal. The second result reports
// whether such a fallback was used.
func weights(ws []Window) ([]float64, bool, error) {
	if len(ws) == 0 {
		return nil, false, fmt.Errorf("gblending: no branch to weigh")
	}
	raw := make([]float64, len(ws))
	var sum float64
	inf := 0
	for k, w := range ws {
		for _, v := range []float64{w.TrainPre, w.ValPre, w.TrainNow, w.ValNow} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, false, fmt.Errorf("gblending: branch %d has a non-finite loss %v", k, v)
			}
		}
		g, o := w.gain(), w.overfit()
		raw[k] = math.Abs(g / (o * o))
		if math.IsInf(raw[k], 0) {
			inf++
		} else if !math.IsNaN(raw[k]) {
			sum += raw[k]
		}
	}
	out := make([]float64, len(ws))
	switch {
	case inf > 0:
		for k := range raw {
			if math.IsInf(raw[k], 0) {
				out[k] = 1 / float64(inf)
			}
		}
		return out, true, nil
	case sum > 0:
		for k := range raw {
			if !math.IsNaN(raw[k]) {
				out[k] = raw[k] / sum
			}
		}
		return out, false, nil
	}
	for k := range out {
		out[k] = 1 / float64(len(out))
	}
	return out, true, nil
}
