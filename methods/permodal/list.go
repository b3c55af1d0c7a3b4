package permodal

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/miebench/miebench/internal/param"
)

// List is a typed per-modality hyperparameter value: one number per
// modality, positional (Names nil: Values[i] belongs to the i-th modality
// in the dataset's order, and a shorter list repeats its last value) or
// named (Values[i] belongs to modality Names[i], in the order written). A
// ParamSpec whose Default is a List declares a per-modality
// hyperparameter; in a suite it is written
//
//	rho: [1.0e-10, 1.0e-15]              # positional
//	rho: {audio: 1.0e-10, visual: 1.0e-15} # named, dataset order
//	stages: [{visual: 5}, {audio: 5}]    # named, in this order
//
// and a grid over it is a list of such values, e.g.
// rho: [[1.0e-10], [1.0e-5]]. The comma strings of earlier versions
// ("25,50", "audio:5,visual:5") are still accepted. The zero List means
// "not set" (the method's own default).
type List struct {
	Names  []string
	Values []float64
}

// Positional returns a positional List.
func Positional(v ...float64) List { return List{Values: v} }

// Len is the number of values.
func (l List) Len() int { return len(l.Values) }

// String writes l as a suite would: "[25, 50]" or "{audio: 5, visual: 5}";
// "[]" for the zero List.
func (l List) String() string {
	parts := make([]string, len(l.Values))
	for i, v := range l.Values {
		parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
		if l.Names != nil {
			parts[i] = l.Names[i] + ": " + parts[i]
		}
	}
	if l.Names != nil {
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// MarshalJSON writes a positional List as a JSON list of numbers and a
// named one as a list of one-entry objects in order, forms ConvertFrom
// reads back.
func (l List) MarshalJSON() ([]byte, error) {
	if l.Names == nil {
		if l.Values == nil {
			return []byte("[]"), nil
		}
		return json.Marshal(l.Values)
	}
	entries := make([]map[string]float64, len(l.Values))
	for i, v := range l.Values {
		entries[i] = map[string]float64{l.Names[i]: v}
	}
	return json.Marshal(entries)
}

// ConvertFrom converts a configuration value to a List: a list of numbers
// (positional), a map of modality name to number (named, sorted by name:
// the order is the dataset's once resolved), a list of one-entry maps
// (named, in order), a List, or a comma string "v1,v2" / "name:v,...". It
// lets the parameter resolver treat a List default as a type.
func (List) ConvertFrom(v any) (any, error) {
	switch x := v.(type) {
	case List:
		return x, nil
	case string:
		return fromString(x)
	case float64, int, int64, uint64, float32:
		f, err := param.Float(x)
		return List{Values: []float64{f}}, err
	case map[string]any:
		names := make([]string, 0, len(x))
		for k := range x {
			names = append(names, k)
		}
		sort.Strings(names)
		l := List{Names: names, Values: make([]float64, len(names))}
		for i, n := range names {
			f, err := param.Float(x[n])
			if err != nil {
				return nil, fmt.Errorf("modality %q: %w", n, err)
			}
			l.Values[i] = f
		}
		return l, nil
	case []float64:
		return List{Values: append([]float64(nil), x...)}, nil
	case []int:
		l := List{Values: make([]float64, len(x))}
		for i, n := range x {
			l.Values[i] = float64(n)
		}
		return l, nil
	case []any:
		var l List
		for i, it := range x {
			if m, ok := it.(map[string]any); ok {
				if len(m) != 1 || (i > 0 && l.Names == nil) {
					return nil, fmt.Errorf("entry %d: want one {modality: value} per entry and no mix with plain numbers, got %v", i, it)
				}
				for n, val := range m {
					f, err := param.Float(val)
					if err != nil {
						return nil, fmt.Errorf("modality %q: %w", n, err)
					}
					l.Names = append(l.Names, n)
					l.Values = append(l.Values, f)
				}
				continue
			}
			if l.Names != nil {
				return nil, fmt.Errorf("entry %d: mixes {modality: value} entries and plain numbers", i)
			}
			f, err := param.Float(it)
			if err != nil {
				return nil, fmt.Errorf("entry %d: %w", i, err)
			}
			l.Values = append(l.Values, f)
		}
		if len(l.Values) == 0 {
			return nil, fmt.Errorf("want one value per modality, got an empty list")
		}
		return l, nil
	}
	return nil, fmt.Errorf("want a per-modality list ([v1, v2], {modality: v, ...} or [{modality: v}, ...]), got %v (%T)", v, v)
}

// fromString reads the comma forms "v1,v2" and "name:v,name:v".
func fromString(s string) (List, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return List{}, nil
	}
	var l List
	for i, p := range strings.Split(s, ",") {
		name, v, named := strings.Cut(p, ":")
		if !named {
			v = name
		}
		if i > 0 && named != (l.Names != nil) {
			return List{}, fmt.Errorf("%q mixes positional values and name:value pairs", s)
		}
		f, err := param.Float(strings.TrimSpace(v))
		if err != nil {
			return List{}, fmt.Errorf("%q: entry %d: %w", s, i+1, err)
		}
		if named {
			l.Names = append(l.Names, strings.TrimSpace(name))
		}
		l.Values = append(l.Values, f)
	}
	return l, nil
}

// Entries resolves l against the dataset's modality names: the modality
// indices and values in list order (dataset order for a positional list,
// whose last value repeats for the remaining modalities). A named list
// must name every modality exactly once. key names the hyperparameter in
// errors.
func (l List) Entries(key string, modalities []string) (idx []int, vals []float64, err error) {
	if len(l.Values) == 0 {
		return nil, nil, fmt.Errorf("%s: empty list, want one value per modality, e.g. {%s}", key, strings.ReplaceAll(Example(modalities), ":", ": "))
	}
	if l.Names == nil {
		if len(l.Values) > len(modalities) {
			return nil, nil, fmt.Errorf("%s %v: %d values for %d modalities %v", key, l, len(l.Values), len(modalities), modalities)
		}
		for m := range modalities {
			idx = append(idx, m)
			vals = append(vals, l.Values[min(m, len(l.Values)-1)])
		}
		return idx, vals, nil
	}
	seen := make([]bool, len(modalities))
	for i, name := range l.Names {
		m := -1
		for j, n := range modalities {
			if n == name {
				m = j
			}
		}
		if m < 0 {
			return nil, nil, fmt.Errorf("%s %v: unknown modality %q (valid: %v)", key, l, name, modalities)
		}
		if seen[m] {
			return nil, nil, fmt.Errorf("%s %v: modality %q listed twice", key, l, name)
		}
		seen[m] = true
		idx = append(idx, m)
		vals = append(vals, l.Values[i])
	}
	for m, ok := range seen {
		if !ok {
			return nil, nil, fmt.Errorf("%s %v: modality %q missing (every modality must be listed)", key, l, modalities[m])
		}
	}
	return idx, vals, nil
}

// PerModality resolves l (see Entries) to one value per modality in the
// dataset's order.
func (l List) PerModality(key string, modalities []string) ([]float64, error) {
	idx, vals, err := l.Entries(key, modalities)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(modalities))
	for i, m := range idx {
		out[m] = vals[i]
	}
	return out, nil
}

// NonNegative is PerModality for finite non-negative values.
func (l List) NonNegative(key string, modalities []string) ([]float64, error) {
	out, err := l.PerModality(key, modalities)
	if err != nil {
		return nil, err
	}
	for m, v := range out {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s %v: %v for modality %q is not a finite non-negative number", key, l, v, modalities[m])
		}
	}
	return out, nil
}
