// Package lfm is LFM (Yang et al., NeurIPS 2024, "Facilitating multimodal
// classification via dynamically learning modality gap"): cross-entropy on
// the mean of the unimodal logits plus a Jensen-Shannon-style alignment of
// the unimodal predictions, weighted by a schedule or by weights learned
// with a hypergradient step.
package lfm

import (
	"fmt"
	"math"

	"github.com/miebench/miebench/methods/scores"
	"github.com/miebench/miebench/nn"
)

// This file holds LFM's rule as pure functions: the alignment term and its
// gradient, the released polynomial schedule and the learned-weight update.

// alignment returns the batch-mean alignment between the predictions of
// logits a and b [N, C] and its gradients. With p = softmax(a), q =
// softmax(b), m = (p + q)/2:
//
//	released (paper false): 0.5 (KL(m || p) + KL(m || q)), what the released
//	  Alignment computes, F.kl_div(p.log(), m) being KL(m || p);
//	paper: the Jensen-Shannon divergence 0.5 (KL(p || m) + KL(q || m)).
func alignment(a, b *nn.Tensor, paper bool) (float64, *nn.Tensor, *nn.Tensor, error) {
	n, c := a.Rows(), a.RowLen()
	if b.Rows() != n || b.RowLen() != c {
		return 0, nil, nil, fmt.Errorf("lfm: alignment of logits %v and %v", a.Shape, b.Shape)
	}
	da, db := nn.NewTensor(n, c), nn.NewTensor(n, c)
	if n == 0 {
		return 0, da, db, nil
	}
	inv := 1 / float64(n)
	var total float64
	gp, gq := make([]float64, c), make([]float64, c)
	for i := range n {
		p, q := scores.SoftmaxRow(a.Row(i)), scores.SoftmaxRow(b.Row(i))
		for k := range c {
			m := 0.5 * (p[k] + q[k])
			lp, lq, lm := math.Log(p[k]), math.Log(q[k]), math.Log(m)
			if paper {
				total += 0.5 * (p[k]*(lp-lm) + q[k]*(lq-lm))
				gp[k] = 0.5 * (lp - lm)
				gq[k] = 0.5 * (lq - lm)
			} else {
				total += m*lm - 0.5*m*(lp+lq)
				common := 0.5 * (lm + 1 - 0.5*(lp+lq))
				gp[k] = common - 0.5*m/p[k]
				gq[k] = common - 0.5*m/q[k]
			}
		}
		softmaxBackward(da.Row(i), p, gp, inv)
		softmaxBackward(db.Row(i), q, gq, inv)
	}
	return total * inv, da, db, nil
}

// softmaxBackward writes scale * dL/dx for p = softmax(x) and g = dL/dp:
// dx_j = p_j (g_j - sum_k p_k g_k).
func softmaxBackward(dst []float32, p, g []float64, scale float64) {
	var dot float64
	for k := range p {
		dot += p[k] * g[k]
	}
	for j := range p {
		dst[j] = float32(scale * p[j] * (g[j] - dot))
	}
}

// scheduleCoef are the released fitted polynomials (Crema_epoch.py,
// getAlpha_Learnable_Fitted) of the two weights in the epoch e:
// alpha_k(e) = sum_i coef[k][i] e^i. The two add up to 1 at every epoch.
var scheduleCoef = [2][6]float64{
	{2.04623704e-01, 3.35472727e-03, 1.22989557e-04, -2.92947416e-06, 2.23835486e-08, -5.39717505e-11},
	{7.95376296e-01, -3.35472727e-03, -1.22989557e-04, 2.92947416e-06, -2.23835486e-08, 5.39717505e-11},
}

// schedule returns the released weights (alpha_cls, alpha_align) of epoch e
// (0-based), as the fitted polynomials give them; they are not clipped.
func schedule(epoch int) [2]float64 {
	e := float64(epoch)
	var out [2]float64
	for k := range out {
		pow := 1.0
		for _, c := range scheduleCoef[k] {
			out[k] += c * pow
			pow *= e
		}
	}
	return out
}

// learnedStep is the released learned-weight update (getAlpha_Learnable),
// run at the start of every epoch: the learning rate halves at epochs 20,
// 40, ... (before the update); then alpha_align -= lr * g, clipped to
// [0.05, 0.95], and alpha_cls = 1 - alpha_align. g is the mean over the
// first parameter tensor of the Hessian-vector product of the weighted
// loss with the classification gradient.
func learnedStep(alpha [2]float64, lr float64, epoch int, g float64) ([2]float64, float64) {
	if epoch%20 == 0 && epoch != 0 {
		lr /= 2
	}
	a := alpha[1] - lr*g
	a = math.Max(0.05, math.Min(0.95, a))
	return [2]float64{1 - a, a}, lr
}

// hvpMean estimates mean_j (H v)_j over one parameter tensor by central
// differences of the gradient along v: (grad(theta + r v) - grad(theta -
// r v)) / (2 r), the gradients being those of the weighted loss at the two
// shifted parameter vectors.
func hvpMean(gradPlus, gradMinus []float32, r float64) (float64, error) {
	if len(gradPlus) != len(gradMinus) || len(gradPlus) == 0 || r == 0 {
		return 0, fmt.Errorf("lfm: Hessian-vector estimate from %d and %d gradient values, r %v", len(gradPlus), len(gradMinus), r)
	}
	var s float64
	for i := range gradPlus {
		s += float64(gradPlus[i]) - float64(gradMinus[i])
	}
	return s / (2 * r) / float64(len(gradPlus)), nil
}
