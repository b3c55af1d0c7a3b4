// Package mbsd is MBSD, BalanceBenchmark's self-distillation between the
// unimodal outputs of a multimodal model: cross-entropy on the fused output
// and on every modality's partial logits, plus a per-sample weighted
// distillation term between each pair of modalities.
package mbsd

import (
	"fmt"
	"math"

	"github.com/miebench/miebench/methods/scores"
	"github.com/miebench/miebench/nn"
)

// This file holds MBSD's pairwise term as a pure function over two
// modalities' logits.

// Pair is the distillation term between two modalities a and b over a batch.
type Pair struct {
	Loss   float64   // KL + RS
	KL, RS float64   // the two parts, each (1/N) sum_i w_i * term_i
	W      []float64 // per-sample weights w_i
	// DA and DB are dLoss/dlogits of a and b.
	DA, DB *nn.Tensor
}

// pair computes BalanceBenchmark's MBSD term for modalities a and b
// (logits [N, C], labels y). Per sample, with t_a = softmax(a)[y] and
// t_b = softmax(b)[y], s = max(t_a, t_b) and u = min(t_a, t_b):
//
//	w  = s - u if argmax(a) == y or argmax(b) == y, else 0
//	KL = u * (log u - s)   (F.kl_div(s, u): the probability s is passed where a log-probability is expected)
//	RS = (1/C) sum_j (a_j - b_j)^2
//	Loss = (1/N) sum_i w_i (KL_i + RS_i)
//
// Released (detach false), nothing is detached: gradients reach both
// modalities and also flow through w, s and u, as in the trainer. With
// detach, w and the stronger modality's outputs (the larger t; a on ties)
// are constants, so only the weaker modality is pulled towards the
// stronger one (the self-distillation reading).
func pair(a, b *nn.Tensor, y []int, detach bool) (Pair, error) {
	n, c := a.Rows(), a.RowLen()
	if b.Rows() != n || b.RowLen() != c || len(y) != n {
		return Pair{}, fmt.Errorf("mbsd: logits %v and %v for %d labels", a.Shape, b.Shape, len(y))
	}
	pr := Pair{W: make([]float64, n), DA: nn.NewTensor(n, c), DB: nn.NewTensor(n, c)}
	if n == 0 {
		return pr, nil
	}
	inv := 1 / float64(n)
	for i, label := range y {
		ra, rb := a.Row(i), b.Row(i)
		pa, pb := scores.SoftmaxRow(ra), scores.SoftmaxRow(rb)
		ta, tb := pa[label], pb[label]
		aStrong := ta >= tb
		s, u := ta, tb
		if !aStrong {
			s, u = tb, ta
		}
		var w float64
		if scores.Leader(pa) == label || scores.Leader(pb) == label {
			w = s - u
		}
		pr.W[i] = w
		kl := u * (math.Log(u) - s)
		var rs float64
		for j := range ra {
			d := float64(ra[j]) - float64(rb[j])
			rs += d * d
		}
		rs /= float64(c)
		pr.KL += inv * w * kl
		pr.RS += inv * w * rs
		if w == 0 {
			continue // no gradient: w is 0 and, away from ties, locally constant
		}
		// dL_i/ds and dL_i/du (per sample, before the 1/N).
		var ds, du float64
		if detach {
			du = w * (math.Log(u) + 1 - s)
		} else {
			ds = kl + rs - w*u
			du = -(kl + rs) + w*(math.Log(u)+1-s)
		}
		// Map to t_a, t_b, then through softmax: dt/dx_j = t (delta_jy - p_j).
		dta, dtb := ds, du
		if !aStrong {
			dta, dtb = du, ds
		}
		da, db := pr.DA.Row(i), pr.DB.Row(i)
		for j := range ra {
			ga := -ta * pa[j] * dta
			gb := -tb * pb[j] * dtb
			if j == label {
				ga += ta * dta
				gb += tb * dtb
			}
			diff := 2 / float64(c) * (float64(ra[j]) - float64(rb[j])) * w
			switch {
			case !detach:
				ga += diff
				gb -= diff
			case aStrong:
				gb -= diff
			default:
				ga += diff
			}
			da[j] = float32(inv * ga)
			db[j] = float32(inv * gb)
		}
	}
	pr.Loss = pr.KL + pr.RS
	return pr, nil
}
