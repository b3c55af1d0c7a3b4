// Package opm is OPM, on-the-fly prediction modulation (Wei, Hu et al.,
// TPAMI 2024): the dominant modality's features are dropped per sample
// with a probability that grows with its lead.
package opm

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// This file holds OPM's per-step rules as pure functions; opm.go wires them
// into a method.

// DropProbabilities returns each modality's drop probability q_m and its
// lead rho_m = tanh(relu(s_m / s_rest - 1)), where s_rest is the other
// modality's score (two modalities, as released) or the mean of the
// others' scores (M > 2): q_m = qBase * (1 + lambda * rho_m) when rho_m > 0,
// else 0 (only a leading modality is ever dropped), clipped to [0, 1].
// A modality whose rivals all score 0 while it does not has rho = 1; when
// every score is 0 nothing is dropped.
func DropProbabilities(scores []float64, qBase, lambda float64) (q, rho []float64) {
	m := len(scores)
	q = make([]float64, m)
	rho = make([]float64, m)
	var total float64
	for _, s := range scores {
		total += s
	}
	for i, s := range scores {
		rest := (total - s) / float64(m-1)
		switch {
		case rest > 0:
			rho[i] = math.Tanh(math.Max(s/rest-1, 0))
		case s > 0:
			rho[i] = 1
		}
		if rho[i] > 0 {
			q[i] = math.Min(math.Max(qBase*(1+lambda*rho[i]), 0), 1)
		}
	}
	return q, rho
}

// Theta is the expected dropped share of the fused feature vector,
// theta = sum_m d_m q_m / sum_m d_m, by which the released code rescales
// every surviving feature (of every modality) by 1 / (1 - theta).
func Theta(dims []int, q []float64) float64 {
	var num, den float64
	for i, d := range dims {
		num += float64(d) * q[i]
		den += float64(d)
	}
	return num / den
}

// Execute reports whether this batch is modulated at all: it is with
// probability pExe, drawn as the released code does (u >= 1 - pExe for
// u uniform in [0, 1)).
func Execute(rng *rand.Rand, pExe float64) bool {
	return rng.Float64() >= 1-pExe
}

// Masks draws keep[m][i], whether sample i keeps modality m's features: a
// Bernoulli(1 - q_m) draw per sample and modality, sample-major as the
// released code's Bernoulli(1-q).sample([B, 1]) lays them out.
func Masks(rng *rand.Rand, n int, q []float64) [][]bool {
	keep := make([][]bool, len(q))
	for m := range keep {
		keep[m] = make([]bool, n)
	}
	for i := range n {
		for m, qm := range q {
			keep[m][i] = rng.Float64() >= qm
		}
	}
	return keep
}

// Survivors returns, in order, the samples that keep at least one
// modality; the released code drops the others from the batch (and skips
// the step when none is left).
func Survivors(keep [][]bool) []int {
	if len(keep) == 0 {
		return nil
	}
	var out []int
	for i := range keep[0] {
		for m := range keep {
			if keep[m][i] {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// Factors returns, per modality and sample, the factor the released code
// multiplies features (forward) and their gradients (backward) by:
// keep / (1 - theta). theta must be below 1.
func Factors(keep [][]bool, theta float64) ([][]float64, error) {
	if !(theta >= 0 && theta < 1) {
		return nil, fmt.Errorf("opm: dropped share theta = %v, want 0 <= theta < 1", theta)
	}
	scale := 1 / (1 - theta)
	f := make([][]float64, len(keep))
	for m, row := range keep {
		f[m] = make([]float64, len(row))
		for i, k := range row {
			if k {
				f[m][i] = scale
			}
		}
	}
	return f, nil
}
