package methods

import (
	"fmt"
	"slices"
	"strings"

	"github.com/miebench/miebench/internal/registry"
)

// ParamSpec documents one hyperparameter of a method.
type ParamSpec struct {
	Name string
	// Default is a float64, int, bool, string or permodal.List (a
	// per-modality value: a typed list or map in the suite, not a grid
	// axis); values given in a suite are converted to this type.
	Default any
	Doc     string
	// Switch marks a divergence between the released code (the default)
	// and the paper: Doc says what the other value does.
	Switch bool
}

// PlanInfo is what a method may check at plan time, before any training.
// The run loop gives the same information again when it builds the run.
type PlanInfo struct {
	Modalities []string
	// FeatureDims[m] is modality m's encoder output width; nil when the
	// caller does not know the encoders (a zero entry: not known).
	FeatureDims []int
	Classes     int    // number of classes; 0 when not known
	Fusion      string // "concat", "sum", "film", "gated", or "" / "none" for no fusion head
	Epochs      int    // training epochs; 0 when not known
	// EncoderKinds[m] is modality m's encoder kind (mlp, cnn, resnet18);
	// nil when the caller does not know the encoders.
	EncoderKinds []string
}

// Caps declares what a method needs from the run, checked at plan time by
// CheckPlan before the method's own Validate, so that a method never
// compares fusion-kind strings itself.
type Caps struct {
	// MinModalities is the fewest modalities the method trains (0: one).
	MinModalities int
	// MaxModalities is the most it trains (0: any number; 2 for a method
	// defined for two modalities only, i.e. no M > 2 support).
	MaxModalities int
	// Fusions lists the fusion heads the method accepts; nil accepts every
	// kind and none. A method that needs a fusion head lists them all.
	Fusions []string
	// PartialLogits: the method needs the fusion head's partial logits
	// (per-modality logits of an additive head: concat or sum), with no
	// probe fallback.
	PartialLogits bool
	// EqualFeatureDims: every encoder must output the same width (a head
	// shared by the modalities).
	EqualFeatureDims bool
}

// RoleUnimodalBaseline marks a method that trains one modality alone (its
// "modality" hyperparameter, or the only modality it reports): the table's
// gap columns take that modality's accuracy from its rows.
const RoleUnimodalBaseline = "unimodal-baseline"

// decomposing lists the fusion heads with partial logits.
var decomposing = []string{"concat", "sum"}

// Check reports the first requirement p does not meet; method prefixes
// the error.
func (c Caps) Check(method string, p PlanInfo) error {
	m := len(p.Modalities)
	if lo := max(c.MinModalities, 1); m < lo {
		return fmt.Errorf("%s: needs at least %d modalities, the dataset has %d %v", method, lo, m, p.Modalities)
	}
	if c.MaxModalities > 0 && m > c.MaxModalities {
		return fmt.Errorf("%s: is defined for at most %d modalities, the dataset has %d %v", method, c.MaxModalities, m, p.Modalities)
	}
	if c.Fusions != nil && !slices.Contains(c.Fusions, p.Fusion) {
		return fmt.Errorf("%s: needs a fusion head (%s), got %q", method, strings.Join(c.Fusions, ", "), p.Fusion)
	}
	if c.PartialLogits && !slices.Contains(decomposing, p.Fusion) {
		return fmt.Errorf("%s: needs partial logits, which only the %s fusion heads have; got %q", method, strings.Join(decomposing, " and "), p.Fusion)
	}
	if c.EqualFeatureDims {
		for i := 1; i < len(p.FeatureDims); i++ {
			if d0, di := p.FeatureDims[0], p.FeatureDims[i]; d0 > 0 && di > 0 && d0 != di {
				return fmt.Errorf("%s: needs equal feature widths (a head shared by the modalities), modality %q has %d, %q has %d", method, p.Modalities[0], d0, p.Modalities[i], di)
			}
		}
	}
	return nil
}

// CheckPlan checks a run's settings against the method: its Caps, then
// its Validate. The planner calls it for every run, the run loop again
// before training.
func (s Spec) CheckPlan(h Hyper, p PlanInfo) error {
	if err := s.Caps.Check(s.Name, p); err != nil {
		return err
	}
	if s.Validate != nil {
		return s.Validate(h, p)
	}
	return nil
}

// Spec registers a method.
type Spec struct {
	Name string
	// Doc is the `miebench describe` text: what the method does, its
	// reference, and how it generalises (or refuses) beyond its paper's setting.
	Doc    string
	Ref    string // citation and official repository
	Params []ParamSpec
	// Caps declares the method's requirements (see Caps).
	Caps Caps
	// Role is what the method's rows are to a table: "" for a method
	// compared with the others, RoleUnimodalBaseline for the reference
	// the imbalance gap is measured against.
	Role string
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
