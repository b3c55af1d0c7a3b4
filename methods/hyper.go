package methods

import (
	"fmt"
	"math"
	"sort"
	"strconv"
)

// Hyper holds a run's resolved hyperparameters: every ParamSpec of the
// method, with its default where the suite gave no value, converted to the
// default's type.
type Hyper map[string]any

// Resolve checks the given values against specs and fills in defaults.
// Unknown names and values of the wrong type are errors naming the key and
// the valid choices.
func Resolve(specs []ParamSpec, given map[string]any) (Hyper, error) {
	h := Hyper{}
	known := map[string]ParamSpec{}
	for _, s := range specs {
		known[s.Name] = s
		h[s.Name] = s.Default
	}
	keys := make([]string, 0, len(given))
	for k := range given {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, ok := known[k]
		if !ok {
			valid := make([]string, 0, len(specs))
			for _, s := range specs {
				valid = append(valid, s.Name)
			}
			return nil, fmt.Errorf("unknown hyperparameter %q (valid: %v)", k, valid)
		}
		v, err := convert(given[k], s.Default)
		if err != nil {
			return nil, fmt.Errorf("hyperparameter %q: %w", k, err)
		}
		h[k] = v
	}
	return h, nil
}

func convert(v, like any) (any, error) {
	switch like.(type) {
	case float64:
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
			f, err := strconv.ParseFloat(x, 64)
			if err != nil {
				return nil, fmt.Errorf("want a number, got %q", x)
			}
			return f, nil
		}
		return nil, fmt.Errorf("want a number, got %v (%T)", v, v)
	case int:
		switch x := v.(type) {
		case int:
			return x, nil
		case int64:
			return int(x), nil
		case uint64:
			return int(x), nil
		case float64:
			if x != math.Trunc(x) {
				return nil, fmt.Errorf("want an integer, got %v", x)
			}
			return int(x), nil
		case string:
			i, err := strconv.Atoi(x)
			if err != nil {
				return nil, fmt.Errorf("want an integer, got %q", x)
			}
			return i, nil
		}
		return nil, fmt.Errorf("want an integer, got %v (%T)", v, v)
	case bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			b, err := strconv.ParseBool(x)
			if err != nil {
				return nil, fmt.Errorf("want true or false, got %q", x)
			}
			return b, nil
		}
		return nil, fmt.Errorf("want true or false, got %v (%T)", v, v)
	case string:
		if x, ok := v.(string); ok {
			return x, nil
		}
		return fmt.Sprint(v), nil
	}
	return nil, fmt.Errorf("unsupported default type %T", like)
}

// Float returns a float64 hyperparameter; it panics if name is missing or
// of another type (Resolve guarantees both for registered names).
func (h Hyper) Float(name string) float64 { return h[name].(float64) }

// Int returns an int hyperparameter.
func (h Hyper) Int(name string) int { return h[name].(int) }

// Bool returns a bool hyperparameter.
func (h Hyper) Bool(name string) bool { return h[name].(bool) }

// String returns a string hyperparameter.
func (h Hyper) String(name string) string { return h[name].(string) }
