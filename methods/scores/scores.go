// Package scores holds the per-modality confidence measures that
// score-based balancing methods compare: the summed true-class probability
// of a modality's logits, the weakest and the leading modality of a score
// vector, prediction entropies, row softmaxes and the softmax of negated
// values.
//
// Every function is pure: it reads tensors and slices and returns numbers,
// so a method can combine them in its own rule.
package scores

import (
	"math"

	"github.com/miebench/miebench/nn"
)

// SoftmaxProbAt returns softmax(row)[k], computed stably in float64.
func SoftmaxProbAt(row []float32, k int) float64 {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = math.Max(mx, float64(v))
	}
	var z float64
	for _, v := range row {
		z += math.Exp(float64(v) - mx)
	}
	return math.Exp(float64(row[k])-mx) / z
}

// SoftmaxRow returns softmax(row), computed stably in float64.
func SoftmaxRow(row []float32) []float64 {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = math.Max(mx, float64(v))
	}
	p := make([]float64, len(row))
	var z float64
	for j, v := range row {
		p[j] = math.Exp(float64(v) - mx)
		z += p[j]
	}
	for j := range p {
		p[j] /= z
	}
	return p
}

// TrueClassMass is the unimodal score of OGM-GE's released code and of
// METHODS.md's notation s_m: the sum over the batch of the softmax
// probability logits ([N, C]) give the true class,
// s = sum_i softmax(logits_i)[y_i].
func TrueClassMass(logits *nn.Tensor, y []int) float64 {
	var s float64
	for i, label := range y {
		s += SoftmaxProbAt(logits.Row(i), label)
	}
	return s
}

// Weakest returns the index of the smallest score; ties go to the last of
// the tied modalities, which for two modalities reproduces OGM-GE's
// released "else" branch at a ratio of exactly 1.
func Weakest(s []float64) int {
	w := 0
	for m, v := range s {
		if v <= s[w] {
			w = m
		}
	}
	return w
}

// Leader returns the index of the largest score; ties go to the first of
// the tied modalities.
func Leader(s []float64) int {
	l := 0
	for m, v := range s {
		if v > s[l] {
			l = m
		}
	}
	return l
}

// Entropies returns the entropy (nats) of softmax(row) for every row of
// logits [N, C], in float64.
func Entropies(logits *nn.Tensor) []float64 {
	n := logits.Rows()
	h := make([]float64, n)
	for i := range n {
		row := logits.Row(i)
		m := math.Inf(-1)
		for _, v := range row {
			m = max(m, float64(v))
		}
		var z float64
		for _, v := range row {
			z += math.Exp(float64(v) - m)
		}
		lz := math.Log(z)
		var e float64
		for _, v := range row {
			lp := float64(v) - m - lz
			e -= math.Exp(lp) * lp
		}
		h[i] = e
	}
	return h
}

// SoftmaxNeg returns softmax(-h) over the entries of h, computed stably:
// entropy weights exp(-H_m) / sum_j exp(-H_j) over modalities, or class
// probabilities from one row of distances.
func SoftmaxNeg(h []float64) []float64 {
	lo := math.Inf(1)
	for _, v := range h {
		lo = min(lo, v)
	}
	w := make([]float64, len(h))
	var s float64
	for i, v := range h {
		w[i] = math.Exp(lo - v)
		s += w[i]
	}
	for i := range w {
		w[i] /= s
	}
	return w
}
