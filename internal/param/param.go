// Package param converts configuration values (from YAML, JSON or the
// command line) to the types of parameter defaults. Methods and datasets
// both declare parameters by example: the default's type is the parameter's.
package param

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Converter is a parameter type of its own (a per-modality list, say): a
// default that implements it converts given values itself.
type Converter interface {
	ConvertFrom(v any) (any, error)
}

// Convert converts v to the type of like: float64, int, bool, string,
// []float64, []int, or a Converter's type. Integers are accepted for floats, integral floats for
// ints, "true"/"false" for bools, numeric strings for numbers (so that
// command-line overrides work), numbers for strings; lists accept a YAML or
// JSON list, a single number (a list of one) or a comma-separated string
// such as "2,0.7" (brackets optional).
func Convert(v, like any) (any, error) {
	if c, ok := like.(Converter); ok {
		return c.ConvertFrom(v)
	}
	switch like.(type) {
	case float64:
		return Float(v)
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
			if out[i], err = Float(it); err != nil {
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

// Float converts a configuration value to a number: any Go number type,
// or a numeric string (surrounding spaces ignored).
func Float(v any) (float64, error) {
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

// Decl declares one parameter by example: its type is its default's.
type Decl struct {
	Name    string
	Default any
}

// KeyError is an error about one parameter; Key is its name, so that a
// caller can point at the place the value came from.
type KeyError struct {
	Key string
	Err error
}

// Error implements error.
func (e *KeyError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *KeyError) Unwrap() error { return e.Err }

// Resolve returns every declared parameter: the given value converted to
// the type of its default, or the default. noun names a parameter in
// errors ("parameter", "hyperparameter"): an unknown name is an error
// listing the valid names (sorted), a value of the wrong type one naming
// the parameter. Given names are checked in sorted order and the first bad
// one is reported, as a *KeyError.
func Resolve(noun string, decls []Decl, given map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(decls))
	for _, d := range decls {
		out[d.Name] = d.Default
	}
	keys := make([]string, 0, len(given))
	for k := range given {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		def, ok := out[k] // still the default: each key is converted once
		if !ok {
			valid := make([]string, 0, len(decls))
			for _, d := range decls {
				valid = append(valid, d.Name)
			}
			sort.Strings(valid)
			return nil, &KeyError{Key: k, Err: fmt.Errorf("unknown %s %q (valid: %s)", noun, k, strings.Join(valid, ", "))}
		}
		v, err := Convert(given[k], def)
		if err != nil {
			return nil, &KeyError{Key: k, Err: fmt.Errorf("%s %q: %w", noun, k, err)}
		}
		out[k] = v
	}
	return out, nil
}
