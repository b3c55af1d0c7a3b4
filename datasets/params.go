package datasets

import (
	"fmt"

	"github.com/miebench/miebench/internal/param"
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
	decls := make([]param.Decl, len(specs))
	for i, s := range specs {
		decls[i] = param.Decl{Name: s.Name, Default: s.Default}
	}
	p, err := param.Resolve("parameter", decls, given)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", dataset, err)
	}
	return Params(p), nil
}

// resolve looks up the registered dataset name and resolves cfg.Params
// against its parameter specs.
func resolve(name string, cfg Config) (Params, error) {
	b, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return ResolveParams(name, b.Params, cfg.Params)
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
