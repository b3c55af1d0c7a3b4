package methods

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// mieStage is one entry of MIE's stage list: train modality Modality (an
// index in the dataset's modality order) for Epochs whole epochs.
type mieStage struct {
	Modality int
	Epochs   int
}

// mieParseList parses a per-modality list against the dataset's modality
// names, in one of two forms:
//
//   - positional "v1,v2,...": the i-th value belongs to the i-th modality; a
//     list shorter than the modality count repeats its last value for the
//     remaining modalities; a longer one is an error;
//   - named "name:v,name:v,...": every modality exactly once, in any order.
//
// It returns the modality indices in list order (dataset order for the
// positional form) and the values as written. key names the hyperparameter
// in errors.
func mieParseList(key, s string, modalities []string) (idx []int, vals []string, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil, fmt.Errorf("%s: empty list, want e.g. \"%s\"", key, mieListExample(modalities))
	}
	parts := strings.Split(s, ",")
	named := strings.Contains(parts[0], ":")
	if !named {
		if len(parts) > len(modalities) {
			return nil, nil, fmt.Errorf("%s %q: %d values for %d modalities %v", key, s, len(parts), len(modalities), modalities)
		}
		for m := range modalities {
			p := parts[min(m, len(parts)-1)]
			if strings.Contains(p, ":") {
				return nil, nil, fmt.Errorf("%s %q: mixes positional values and name:value pairs", key, s)
			}
			idx = append(idx, m)
			vals = append(vals, strings.TrimSpace(p))
		}
		return idx, vals, nil
	}
	seen := make([]bool, len(modalities))
	for _, p := range parts {
		name, v, ok := strings.Cut(p, ":")
		if !ok {
			return nil, nil, fmt.Errorf("%s %q: entry %q is not name:value", key, s, p)
		}
		name = strings.TrimSpace(name)
		m := -1
		for i, n := range modalities {
			if n == name {
				m = i
			}
		}
		if m < 0 {
			return nil, nil, fmt.Errorf("%s %q: unknown modality %q (valid: %v)", key, s, name, modalities)
		}
		if seen[m] {
			return nil, nil, fmt.Errorf("%s %q: modality %q listed twice", key, s, name)
		}
		seen[m] = true
		idx = append(idx, m)
		vals = append(vals, strings.TrimSpace(v))
	}
	for m, ok := range seen {
		if !ok {
			return nil, nil, fmt.Errorf("%s %q: modality %q missing (every modality must be listed)", key, s, modalities[m])
		}
	}
	return idx, vals, nil
}

func mieListExample(modalities []string) string {
	var b strings.Builder
	for i, n := range modalities {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s:5", n)
	}
	return b.String()
}

// mieParseStages parses the `stages` hyperparameter (see mieParseList):
// each value is a positive number of epochs.
func mieParseStages(s string, modalities []string) ([]mieStage, error) {
	idx, vals, err := mieParseList("stages", s, modalities)
	if err != nil {
		return nil, err
	}
	st := make([]mieStage, len(idx))
	for i, v := range vals {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("stages %q: %q for modality %q is not a positive number of epochs", s, v, modalities[idx[i]])
		}
		st[i] = mieStage{Modality: idx[i], Epochs: n}
	}
	return st, nil
}

// mieParseRho parses the `rho` hyperparameter (see mieParseList) into one
// non-negative SAM radius per modality, in dataset order.
func mieParseRho(s string, modalities []string) ([]float64, error) {
	idx, vals, err := mieParseList("rho", s, modalities)
	if err != nil {
		return nil, err
	}
	rho := make([]float64, len(modalities))
	for i, v := range vals {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("rho %q: %q for modality %q is not a finite non-negative number", s, v, modalities[idx[i]])
		}
		rho[idx[i]] = x
	}
	return rho, nil
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
