// Package latefusion combines per-modality outputs at inference time:
// fixed or entropy-based weighted sums of the modalities' logits and the
// average of their softmax probabilities. Methods that train one head per
// modality (MLA, MIE) build their fused prediction with it.
package latefusion

import (
	"fmt"
	"math"

	"github.com/miebench/miebench/methods/scores"
	"github.com/miebench/miebench/nn"
)

// Weighting modes of Weighted.
const (
	Fixed         = "fixed"          // given weights per modality
	DynamicBatch  = "dynamic-batch"  // entropy weights, one per modality per batch
	DynamicSample = "dynamic-sample" // entropy weights per sample
)

// Weighted combines per-modality logits outs[m] ([N, C] each) into
// sum_m w_m out_m. Mode Fixed uses weights (one per modality); DynamicBatch
// uses one weight per modality for the whole batch from the batch-mean
// entropy of its predictions; DynamicSample computes the weights per sample.
// Entropy weights are softmax over modalities of minus the entropy, so the
// more confident modality weighs more.
func Weighted(outs []*nn.Tensor, mode string, weights []float64) (*nn.Tensor, error) {
	if len(outs) == 0 {
		return nil, fmt.Errorf("late fusion: no modality outputs to fuse")
	}
	fused := nn.NewTensor(outs[0].Shape...)
	n, c := outs[0].Rows(), outs[0].RowLen()
	add := func(m, i int, w float64) {
		src := outs[m].Row(i)
		dst := fused.Row(i)
		for j := range c {
			dst[j] += float32(w * float64(src[j]))
		}
	}
	switch mode {
	case Fixed:
		if len(weights) != len(outs) {
			return nil, fmt.Errorf("late fusion: %d fusion weights for %d modalities", len(weights), len(outs))
		}
		for m := range outs {
			for i := range n {
				add(m, i, weights[m])
			}
		}
	case DynamicBatch:
		h := make([]float64, len(outs))
		for m, o := range outs {
			for _, e := range scores.Entropies(o) {
				h[m] += e
			}
			h[m] /= float64(max(n, 1))
		}
		w := scores.SoftmaxNeg(h)
		for m := range outs {
			for i := range n {
				add(m, i, w[m])
			}
		}
	case DynamicSample:
		hs := make([][]float64, len(outs))
		for m, o := range outs {
			hs[m] = scores.Entropies(o)
		}
		h := make([]float64, len(outs))
		for i := range n {
			for m := range outs {
				h[m] = hs[m][i]
			}
			w := scores.SoftmaxNeg(h)
			for m := range outs {
				add(m, i, w[m])
			}
		}
	default:
		return nil, fmt.Errorf("late fusion: unknown weighting mode %q (valid: %s, %s, %s)", mode, Fixed, DynamicBatch, DynamicSample)
	}
	return fused, nil
}

// MeanSoftmaxLog returns log(mean over modalities of softmax(out_m)) per
// row: log-scores whose softmax is the averaged probability.
func MeanSoftmaxLog(outs []*nn.Tensor) *nn.Tensor {
	f := nn.NewTensor(outs[0].Shape...)
	acc := make([]float64, len(f.Data))
	for _, o := range outs {
		for i, v := range nn.Softmax(o).Data {
			acc[i] += float64(v)
		}
	}
	for i, v := range acc {
		f.Data[i] = float32(math.Log(max(v/float64(len(outs)), 1e-38)))
	}
	return f
}
