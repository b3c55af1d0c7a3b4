// Package permodal parses per-modality hyperparameter lists: one value per
// modality, given positionally in the dataset's modality order or by
// modality name, as MIE's stages and SAM radii and any later method's
// per-modality weights are written.
package permodal

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Parse parses a per-modality list against the dataset's modality names,
// in one of two forms:
//
//   - positional "v1,v2,...": the i-th value belongs to the i-th modality; a
//     list shorter than the modality count repeats its last value for the
//     remaining modalities; a longer one is an error;
//   - named "name:v,name:v,...": every modality exactly once, in any order.
//
// It returns the modality indices in list order (dataset order for the
// positional form) and the values as written. key names the hyperparameter
// in errors.
func Parse(key, s string, modalities []string) (idx []int, vals []string, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil, fmt.Errorf("%s: empty list, want e.g. \"%s\"", key, Example(modalities))
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

// Example is a named list giving every modality the value 5, for error
// hints: "audio:5,visual:5".
func Example(modalities []string) string {
	var b strings.Builder
	for i, n := range modalities {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s:5", n)
	}
	return b.String()
}

// NonNegFloats parses a per-modality list (see Parse) of finite
// non-negative numbers into one value per modality, in dataset order.
func NonNegFloats(key, s string, modalities []string) ([]float64, error) {
	idx, vals, err := Parse(key, s, modalities)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(modalities))
	for i, v := range vals {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%s %q: %q for modality %q is not a finite non-negative number", key, s, v, modalities[idx[i]])
		}
		out[idx[i]] = x
	}
	return out, nil
}
