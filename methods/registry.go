package methods

import (
	"github.com/miebench/miebench/internal/registry"
)

// ParamSpec documents one hyperparameter of a method.
type ParamSpec struct {
	Name string
	// Default is a float64, int, bool or string; values given in a suite are
	// converted to this type.
	Default any
	Doc     string
	// Switch marks a divergence between the released code (the default)
	// and the paper: Doc says what the other value does.
	Switch bool
}

// PlanInfo is what a method may check at plan time, before any training.
type PlanInfo struct {
	Modalities []string
	Fusion     string // "concat", "sum", "film" or "gated"
}

// Spec registers a method.
type Spec struct {
	Name string
	// Doc is the `miebench describe` text: what the method does, its
	// reference, and how it generalises (or refuses) beyond its paper's setting.
	Doc    string
	Ref    string // citation and official repository
	Params []ParamSpec
	// Validate rejects, at plan time, settings the method cannot run
	// (e.g. a fusion head without partial logits); nil accepts all.
	Validate func(h Hyper, p PlanInfo) error
	// New builds a method instance for one run from resolved hyperparameters.
	New func(h Hyper) (Method, error)
}

var specs = registry.New[Spec]("method")

// Register adds a method; it panics on a duplicate name or a Spec without New.
func Register(s Spec) {
	if s.New == nil {
		panic("methods: Register " + s.Name + " without New")
	}
	specs.Add(s.Name, s)
}

// Lookup returns the method registered under name, or an error naming the
// valid choices.
func Lookup(name string) (Spec, error) { return specs.Lookup(name) }

// Names lists the registered methods in sorted order.
func Names() []string { return specs.Names() }
