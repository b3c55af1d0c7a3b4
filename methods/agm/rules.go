// Package agm is AGM, adaptive gradient modulation (Li et al., ICCV 2023).
package agm

import (
	"fmt"
	"math"
)

// This file holds AGM's per-step rules as pure functions on float64 slices;
// agm.go wires them into a method.

// Empty-set conventions for the Shapley sum: what f(empty set), the fused
// output with every modality's features removed, contributes.
const (
	// EmptyZero takes f(empty) = 0, as the released code does (its
	// Modality_Audio is 0.5*(f(a,v) - f(0,v) + f(a,0)) for M = 2); the
	// per-modality logits then sum to the fused output.
	EmptyZero = "zero"
	// EmptySubtract takes f(empty) from a forward pass with every modality
	// zeroed: the exact Shapley value of the paper.
	EmptySubtract = "subtract"
	// EmptySkip drops the S = empty term altogether, as BalanceBenchmark's
	// newGrad does (its subset list excludes the empty set).
	EmptySkip = "skip"
)

// ShapleyWeight is the Shapley weight of a coalition of size s not holding
// the modality, among m modalities: s! (m-s-1)! / m!.
func ShapleyWeight(s, m int) float64 {
	return factorial(s) * factorial(m-s-1) / factorial(m)
}

func factorial(n int) float64 {
	f := 1.0
	for i := 2; i <= n; i++ {
		f *= float64(i)
	}
	return f
}

// ShapleyLogits returns phi_m, modality m's Shapley-style logits, from
// out[mask], the fused logits (flattened [N*C]) of a forward pass in which
// only the modalities whose bit is set in mask keep their features:
// phi_m = sum over coalitions S not holding m of w(|S|) (f(S+m) - f(S)).
// out must have 2^M entries; out[0] is read only with EmptySubtract.
func ShapleyLogits(out [][]float64, m, nmod int, empty string) ([]float64, error) {
	if len(out) != 1<<nmod {
		return nil, fmt.Errorf("agm: %d fused outputs for %d modalities, want %d", len(out), nmod, 1<<nmod)
	}
	if m < 0 || m >= nmod {
		return nil, fmt.Errorf("agm: modality %d out of range [0, %d)", m, nmod)
	}
	full := out[len(out)-1]
	phi := make([]float64, len(full))
	bit := 1 << m
	for s := 0; s < len(out); s++ {
		if s&bit != 0 {
			continue
		}
		size := popcount(s)
		w := ShapleyWeight(size, nmod)
		with := out[s|bit]
		if len(with) != len(phi) {
			return nil, fmt.Errorf("agm: fused output for coalition %b has %d values, want %d", s|bit, len(with), len(phi))
		}
		if s == 0 {
			switch empty {
			case EmptyZero:
				for i, v := range with {
					phi[i] += w * v
				}
			case EmptySubtract:
				if len(out[0]) != len(phi) {
					return nil, fmt.Errorf("agm: fused output for the empty coalition has %d values, want %d", len(out[0]), len(phi))
				}
				for i, v := range with {
					phi[i] += w * (v - out[0][i])
				}
			case EmptySkip:
			default:
				return nil, fmt.Errorf("agm: empty-set convention %q, want %q, %q or %q", empty, EmptyZero, EmptySubtract, EmptySkip)
			}
			continue
		}
		without := out[s]
		if len(without) != len(phi) {
			return nil, fmt.Errorf("agm: fused output for coalition %b has %d values, want %d", s, len(without), len(phi))
		}
		for i, v := range with {
			phi[i] += w * (v - without[i])
		}
	}
	return phi, nil
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// minProb is the released code's floor on the true-class probability in
// the score: below it, -log(1e-8) is used.
const minProb = 1e-8

// Score is the released code's score of one modality: the mean over the
// batch of -log(softmax(phi_i)[y_i]), the probability floored at 1e-8.
// logits is [N*C] row-major.
func Score(logits []float64, y []int, classes int) float64 {
	var s float64
	for i, label := range y {
		row := logits[i*classes : (i+1)*classes]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = math.Max(mx, v)
		}
		var z float64
		for _, v := range row {
			z += math.Exp(v - mx)
		}
		p := math.Exp(row[label]-mx) / z
		s -= math.Log(math.Max(p, minProb))
	}
	return s / float64(len(y))
}

// Coefficients returns, for scores s (this batch) and target (the running
// average of past scores), the ratios r_m, the target ratios rbar_m and the
// coefficients k_m = exp(alpha * min(rbar_m - r_m, clip)), with
// r_m = exp(M/(M-1) * (mean(s) - s_m)), the released code's sign (for two
// modalities r_a = exp(s_v - s_a): a modality whose loss rises above its
// running share gets k > 1). bbSign flips the sign to BalanceBenchmark's
// exp(M/(M-1) * (s_m - mean(s))), which damps that modality instead.
func Coefficients(s, target []float64, alpha, clip float64, bbSign bool) (k, r, rbar []float64) {
	m := len(s)
	scale := float64(m) / float64(m-1)
	if bbSign {
		scale = -scale
	}
	mean := func(x []float64) float64 {
		var t float64
		for _, v := range x {
			t += v
		}
		return t / float64(len(x))
	}
	ms, mt := mean(s), mean(target)
	k = make([]float64, m)
	r = make([]float64, m)
	rbar = make([]float64, m)
	for i := range s {
		r[i] = math.Exp(scale * (ms - s[i]))
		rbar[i] = math.Exp(scale * (mt - target[i]))
		k[i] = math.Exp(alpha * math.Min(rbar[i]-r[i], clip))
	}
	return k, r, rbar
}

// UpdateTarget folds this batch's scores into the running average over all
// iterations since training began, target <- target*(t-1)/t + s/t, with t
// the 1-based global iteration, as the released code does.
func UpdateTarget(target, s []float64, t int) {
	ft := float64(t)
	for i := range target {
		target[i] = target[i]*(ft-1)/ft + s[i]/ft
	}
}

// MeanCoefficient is the factor the released code's backward hooks put on
// the gradient of the fused output: each phi_m reaches the trainable
// forward pass only through its w(M-1) f(all) = f(all)/M term (the other
// passes run without gradient), so dL/df(all) = mean_m k_m * dL/dout.
func MeanCoefficient(k []float64) float64 {
	var t float64
	for _, v := range k {
		t += v
	}
	return t / float64(len(k))
}
