package nn

import "fmt"

// Snapshot is an in-memory deep copy of parameter and buffer values by name,
// taken to reload a model later (for example the best epoch's weights).
type Snapshot struct {
	Params  map[string]*Tensor
	Buffers map[string]*Tensor
}

// Capture copies the values of params and buffers.
func Capture(params []*Param, buffers []*Buffer) *Snapshot {
	s := &Snapshot{Params: make(map[string]*Tensor, len(params)), Buffers: make(map[string]*Tensor, len(buffers))}
	for _, p := range params {
		s.Params[p.Name] = p.Value.Clone()
	}
	for _, b := range buffers {
		s.Buffers[b.Name] = b.Value.Clone()
	}
	return s
}

// Restore copies the snapshot's values back into params and buffers, matched
// by name. Every given parameter and buffer must be in the snapshot with the
// same shape; nothing is changed when one is missing or differs. Gradients
// are left as they are.
func (s *Snapshot) Restore(params []*Param, buffers []*Buffer) error {
	type pair struct{ dst, src *Tensor }
	var pairs []pair
	check := func(kind, name string, dst *Tensor, from map[string]*Tensor) error {
		src, ok := from[name]
		if !ok {
			return fmt.Errorf("nn: restoring snapshot: %s %q is not in the snapshot", kind, name)
		}
		if !SameShape(src, dst) {
			return fmt.Errorf("nn: restoring snapshot: %s %q has shape %v in the snapshot, %v in the model", kind, name, src.Shape, dst.Shape)
		}
		pairs = append(pairs, pair{dst, src})
		return nil
	}
	for _, p := range params {
		if err := check("parameter", p.Name, p.Value, s.Params); err != nil {
			return err
		}
	}
	for _, b := range buffers {
		if err := check("buffer", b.Name, b.Value, s.Buffers); err != nil {
			return err
		}
	}
	for _, pr := range pairs {
		copy(pr.dst.Data, pr.src.Data)
	}
	return nil
}
