// Package mmpareto is MMPareto (Wei and Hu, ICML 2024): each encoder's
// gradients under the multimodal loss and under its own unimodal loss are
// combined with equal weights when they agree and with the Pareto
// (min-norm) weights when they conflict.
package mmpareto

import "math"

// This file holds MMPareto's per-step rules as pure functions over
// gradient tensors (one []float32 per parameter tensor); mmpareto.go wires
// them into a method.

// Dots returns <g1,g1>, <g1,g2> and <g2,g2> over all tensors of a
// parameter group, accumulated in float64.
func Dots(g1, g2 [][]float32) (aa, ab, bb float64) {
	for t := range g1 {
		for i, a := range g1[t] {
			b := float64(g2[t][i])
			fa := float64(a)
			aa += fa * fa
			ab += fa * b
			bb += b * b
		}
	}
	return aa, ab, bb
}

// Cosine is the cosine similarity of the flattened group gradients, with
// torch's cosine_similarity floor of 1e-8 on each norm.
func Cosine(aa, ab, bb float64) float64 {
	return ab / (math.Max(math.Sqrt(aa), 1e-8) * math.Max(math.Sqrt(bb), 1e-8))
}

// MinNormWeight is the weight c on g1 of the minimum-norm point
// c g1 + (1-c) g2 of the segment between the two gradients, as the released
// MinNormSolver computes it for two tasks: 0.999 when <g1,g2> >= <g1,g1>,
// 0.001 when <g1,g2> >= <g2,g2> (the solver's clamps), otherwise
// (<g2,g2> - <g1,g2>) / (<g1,g1> + <g2,g2> - 2 <g1,g2>).
func MinNormWeight(aa, ab, bb float64) float64 {
	switch {
	case ab >= aa:
		return 0.999
	case ab >= bb:
		return 0.001
	}
	return (bb - ab) / (aa + bb - 2*ab)
}

// Weights returns the released rule's weights (w_mm, w_uni) of the
// multimodal and the unimodal gradient of one encoder: (0.5, 0.5) when
// their cosine is positive, the min-norm weights otherwise; conflict
// reports the second case.
func Weights(aa, ab, bb float64) (wmm, wuni float64, conflict bool) {
	if Cosine(aa, ab, bb) > 0 {
		return 0.5, 0.5, false
	}
	c := MinNormWeight(aa, ab, bb)
	return c, 1 - c, true
}

// Combine writes into dst, tensor by tensor, the released code's
// gradient: g = 2 (wmm gmm + wuni guni); when the norm of gmm + guni (the
// plain summed-loss gradient of that tensor) exceeds the norm of g, g is
// rescaled to that norm; then g is multiplied by gamma. A tensor whose
// combined gradient is zero gets zero. It returns the number of tensors
// that were rescaled.
func Combine(dst, gmm, guni [][]float32, wmm, wuni, gamma float64) int {
	rescaled := 0
	for t := range dst {
		var nNew, nSum float64
		for i := range dst[t] {
			a, b := float64(gmm[t][i]), float64(guni[t][i])
			g := 2 * (wmm*a + wuni*b)
			nNew += g * g
			nSum += (a + b) * (a + b)
		}
		scale := gamma
		if nNew > 0 && nSum > nNew {
			scale *= math.Sqrt(nSum / nNew)
			rescaled++
		}
		for i := range dst[t] {
			a, b := float64(gmm[t][i]), float64(guni[t][i])
			dst[t][i] = float32(scale * 2 * (wmm*a + wuni*b))
		}
	}
	return rescaled
}
