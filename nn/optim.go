package nn

// ParamGroup is a set of parameters sharing a learning rate and weight decay,
// as in PyTorch's optimizer parameter groups.
type ParamGroup struct {
	Name        string
	Params      []*Param
	LR          float64 // base learning rate; the schedule scales it
	WeightDecay float64
}

// Optimizer updates parameters from their gradients.
type Optimizer interface {
	// Step updates every parameter of every group.
	Step()
	// StepWhere updates only the parameters for which keep returns true;
	// the others and their state are untouched (PyTorch's behaviour for
	// parameters whose gradient is None).
	StepWhere(keep func(*Param) bool)
	// ZeroGrad sets every gradient to zero.
	ZeroGrad()
	// SetLRScale sets each group's learning rate to its base LR times s.
	SetLRScale(s float64)
	// Groups returns the parameter groups.
	Groups() []ParamGroup
	// Reset forgets all per-parameter state (momentum buffers, moments,
	// step counts), as a freshly constructed optimizer.
	Reset()
	// SaveState returns a deep copy of the per-parameter state;
	// LoadState restores one returned by SaveState of the same optimizer.
	SaveState() OptimizerState
	LoadState(OptimizerState) error
}

// OptimizerState is an optimizer's serialisable state: named slots per
// parameter name (e.g. "momentum", "exp_avg") and scalar counters.
type OptimizerState struct {
	Kind    string
	Slots   map[string]map[string][]float32 // param name -> slot name -> values
	Counter map[string]int                  // e.g. Adam's step count per param
	LRScale float64
}

// Schedule gives the learning-rate multiplier for an epoch (0-based);
// the run loop calls Optimizer.SetLRScale(s.Scale(epoch)) at each epoch start.
type Schedule interface {
	Scale(epoch int) float64
}
