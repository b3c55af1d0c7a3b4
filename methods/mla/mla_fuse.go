package mla

import (
	"fmt"

	"github.com/miebench/miebench/methods/latefusion"
	"github.com/miebench/miebench/methods/permodal"
)

// MLA inference modes (the `inference` hyperparameter of mla): the
// weighting modes of latefusion.Weighted.
const (
	mlaFixed         = latefusion.Fixed         // fixed weights per modality (released default)
	mlaDynamicBatch  = latefusion.DynamicBatch  // entropy weights, one per modality per batch (released --dynamic)
	mlaDynamicSample = latefusion.DynamicSample // entropy weights per sample (the paper)
)

// mlaWeights resolves the `weights` hyperparameter for the dataset's
// modalities: the zero List gives the released 0.55/0.45 for two
// modalities and 1/M each otherwise; a positional list must give exactly
// one weight per modality, a named one every modality once; weights are
// finite, non-negative and not all zero (used as given, not renormalised).
func mlaWeights(l permodal.List, modalities []string) ([]float64, error) {
	m := len(modalities)
	if l.Len() == 0 {
		if m == 2 {
			return []float64{0.55, 0.45}, nil
		}
		w := make([]float64, m)
		for i := range w {
			w[i] = 1 / float64(m)
		}
		return w, nil
	}
	if l.Names == nil && l.Len() != m {
		return nil, fmt.Errorf("weights %v: want %d numbers, one per modality %v, got %d", l, m, modalities, l.Len())
	}
	w, err := l.NonNegative("weights", modalities)
	if err != nil {
		return nil, err
	}
	var sum float64
	for _, v := range w {
		sum += v
	}
	if sum == 0 {
		return nil, fmt.Errorf("weights %v: all zero", l)
	}
	return w, nil
}
