package methods

import (
	"github.com/miebench/miebench/internal/param"
	"github.com/miebench/miebench/methods/permodal"
)

// Hyper holds a run's resolved hyperparameters: every ParamSpec of the
// method, with its default where the suite gave no value, converted to the
// default's type.
type Hyper map[string]any

// Resolve checks the given values against specs and fills in defaults.
// Unknown names and values of the wrong type are errors naming the key and
// the valid choices.
func Resolve(specs []ParamSpec, given map[string]any) (Hyper, error) {
	decls := make([]param.Decl, len(specs))
	for i, s := range specs {
		decls[i] = param.Decl{Name: s.Name, Default: s.Default}
	}
	h, err := param.Resolve("hyperparameter", decls, given)
	return Hyper(h), err
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

// List returns a per-modality hyperparameter (a ParamSpec whose Default is
// a permodal.List).
func (h Hyper) List(name string) permodal.List { return h[name].(permodal.List) }
