// Package inforeg is InfoReg (Huang et al., CVPR 2025): during the prime
// learning window, read from the growth of the encoders' Fisher
// information, the modality ahead is held back by a proximal pull towards
// its weights at the start of the epoch.
package inforeg

import "math"

// This file holds InfoReg's rules as pure functions; inforeg.go wires them
// into a method.

// WindowSpan is the length of the moving averages the released code
// compares, in epochs.
const WindowSpan = 10

// TraceGrowth is the released code's k at the start of an epoch, from the
// Fisher traces of the epochs so far (oldest first): 1 before any epoch
// has finished; otherwise (tr1 - tr2) / tr1 with tr1 the sum of the last
// 10 traces and tr2 the sum of the 10 before the last one, both divided by
// 10 even when fewer epochs exist (so early epochs compare partial sums).
// A zero tr1 gives k = 0 (no growth).
func TraceGrowth(traces []float64) float64 {
	n := len(traces)
	if n == 0 {
		return 1
	}
	sum := func(lo, hi int) float64 {
		var s float64
		for i := max(lo, 0); i < hi; i++ {
			s += traces[i]
		}
		return s / WindowSpan
	}
	tr1 := sum(n-WindowSpan, n)
	tr2 := sum(n-WindowSpan-1, n-1)
	if tr1 == 0 {
		return 0
	}
	return (tr1 - tr2) / tr1
}

// Betas returns the proximal coefficients (beta_a, beta_v) of the two
// modalities for one step from their scores (sums over the batch of the
// true-class softmax probability of the partial logits), as released:
// inside the window (k > threshold) the modality with the higher score
// gets base_m * exp(tanh(gap)), gap the score difference; the other gets 0;
// equal scores or k <= threshold give 0 to both.
func Betas(sa, sv, k, threshold, baseA, baseV float64) (ba, bv float64) {
	if k <= threshold {
		return 0, 0
	}
	switch {
	case sa > sv:
		return baseA * math.Exp(math.Tanh(sa-sv)), 0
	case sv > sa:
		return 0, baseV * math.Exp(math.Tanh(sv-sa))
	}
	return 0, 0
}

// Proximal adds beta * (w - w0) to the gradient g of one tensor whose
// current values are w and whose values at the start of the epoch were w0.
func Proximal(g, w, w0 []float32, beta float64) {
	if beta == 0 {
		return
	}
	for i := range g {
		g[i] = float32(float64(g[i]) + beta*(float64(w[i])-float64(w0[i])))
	}
}

// Accumulate adds g*g elementwise into acc, the per-epoch sum of squared
// gradients of one weight tensor.
func Accumulate(acc, g []float32) {
	for i, v := range g {
		acc[i] += v * v
	}
}

// FisherTrace is the released code's epoch trace of an encoder's diagonal
// Fisher information: over its weight tensors (convolution kernels and
// linear weight matrices), the mean of each tensor's summed squared
// gradients, summed over the tensors.
func FisherTrace(acc [][]float32) float64 {
	var tr float64
	for _, a := range acc {
		if len(a) == 0 {
			continue
		}
		var s float64
		for _, v := range a {
			s += float64(v)
		}
		tr += s / float64(len(a))
	}
	return tr
}
