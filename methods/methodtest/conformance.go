package methodtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// ConformanceEpochs is how long the conformance runs train.
const ConformanceEpochs = 2

// Conformance runs Check on the registered method name with the given
// hyperparameters (nil: its defaults) and reports every violation.
func Conformance(t *testing.T, name string, params map[string]any) {
	t.Helper()
	for _, err := range Check(name, params) {
		t.Error(err)
	}
}

// Check runs the conformance suite on the registered method name and
// returns every violation it finds (none: the method conforms). For M = 2
// and M = 3 modalities of small synthetic data the method either refuses
// the plan with an error that starts with its name, or
//   - trains ConformanceEpochs epochs through the run loop with status ok
//     and finite losses, bit-identically twice with the same seed;
//   - in a run built by hand: Setup does not touch the optimizer; every
//     logged scalar is finite; Predict changes no parameter, buffer,
//     gradient or input, returns [N, C] finite fused scores, the same ones
//     twice, and gives every per-modality output a source
//     (methods.SourcePartial or SourceHead) and [N, C] shape.
func Check(name string, params map[string]any) []error {
	return check(name, params, mlpFixture)
}

// check is Check with the given encoders.
func check(name string, params map[string]any, fx fixture) []error {
	spec, err := methods.Lookup(name)
	if err != nil {
		return []error{err}
	}
	h, err := methods.Resolve(spec.Params, params)
	if err != nil {
		return []error{fmt.Errorf("%s: hyperparameters %v: %w", name, params, err)}
	}
	var errs []error
	for _, m := range []int{2, 3} {
		mods := make([]string, m)
		for i := range mods {
			mods[i] = fmt.Sprintf("m%d", i)
		}
		plan := methods.PlanInfo{Modalities: mods, FeatureDims: slices.Repeat([]int{conformanceDim}, m), Classes: conformanceClasses, Fusion: "concat", Epochs: ConformanceEpochs, EncoderKinds: slices.Repeat([]string{fx.kind}, m)}
		if err := spec.CheckPlan(h, plan); err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, name+": ") || len(msg) < len(name)+10 {
				errs = append(errs, fmt.Errorf("%s, M=%d: plan refused with an unclear error %q (want it to start with %q and say why)", name, m, msg, name+": "))
			}
			continue
		}
		for _, err := range guard(func() []error { return checkByHand(spec, h, m, fx) }) {
			errs = append(errs, fmt.Errorf("%s, M=%d: %w", name, m, err))
		}
		for _, err := range guard(func() []error { return checkTrain(name, params, m, fx) }) {
			errs = append(errs, fmt.Errorf("%s, M=%d: %w", name, m, err))
		}
	}
	return errs
}

// guard runs check and turns a panic into a violation.
func guard(check func() []error) (errs []error) {
	defer func() {
		if p := recover(); p != nil {
			errs = append(errs, fmt.Errorf("panicked: %v", p))
		}
	}()
	return check()
}

// Shapes of the hand-built runs and the synthetic runs.
const (
	conformanceDim     = 4
	conformanceClasses = 3
	conformanceBatch   = 6
)

// conformanceSpec is a ConformanceEpochs-epoch run of method on the
// synthetic data set with m modalities.
func conformanceSpec(method string, params map[string]any, m int, fx fixture) bench.RunSpec {
	if params == nil {
		params = map[string]any{}
	}
	enc := map[string]bench.EncoderSpec{}
	strength := make([]float64, m)
	for i := range m {
		enc[fmt.Sprintf("m%d", i)] = fx.encoder
		strength[i] = 3 / float64(i+1)
	}
	return bench.RunSpec{
		Suite: "conformance", Label: method, Method: method, Params: params, Seed: 3,
		Dataset: bench.DatasetSpec{Name: "synthetic", Params: map[string]any{
			"modalities": m, "classes": conformanceClasses, "train": 96, "val": 30, "test": 30, "dim": []int{fx.dim}, "strength": strength, "image": fx.image}},
		Train: bench.TrainSpec{Epochs: ConformanceEpochs, BatchSize: 16, EvalBatchSize: 32, Optimizer: "sgd",
			LR: 0.01, Momentum: 0.9, Schedule: bench.ScheduleSpec{Kind: "none"}},
		Model:     bench.ModelSpec{Fusion: "concat", Encoders: enc},
		Selection: bench.SelectionSpec{Split: "val", Metric: "acc"},
	}
}

// checkTrain trains the method twice through the run loop.
func checkTrain(method string, params map[string]any, m int, fx fixture) []error {
	spec := conformanceSpec(method, params, m, fx)
	var recs [2]*bench.Record
	for i := range recs {
		rec, err := bench.Train(context.Background(), spec, bench.TrainOptions{})
		if err != nil {
			return []error{fmt.Errorf("training: %w", err)}
		}
		if rec.Status != "ok" {
			return []error{fmt.Errorf("training %d epochs: status %s: %s", ConformanceEpochs, rec.Status, rec.Error)}
		}
		recs[i] = rec
	}
	var errs []error
	for _, e := range recs[0].History {
		if !finite(e.TrainLoss) || !finite(e.Val.Loss) {
			errs = append(errs, fmt.Errorf("epoch %d: training loss %v, validation loss %v; want finite", e.Epoch, e.TrainLoss, e.Val.Loss))
		}
	}
	if a, b := recs[0].Comparable(), recs[1].Comparable(); !reflect.DeepEqual(a, b) {
		errs = append(errs, fmt.Errorf("two runs with seed %d differ: same config and seed must give bit-identical records", spec.Seed))
	}
	return errs
}

// checkByHand builds a run, sets the method up and steps it on fixed
// batches, watching the optimizer during Setup, the logged values and
// what Predict touches.
func checkByHand(spec methods.Spec, h methods.Hyper, m int, fx fixture) []error {
	var errs []error
	meth, err := spec.New(h)
	if err != nil {
		return []error{fmt.Errorf("New: %w", err)}
	}
	cfg := model.Config{Fusion: "concat", NumClasses: conformanceClasses}
	for i := range m {
		cfg.Modalities = append(cfg.Modalities, fmt.Sprintf("m%d", i))
		cfg.Shapes = append(cfg.Shapes, fx.handShape)
		cfg.Encoders = append(cfg.Encoders, fx.handEncoder)
	}
	md, err := model.New(cfg, rand.New(rand.NewPCG(11, 12)))
	if err != nil {
		return []error{err}
	}
	batches := []*methods.Batch{fx.batch(m, conformanceBatch, 1), fx.batch(m, conformanceBatch, 2)}
	loop := &handLoop{batches: batches}
	var badLogs []string
	spy := &spyOptimizer{}
	r := &methods.Run{
		Seed: 5, Model: md, Opt: spy,
		RNG: rand.New(rand.NewPCG(1, 2)), InitRNG: rand.New(rand.NewPCG(3, 4)),
		Epochs: ConformanceEpochs, BatchesPerEpoch: len(batches), Loop: loop,
		Log: func(name string, v float64) {
			if !finite(v) {
				badLogs = append(badLogs, fmt.Sprintf("%s=%v", name, v))
			}
		},
	}
	if err := meth.Setup(r); err != nil {
		return []error{fmt.Errorf("Setup: %w", err)}
	}
	if len(spy.calls) > 0 {
		errs = append(errs, fmt.Errorf("Setup used the optimizer (%s); the run loop builds it after Setup", strings.Join(spy.calls, ", ")))
	}
	opt := nn.NewSGD([]nn.ParamGroup{{Name: "all", Params: md.Params(), LR: 0.01}}, 0.9, false)
	r.Opt, loop.opt, loop.method, loop.run = opt, opt, meth, r
	for epoch := range ConformanceEpochs {
		r.Epoch = epoch
		if err := meth.StartEpoch(r, epoch); err != nil {
			return append(errs, fmt.Errorf("StartEpoch(%d): %w", epoch, err))
		}
		for i, b := range batches {
			r.Batch = i
			st, err := meth.Step(r, b)
			if err != nil {
				return append(errs, fmt.Errorf("Step: %w", err))
			}
			if !finite(st.Loss) {
				errs = append(errs, fmt.Errorf("epoch %d batch %d: loss %v, want finite", epoch, i, st.Loss))
			}
			r.Step++
		}
		if err := meth.EndEpoch(r, epoch); err != nil {
			return append(errs, fmt.Errorf("EndEpoch(%d): %w", epoch, err))
		}
	}
	if len(badLogs) > 0 {
		errs = append(errs, fmt.Errorf("logged non-finite values: %s", strings.Join(badLogs, ", ")))
	}
	return append(errs, checkPredict(meth, r, batches[0], m)...)
}

// checkPredict calls Predict twice on b and checks what it returns and
// that it changed nothing.
func checkPredict(meth methods.Method, r *methods.Run, b *methods.Batch, m int) []error {
	var errs []error
	before := captureState(r, b)
	p, err := meth.Predict(r, b)
	if err != nil {
		return []error{fmt.Errorf("Predict: %w", err)}
	}
	if what := captureState(r, b).diff(before); what != "" {
		errs = append(errs, fmt.Errorf("Predict changed %s; evaluation must not change parameters or inputs", what))
	}
	n := b.Len()
	if !shaped(p.Fused, n, conformanceClasses) {
		return append(errs, fmt.Errorf("Predict: fused scores %v, want [%d, %d]", shapeOf(p.Fused), n, conformanceClasses))
	}
	for _, v := range p.Fused.Data {
		if !finite(float64(v)) {
			errs = append(errs, fmt.Errorf("Predict: fused score %v, want finite", v))
			break
		}
	}
	if len(p.Modal) > m {
		errs = append(errs, fmt.Errorf("Predict: %d per-modality outputs for %d modalities", len(p.Modal), m))
	}
	for i, o := range p.Modal {
		src := ""
		if i < len(p.ModalSource) {
			src = p.ModalSource[i]
		}
		switch {
		case o == nil && src != "":
			errs = append(errs, fmt.Errorf("Predict: modality %d has no output but source %q", i, src))
		case o != nil && src != methods.SourcePartial && src != methods.SourceHead:
			errs = append(errs, fmt.Errorf("Predict: modality %d's output has source %q, want %q or %q", i, src, methods.SourcePartial, methods.SourceHead))
		case o != nil && !shaped(o, n, conformanceClasses):
			errs = append(errs, fmt.Errorf("Predict: modality %d's output is %v, want [%d, %d]", i, shapeOf(o), n, conformanceClasses))
		}
	}
	q, err := meth.Predict(r, b)
	if err != nil {
		return append(errs, fmt.Errorf("second Predict: %w", err))
	}
	if !shaped(q.Fused, n, conformanceClasses) || !Same(p.Fused, q.Fused) {
		errs = append(errs, errors.New("Predict twice on the same batch gave different fused scores"))
	}
	return errs
}

// state is a copy of everything evaluation must leave alone.
type state struct {
	values, grads, buffers map[string][]float32
	x                      [][]float32
	y                      []int
}

func captureState(r *methods.Run, b *methods.Batch) state {
	s := state{values: map[string][]float32{}, grads: map[string][]float32{}, buffers: map[string][]float32{}, y: slices.Clone(b.Y)}
	for _, p := range r.Model.Params() {
		s.values[p.Name] = slices.Clone(p.Value.Data)
		s.grads[p.Name] = slices.Clone(p.Grad.Data)
	}
	for _, bf := range r.Model.Buffers() {
		s.buffers[bf.Name] = slices.Clone(bf.Value.Data)
	}
	for _, x := range b.X {
		s.x = append(s.x, slices.Clone(x.Data))
	}
	return s
}

// diff names the first thing that differs between s and o, or "".
func (s state) diff(o state) string {
	for _, c := range []struct {
		what string
		a, b map[string][]float32
	}{{"parameter", s.values, o.values}, {"gradient of", s.grads, o.grads}, {"buffer", s.buffers, o.buffers}} {
		if len(c.a) != len(c.b) {
			return fmt.Sprintf("the set of %ss (%d, then %d)", c.what, len(c.b), len(c.a))
		}
		for name, v := range c.a {
			if !slices.Equal(v, c.b[name]) {
				return c.what + " " + name
			}
		}
	}
	for m := range s.x {
		if !slices.Equal(s.x[m], o.x[m]) {
			return fmt.Sprintf("the inputs of modality %d", m)
		}
	}
	if !slices.Equal(s.y, o.y) {
		return "the labels"
	}
	return ""
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func shaped(t *nn.Tensor, n, c int) bool {
	return t != nil && len(t.Shape) == 2 && t.Shape[0] == n && t.Shape[1] == c
}

func shapeOf(t *nn.Tensor) any {
	if t == nil {
		return "nil"
	}
	return t.Shape
}

// spyOptimizer records every call; Setup must make none.
type spyOptimizer struct{ calls []string }

// Step implements nn.Optimizer, recording the call.
func (s *spyOptimizer) Step() { s.calls = append(s.calls, "Step") }

// StepWhere implements nn.Optimizer, recording the call.
func (s *spyOptimizer) StepWhere(func(*nn.Param) bool) { s.calls = append(s.calls, "StepWhere") }

// ZeroGrad implements nn.Optimizer, recording the call.
func (s *spyOptimizer) ZeroGrad() { s.calls = append(s.calls, "ZeroGrad") }

// SetLRScale implements nn.Optimizer, recording the call.
func (s *spyOptimizer) SetLRScale(float64) { s.calls = append(s.calls, "SetLRScale") }

// Groups implements nn.Optimizer, recording the call.
func (s *spyOptimizer) Groups() []nn.ParamGroup { s.calls = append(s.calls, "Groups"); return nil }

// Reset implements nn.Optimizer, recording the call.
func (s *spyOptimizer) Reset() { s.calls = append(s.calls, "Reset") }

// SaveState implements nn.Optimizer, recording the call.
func (s *spyOptimizer) SaveState() nn.OptimizerState {
	s.calls = append(s.calls, "SaveState")
	return nn.OptimizerState{}
}

// LoadState implements nn.Optimizer, recording the call.
func (s *spyOptimizer) LoadState(nn.OptimizerState) error {
	s.calls = append(s.calls, "LoadState")
	return nil
}

// handLoop is the Loop of a hand-built run: its training and validation
// data are the same fixed batches.
type handLoop struct {
	batches []*methods.Batch
	opt     nn.Optimizer
	method  methods.Method
	run     *methods.Run
}

// TrainBatches implements methods.Loop over the fixed batches.
func (l *handLoop) TrainBatches(max int, fn func(*methods.Batch) error) error {
	for i, b := range l.batches {
		if max > 0 && i >= max {
			break
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// RestoreBest implements methods.Loop: nothing is selected by hand.
func (l *handLoop) RestoreBest() bool { return false }

// ResetOptimizer implements methods.Loop.
func (l *handLoop) ResetOptimizer() {
	if l.opt != nil {
		l.opt.Reset()
	}
}

// Evaluate implements methods.Loop on the fixed batches (fused scores only).
func (l *handLoop) Evaluate(split string) (methods.Scores, error) {
	if split == "test" {
		return methods.Scores{}, errors.New("the test split is not for methods")
	}
	var correct, n int
	var loss float64
	for _, b := range l.batches {
		p, err := l.method.Predict(l.run, b)
		if err != nil {
			return methods.Scores{}, err
		}
		for i, y := range b.Y {
			row := p.Fused.Row(i)
			if slices.Index(row, slices.Max(row)) == y {
				correct++
			}
		}
		loss += bench.MeanCrossEntropy(p.Fused, b.Y) * float64(b.Len())
		n += b.Len()
	}
	return methods.Scores{Loss: loss / float64(n), Acc: float64(correct) / float64(n)}, nil
}

// EvalBatches implements methods.Loop over the fixed batches.
func (l *handLoop) EvalBatches(split string, fn func(*methods.Batch) error) error {
	if split == "test" {
		return errors.New("the test split is not for methods")
	}
	return l.TrainBatches(0, fn)
}

// History implements methods.Loop: no epochs are recorded by hand.
func (l *handLoop) History() []methods.EpochScores { return nil }

// SetEpochSamples implements methods.Loop: accepted and not used.
func (l *handLoop) SetEpochSamples([]int) error { return nil }
