package mla

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/miebench/miebench/methods/latefusion"
)

// MLA inference modes (the `inference` hyperparameter of mla): the
// weighting modes of latefusion.Weighted.
const (
	mlaFixed         = latefusion.Fixed         // fixed weights per modality (released default)
	mlaDynamicBatch  = latefusion.DynamicBatch  // entropy weights, one per modality per batch (released --dynamic)
	mlaDynamicSample = latefusion.DynamicSample // entropy weights per sample (the paper)
)

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
