package nn

import (
	"fmt"
	"maps"
	"math"
	"slices"

	simdgemm "github.com/miebench/miebench/nn/gemm"
)

// optimizerBase holds what every optimizer shares: the parameter groups, the
// learning-rate multiplier, and per-parameter state slots keyed by parameter
// (saved and loaded by parameter name).
type optimizerBase struct {
	kind    string
	groups  []ParamGroup
	lrScale float64
	slots   map[*Param]map[string][]float32
	steps   map[*Param]int
}

func newOptimizerBase(kind string, groups []ParamGroup) optimizerBase {
	seen := make(map[string]bool)
	for _, g := range groups {
		for _, p := range g.Params {
			if seen[p.Name] {
				panic(fmt.Sprintf("nn: %s: parameter name %q appears twice in the parameter groups", kind, p.Name))
			}
			seen[p.Name] = true
		}
	}
	return optimizerBase{
		kind:    kind,
		groups:  append([]ParamGroup(nil), groups...),
		lrScale: 1,
		slots:   make(map[*Param]map[string][]float32),
		steps:   make(map[*Param]int),
	}
}

// slot returns parameter p's state slot of the given name, allocating it
// (zeroed) on first use.
func (o *optimizerBase) slot(p *Param, name string) []float32 {
	m := o.slots[p]
	if m == nil {
		m = make(map[string][]float32)
		o.slots[p] = m
	}
	s, ok := m[name]
	if !ok {
		s = make([]float32, len(p.Value.Data))
		m[name] = s
	}
	return s
}

// ZeroGrad sets every gradient of every group to zero.
func (o *optimizerBase) ZeroGrad() {
	for _, g := range o.groups {
		for _, p := range g.Params {
			p.Grad.Zero()
		}
	}
}

// SetLRScale sets each group's learning rate to its base LR times s.
func (o *optimizerBase) SetLRScale(s float64) { o.lrScale = s }

// Groups returns the parameter groups (with their base learning rates).
func (o *optimizerBase) Groups() []ParamGroup { return append([]ParamGroup(nil), o.groups...) }

// Reset forgets all per-parameter state.
func (o *optimizerBase) Reset() {
	clear(o.slots)
	clear(o.steps)
}

// SaveState returns a deep copy of the per-parameter state by parameter name.
func (o *optimizerBase) SaveState() OptimizerState {
	st := OptimizerState{
		Kind:    o.kind,
		Slots:   make(map[string]map[string][]float32),
		Counter: make(map[string]int),
		LRScale: o.lrScale,
	}
	for p, m := range o.slots {
		c := make(map[string][]float32, len(m))
		for k, v := range m {
			c[k] = append([]float32(nil), v...)
		}
		st.Slots[p.Name] = c
	}
	for p, n := range o.steps {
		st.Counter[p.Name] = n
	}
	return st
}

// LoadState replaces the per-parameter state with a copy of st, which must
// come from an optimizer of the same kind over parameters of the same names
// and sizes.
func (o *optimizerBase) LoadState(st OptimizerState) error {
	if st.Kind != o.kind {
		return fmt.Errorf("nn: loading optimizer state of kind %q into a %s optimizer", st.Kind, o.kind)
	}
	byName := make(map[string]*Param)
	for _, g := range o.groups {
		for _, p := range g.Params {
			byName[p.Name] = p
		}
	}
	slots := make(map[*Param]map[string][]float32)
	for _, name := range sortedKeys(st.Slots) {
		p, ok := byName[name]
		if !ok {
			return fmt.Errorf("nn: optimizer state has parameter %q, which the %s optimizer does not hold", name, o.kind)
		}
		m := make(map[string][]float32)
		for k, v := range st.Slots[name] {
			if len(v) != len(p.Value.Data) {
				return fmt.Errorf("nn: optimizer state slot %q of parameter %q has %d values, the parameter has %d", k, name, len(v), len(p.Value.Data))
			}
			m[k] = append([]float32(nil), v...)
		}
		slots[p] = m
	}
	steps := make(map[*Param]int)
	for _, name := range sortedKeys(st.Counter) {
		p, ok := byName[name]
		if !ok {
			return fmt.Errorf("nn: optimizer state counts steps of parameter %q, which the %s optimizer does not hold", name, o.kind)
		}
		steps[p] = st.Counter[name]
	}
	o.slots, o.steps = slots, steps
	if st.LRScale != 0 {
		o.lrScale = st.LRScale
	}
	return nil
}

// sortedKeys returns the keys of m in increasing order, so that error
// reports do not depend on map iteration order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// SGD is PyTorch's torch.optim.SGD with dampening 0: for each parameter,
// g = grad + wd·p; with momentum μ > 0, buf = g on the first step and
// buf = μ·buf + g afterwards, then g = g + μ·buf (Nesterov) or g = buf;
// finally p -= lr·g.
type SGD struct {
	optimizerBase
	Momentum float64
	Nesterov bool
}

// NewSGD returns an SGD optimizer over the groups.
func NewSGD(groups []ParamGroup, momentum float64, nesterov bool) Optimizer {
	return &SGD{optimizerBase: newOptimizerBase("sgd", groups), Momentum: momentum, Nesterov: nesterov}
}

// Step updates every parameter.
func (o *SGD) Step() { o.StepWhere(nil) }

// StepWhere updates the parameters for which keep is nil or returns true.
func (o *SGD) StepWhere(keep func(*Param) bool) {
	mu := float32(o.Momentum)
	for _, g := range o.groups {
		lr := float32(g.LR * o.lrScale)
		wd := float32(g.WeightDecay)
		for _, p := range g.Params {
			if keep != nil && !keep(p) {
				continue
			}
			w, grad := p.Value.Data, p.Grad.Data
			if mu == 0 {
				parallelFor(len(w), 4, func(lo, hi int) {
					simdgemm.SGD(w[lo:hi], grad[lo:hi], lr, wd)
				})
				continue
			}
			// On the first step the buffer is zero, so mu*buf + g = g, the
			// PyTorch rule's initial buf = g.
			buf := o.slot(p, "momentum_buffer")
			parallelFor(len(w), 8, func(lo, hi int) {
				simdgemm.SGDMomentum(w[lo:hi], grad[lo:hi], buf[lo:hi], lr, wd, mu, o.Nesterov)
			})
		}
	}
}

// Adam is PyTorch's torch.optim.Adam (coupled L2 weight decay, no amsgrad),
// or AdamW's decoupled decay p -= lr·wd·p when Decoupled is set.
type Adam struct {
	optimizerBase
	Beta1, Beta2, Eps float64
	Decoupled         bool
}

// NewAdam returns PyTorch's Adam: g = grad + wd·p, m = β1·m + (1-β1)·g,
// v = β2·v + (1-β2)·g², p -= lr/(1-β1ᵗ) · m / (√v/√(1-β2ᵗ) + eps).
func NewAdam(groups []ParamGroup, beta1, beta2, eps float64) Optimizer {
	return &Adam{optimizerBase: newOptimizerBase("adam", groups), Beta1: beta1, Beta2: beta2, Eps: eps}
}

// NewAdamW returns PyTorch's AdamW: p -= lr·wd·p, then Adam's update
// without the coupled decay.
func NewAdamW(groups []ParamGroup, beta1, beta2, eps float64) Optimizer {
	return &Adam{optimizerBase: newOptimizerBase("adamw", groups), Beta1: beta1, Beta2: beta2, Eps: eps, Decoupled: true}
}

// Step updates every parameter.
func (o *Adam) Step() { o.StepWhere(nil) }

// StepWhere updates the parameters for which keep is nil or returns true.
func (o *Adam) StepWhere(keep func(*Param) bool) {
	b1, b2 := float32(o.Beta1), float32(o.Beta2)
	for _, g := range o.groups {
		lr := g.LR * o.lrScale
		for _, p := range g.Params {
			if keep != nil && !keep(p) {
				continue
			}
			o.steps[p]++
			t := float64(o.steps[p])
			bc1 := 1 - math.Pow(o.Beta1, t)
			bc2 := 1 - math.Pow(o.Beta2, t)
			stepSize := float32(lr / bc1)
			bc2Sqrt := float32(math.Sqrt(bc2))
			eps := float32(o.Eps)
			m := o.slot(p, "exp_avg")
			v := o.slot(p, "exp_avg_sq")
			w, grad := p.Value.Data, p.Grad.Data
			decay, l2 := float32(1), float32(0)
			if o.Decoupled {
				decay = float32(1 - lr*g.WeightDecay)
			} else {
				l2 = float32(g.WeightDecay)
			}
			parallelFor(len(w), 16, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					w[i] *= decay
					gi := grad[i] + l2*w[i]
					m[i] = b1*m[i] + (1-b1)*gi
					v[i] = b2*v[i] + (1-b2)*gi*gi
					denom := float32(math.Sqrt(float64(v[i])))/bc2Sqrt + eps
					w[i] -= stepSize * m[i] / denom
				}
			})
		}
	}
}
