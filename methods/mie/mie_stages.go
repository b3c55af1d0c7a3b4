package mie

import (
	"fmt"
	"math"

	"github.com/miebench/miebench/methods/permodal"
)

// mieStage is one entry of MIE's stage list: train modality Modality (an
// index in the dataset's modality order) for Epochs whole epochs.
type mieStage struct {
	Modality int
	Epochs   int
}

// mieParseStages resolves the `stages` hyperparameter against the
// modalities (see permodal.List.Entries): each value is a positive whole
// number of epochs.
func mieParseStages(l permodal.List, modalities []string) ([]mieStage, error) {
	idx, vals, err := l.Entries("stages", modalities)
	if err != nil {
		return nil, err
	}
	st := make([]mieStage, len(idx))
	for i, v := range vals {
		if v <= 0 || v != math.Trunc(v) || v > math.MaxInt32 {
			return nil, fmt.Errorf("stages %v: %v for modality %q is not a positive whole number of epochs", l, v, modalities[idx[i]])
		}
		st[i] = mieStage{Modality: idx[i], Epochs: int(v)}
	}
	return st, nil
}

// mieStageAt locates epoch (0-based) in the stage list repeated cyclically:
// it returns the stage number k (0 for the first stage, counting repeats)
// and the stage, and whether epoch is that stage's first epoch.
func mieStageAt(stages []mieStage, epoch int) (k int, st mieStage, first bool) {
	period := 0
	for _, s := range stages {
		period += s.Epochs
	}
	cycle, off := epoch/period, epoch%period
	for i, s := range stages {
		if off < s.Epochs {
			return cycle*len(stages) + i, s, off == 0
		}
		off -= s.Epochs
	}
	panic("unreachable: epoch offset beyond the stage period")
}
