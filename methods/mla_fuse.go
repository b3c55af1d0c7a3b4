package methods

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/miebench/miebench/nn"
)

// MLA inference modes (the `inference` hyperparameter of mla).
const (
	mlaFixed         = "fixed"          // fixed weights per modality (released default)
	mlaDynamicBatch  = "dynamic-batch"  // entropy weights, one per modality per batch (released --dynamic)
	mlaDynamicSample = "dynamic-sample" // entropy weights per sample (the paper)
)

// mlaEntropies returns the entropy (nats) of softmax(row) for every row of
// logits [N, C], in float64.
func mlaEntropies(logits *nn.Tensor) []float64 {
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

// softmaxNeg returns softmax(-h) over the entries of h, computed stably:
// MLA's modality weights exp(-H_m) / Σ_j exp(-H_j) and PMR's prototype
// probabilities from one row of distances.
func softmaxNeg(h []float64) []float64 {
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

// mlaFuse combines per-modality logits outs[m] ([N, C] each) into
// Σ_m w_m out_m. mode fixed uses weights; dynamic-batch uses one weight per
// modality for the whole batch from the batch-mean entropy of its
// predictions; dynamic-sample computes the weights per sample. Entropy
// weights are softmax over modalities of minus the entropy, so the more
// confident modality weighs more.
func mlaFuse(outs []*nn.Tensor, mode string, weights []float64) (*nn.Tensor, error) {
	if len(outs) == 0 {
		return nil, fmt.Errorf("mla: no modality outputs to fuse")
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
	case mlaFixed:
		if len(weights) != len(outs) {
			return nil, fmt.Errorf("mla: %d fusion weights for %d modalities", len(weights), len(outs))
		}
		for m := range outs {
			for i := range n {
				add(m, i, weights[m])
			}
		}
	case mlaDynamicBatch:
		h := make([]float64, len(outs))
		for m, o := range outs {
			for _, e := range mlaEntropies(o) {
				h[m] += e
			}
			h[m] /= float64(max(n, 1))
		}
		w := softmaxNeg(h)
		for m := range outs {
			for i := range n {
				add(m, i, w[m])
			}
		}
	case mlaDynamicSample:
		hs := make([][]float64, len(outs))
		for m, o := range outs {
			hs[m] = mlaEntropies(o)
		}
		h := make([]float64, len(outs))
		for i := range n {
			for m := range outs {
				h[m] = hs[m][i]
			}
			w := softmaxNeg(h)
			for m := range outs {
				add(m, i, w[m])
			}
		}
	default:
		return nil, fmt.Errorf("mla: unknown inference mode %q (valid: %s, %s, %s)", mode, mlaFixed, mlaDynamicBatch, mlaDynamicSample)
	}
	return fused, nil
}

// mlaParseWeights parses the `weights` hyperparameter for m modalities:
// empty gives the released 0.55/0.45 for two modalities and 1/m each
// otherwise; else a comma-separated list of m non-negative numbers, not all
// zero (they are used as given, not renormalised).
func mlaParseWeights(s string, m int) ([]float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if m == 2 {
			return []float64{0.55, 0.45}, nil
		}
		w := make([]float64, m)
		for i := range w {
			w[i] = 1 / float64(m)
		}
		return w, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != m {
		return nil, fmt.Errorf("weights %q: want %d comma-separated numbers, one per modality, got %d", s, m, len(parts))
	}
	w := make([]float64, m)
	var sum float64
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("weights %q: entry %d (%q) is not a finite non-negative number", s, i+1, p)
		}
		w[i] = v
		sum += v
	}
	if sum == 0 {
		return nil, fmt.Errorf("weights %q: all zero", s)
	}
	return w, nil
}
