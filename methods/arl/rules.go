// Package arl is ARL (Improving multimodal learning via imbalanced
// learning, ICCV 2025): unimodal auxiliary losses through the shared fusion
// head and, in the paper, an asymmetric scaling of each encoder's gradient
// from the modalities' logit magnitudes and prediction entropies.
package arl

import "math"

// This file holds ARL's rules as pure functions on float64 slices; arl.go
// wires them into a method.

// Magnitude is the released code's logit magnitude of one modality: the
// sum over classes of the batch mean of |logit|. logits is [N*C]
// row-major.
func Magnitude(logits []float64, n, classes int) float64 {
	var s float64
	for _, v := range logits[:n*classes] {
		s += math.Abs(v)
	}
	return s / float64(n)
}

// Entropy is the batch mean of the prediction entropy
// -sum_c p_c log(p_c + 1e-16) of softmax(logits), as released.
func Entropy(logits []float64, n, classes int) float64 {
	var h float64
	for i := range n {
		row := logits[i*classes : (i+1)*classes]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = math.Max(mx, v)
		}
		var z float64
		for _, v := range row {
			z += math.Exp(v - mx)
		}
		for _, v := range row {
			p := math.Exp(v-mx) / z
			h -= p * math.Log(p+1e-16)
		}
	}
	return h / float64(n)
}

// entropyFloor is the released clamp on each normalised entropy.
const entropyFloor = 0.3

// Weights is the released "modality analysis" for two modalities (audio,
// visual) from their logit magnitudes ma, mv and mean entropies ha, hv:
// magnitudes and entropies are normalised to shares, each entropy share is
// floored at 0.3 and inverted into a confidence weight (normalised), and
// w = softmax(T * [mv_share * conf_a, ma_share * conf_v]): each modality's
// weight grows with the other's magnitude and its own confidence.
func Weights(ma, mv, ha, hv, temp float64) (wa, wv float64) {
	sa, sv := ma/(ma+mv), mv/(ma+mv)
	na, nv := math.Max(ha/(ha+hv), entropyFloor), math.Max(hv/(ha+hv), entropyFloor)
	ca, cv := 1/na, 1/nv
	ca, cv = ca/(ca+cv), cv/(ca+cv)
	xa, xv := temp*sv*ca, temp*sa*cv
	mx := math.Max(xa, xv)
	ea, ev := math.Exp(xa-mx), math.Exp(xv-mx)
	return ea / (ea + ev), ev / (ea + ev)
}
