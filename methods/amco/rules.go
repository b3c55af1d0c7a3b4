// Package amco is AMCo, adaptive mask co-optimisation, as BalanceBenchmark
// implements it: a modality found dependent (dominant) has a growing random
// fraction of the classes of its partial logits masked, a linear layer maps
// the summed partial logits to the fused output, and every modality's
// partial logits get their own cross-entropy.
package amco

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/miebench/miebench/nn"
)

// This file holds AMCo's rule as pure functions.

// maskFraction is pt = sin(pi/2 * min(eps, l)/eps), the fraction of
// classes masked at mask level l (BalanceBenchmark's l_t; eps 0.3).
func maskFraction(l, eps float64) float64 {
	return math.Sin(math.Pi / 2 * math.Min(eps, l) / eps)
}

// maskLevel is l_t before batch b (0-based) of epoch e (0-based): l_t
// starts at 0 every epoch and grows by e/10 after every batch, so in epoch
// 0 nothing is masked and from epoch 1 on the fraction reaches 1 within a
// few batches (after ceil(3/e) batches for eps 0.3).
func maskLevel(epoch, batch int) float64 {
	return float64(batch) * float64(epoch) / 10
}

// classMask returns a [C] mask with int(pt*C) zeros (floor, as Python's
// int) and ones elsewhere, in an order shuffled by rng: the classes of the
// dependent modality's logits that this batch drops. It is shared by every
// sample of the batch.
func classMask(classes int, pt float64, rng *rand.Rand) []float32 {
	n := int(pt * float64(classes))
	n = max(0, min(classes, n))
	mask := make([]float32, classes)
	for k := range classes - n {
		mask[k] = 1
	}
	rng.Shuffle(classes, func(i, j int) { mask[i], mask[j] = mask[j], mask[i] })
	return mask
}

// dependence returns each modality's share of a softmax taken jointly over
// the concatenated logits of all modalities, share_m = (1/N) sum_i
// sum_{k in m's block} softmax([out_1 .. out_M]_i)_k, and which modalities
// are dependent (share > sigma). The shares add up to 1 per batch.
func dependence(outs []*nn.Tensor, sigma float64) ([]float64, []bool, error) {
	if len(outs) == 0 {
		return nil, nil, fmt.Errorf("amco: no modality logits")
	}
	n, c := outs[0].Rows(), outs[0].RowLen()
	for m, o := range outs {
		if o.Rows() != n || o.RowLen() != c {
			return nil, nil, fmt.Errorf("amco: modality %d logits %v, want [%d %d]", m, o.Shape, n, c)
		}
	}
	share := make([]float64, len(outs))
	dep := make([]bool, len(outs))
	if n == 0 {
		return share, dep, nil
	}
	mass := make([]float64, len(outs))
	for i := range n {
		mx := math.Inf(-1)
		for _, o := range outs {
			for _, v := range o.Row(i) {
				mx = math.Max(mx, float64(v))
			}
		}
		var z float64
		for m, o := range outs {
			mass[m] = 0
			for _, v := range o.Row(i) {
				mass[m] += math.Exp(float64(v) - mx)
			}
			z += mass[m]
		}
		for m := range outs {
			share[m] += mass[m] / z
		}
	}
	for m := range share {
		share[m] /= float64(n)
		dep[m] = share[m] > sigma
	}
	return share, dep, nil
}

// applyMask multiplies every row of logits [N, C] by mask [C] in place.
func applyMask(logits *nn.Tensor, mask []float32) {
	c := logits.RowLen()
	for i := range logits.Data {
		logits.Data[i] *= mask[i%c]
	}
}
