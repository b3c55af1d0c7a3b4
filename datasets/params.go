package datasets

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Params is a dataset's resolved parameters: every ParamSpec of its Builder,
// with the default where the configuration gave no value, converted to the
// default's type (float64, int, bool, string, []float64 or []int).
type Params map[string]any

// ResolveParams checks given against specs and fills in defaults. An unknown
// key is an error naming it and the valid keys; a value that cannot be
// converted to the type of the key's default is an error naming the key.
//
// Conversions: integers are accepted for float parameters, integral floats
// for int parameters, "true"/"false" strings for bools, and numeric strings
// for numbers (so that command-line overrides work), numbers for strings.
// List parameters accept
// a YAML/JSON list, a single number (a list of one, which the dataset may
// broadcast) or a comma-separated string such as "2,0.7".
func ResolveParams(dataset string, specs []ParamSpec, given map[string]any) (Params, error) {
	p := Params{}
	known := make(map[string]ParamSpec, len(specs))
	valid := make([]string, 0, len(specs))
	for _, s := range specs {
		known[s.Name] = s
		valid = append(valid, s.Name)
		p[s.Name] = s.Default
	}
	sort.Strings(valid)
	keys := make([]string, 0, len(given))
	for k := range given {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, ok := known[k]
		if !ok {
			return nil, fmt.Errorf("dataset %s: unknown parameter %q (valid: %s)", dataset, k, strings.Join(valid, ", "))
		}
		v, err := convertParam(given[k], s.Default)
		if err != nil {
			return nil, fmt.Errorf("dataset %s: parameter %q: %w", dataset, k, err)
		}
		p[k] = v
	}
	return p, nil
}

// Float returns a float64 parameter. It panics if name is not a resolved
// float parameter, which ResolveParams rules out for registered names.
func (p Params) Float(name string) float64 { return p[name].(float64) }

// Int returns an int parameter.
func (p Params) Int(name string) int { return p[name].(int) }

// Bool returns a bool parameter.
func (p Params) Bool(name string) bool { return p[name].(bool) }

// String returns a string parameter.
func (p Params) String(name string) string { return p[name].(string) }

// Floats returns a []float64 parameter.
func (p Params) Floats(name string) []float64 { return p[name].([]float64) }

// Ints returns an []int parameter.
func (p Params) Ints(name string) []int { return p[name].([]int) }

func convertParam(v, like any) (any, error) {
	switch like.(type) {
	case float64:
		return toFloat(v)
	case int:
		return toInt(v)
	case bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			b, err := strconv.ParseBool(strings.TrimSpace(x))
			if err != nil {
				return nil, fmt.Errorf("want true or false, got %q", x)
			}
			return b, nil
		}
		return nil, fmt.Errorf("want true or false, got %v (%T)", v, v)
	case string:
		switch x := v.(type) {
		case string:
			return x, nil
		case float64, float32, int, int64, uint64:
			return fmt.Sprint(x), nil // e.g. audio_snr_db: 10 for "off" or a number
		}
		return nil, fmt.Errorf("want a string, got %v (%T)", v, v)
	case []float64:
		items, err := listItems(v)
		if err != nil {
			return nil, err
		}
		out := make([]float64, len(items))
		for i, it := range items {
			if out[i], err = toFloat(it); err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
		}
		return out, nil
	case []int:
		items, err := listItems(v)
		if err != nil {
			return nil, err
		}
		out := make([]int, len(items))
		for i, it := range items {
			if out[i], err = toInt(it); err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported default type %T", like)
}

// listItems turns a list-valued parameter into its items.
func listItems(v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case []float64:
		out := make([]any, len(x))
		for i, f := range x {
			out[i] = f
		}
		return out, nil
	case []int:
		out := make([]any, len(x))
		for i, n := range x {
			out[i] = n
		}
		return out, nil
	case string:
		s := strings.Trim(strings.TrimSpace(x), "[]")
		if s == "" {
			return nil, fmt.Errorf("want a list, got an empty string")
		}
		parts := strings.Split(s, ",")
		out := make([]any, len(parts))
		for i, part := range parts {
			out[i] = strings.TrimSpace(part)
		}
		return out, nil
	case float64, float32, int, int64, uint64:
		return []any{x}, nil
	}
	return nil, fmt.Errorf("want a list, got %v (%T)", v, v)
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0, fmt.Errorf("want a number, got %q", x)
		}
		return f, nil
	}
	return 0, fmt.Errorf("want a number, got %v (%T)", v, v)
}

func toInt(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case uint64:
		return int(x), nil
	case float64:
		if x != math.Trunc(x) || math.IsInf(x, 0) {
			return 0, fmt.Errorf("want an integer, got %v", x)
		}
		return int(x), nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		if err != nil {
			return 0, fmt.Errorf("want an integer, got %q", x)
		}
		return n, nil
	}
	return 0, fmt.Errorf("want an integer, got %v (%T)", v, v)
}

// perModality expands a list parameter to m values: a single value is
// repeated, a list of length m is used as is, anything else is an error.
func perModality[T any](dataset, name string, vals []T, m int) ([]T, error) {
	switch len(vals) {
	case 1:
		out := make([]T, m)
		for i := range out {
			out[i] = vals[0]
		}
		return out, nil
	case m:
		return append([]T(nil), vals...), nil
	}
	return nil, fmt.Errorf("dataset %s: parameter %q has %d values, want 1 or %d (one per modality)", dataset, name, len(vals), m)
}
