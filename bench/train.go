package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/miebench/miebench/datasets"
	"github.com/miebench/miebench/internal/rngs"
	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// TrainOptions are per-invocation settings of Train that are not part of a
// run's identity.
type TrainOptions struct {
	// Progress, when non-nil, is called after each epoch.
	Progress func(epoch, epochs int)
	// CacheDir, when non-empty, is the loaders' feature cache directory.
	CacheDir string
}

// Train trains and evaluates one run and returns its record. A run that
// fails (bad data, divergence, a method error) returns a record with status
// "failed" and the reason, and a nil error. A non-nil error means the run did
// not finish (ctx was cancelled) and nothing should be written for it.
func Train(ctx context.Context, spec RunSpec, opt TrainOptions) (*Record, error) {
	start := time.Now()
	rec := &Record{
		ID:         spec.ID(),
		Suite:      spec.Suite,
		Dataset:    spec.Dataset.Name,
		Method:     spec.Method,
		Label:      spec.Label,
		Seed:       spec.Seed,
		Params:     spec.Params,
		Status:     "ok",
		SelectedOn: spec.Selection.Split,
		Version:    buildVersion(),
		Spec:       spec,
	}
	if rec.SelectedOn == "" {
		rec.SelectedOn = "val"
	}
	t := &trainer{spec: spec, rec: rec, opt: opt}
	err := t.run(ctx)
	rec.ElapsedS = math.Round(time.Since(start).Seconds()*1000) / 1000
	if t.mr != nil && err == nil {
		rec.Cost = t.cost.cost(t.mr.Model.Params(), t.mr.Step)
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return nil, err
		}
		rec.Status = "failed"
		rec.Error = err.Error()
	}
	return rec, nil
}

// trainer is one run in progress.
type trainer struct {
	spec RunSpec
	rec  *Record
	opt  TrainOptions

	info   datasets.Info
	data   datasets.Dataset // the opened dataset (its corruptions)
	splits map[string]datasets.Split
	method methods.Method
	mr     *methods.Run // the method's view of the run
	optim  nn.Optimizer
	sched  nn.Schedule

	schedOrigin int
	best        *nn.Snapshot
	bestScore   float64
	bestEpoch   int
	bestMetrics map[string]Metrics

	logs    map[string]*Summary
	history []methods.EpochScores // what Loop.History shows the method
	samples []int                 // the next epoch's training samples (Loop.SetEpochSamples); nil: all once
	dataRNG *rand.Rand
	augRNG  *rand.Rand
	loopRNG *rand.Rand

	cost costMeter
}

func (t *trainer) run(ctx context.Context) error {
	spec := t.spec
	if err := t.open(); err != nil {
		return err
	}
	ms, err := methods.Lookup(spec.Method)
	if err != nil {
		return err
	}
	h, err := methods.Resolve(ms.Params, spec.Params)
	if err != nil {
		return fmt.Errorf("method %s: %w", spec.Method, err)
	}
	pi := planInfo(modalityNames(t.info), spec.Model, spec.Train)
	pi.Classes = len(t.info.Classes)
	if err := ms.CheckPlan(h, pi); err != nil {
		return err
	}
	t.method, err = ms.New(h)
	if err != nil {
		return fmt.Errorf("method %s: %w", spec.Method, err)
	}
	md, err := t.buildModel()
	if err != nil {
		return err
	}
	tr := spec.Train
	if tr.Epochs <= 0 || tr.BatchSize <= 0 {
		return fmt.Errorf("train: epochs (%d) and batch_size (%d) must be positive", tr.Epochs, tr.BatchSize)
	}
	nTrain := t.splits["train"].Len()
	batches := batchCount(nTrain, tr)
	if batches == 0 {
		return fmt.Errorf("train: %d training samples make no batch of %d", nTrain, tr.BatchSize)
	}
	t.dataRNG = rngs.Stream(spec.Seed, "data/shuffle")
	t.augRNG = rngs.Stream(spec.Seed, "data/augment")
	t.loopRNG = rngs.Stream(spec.Seed, "method/batches")
	t.logs = map[string]*Summary{}
	t.mr = &methods.Run{
		Seed:            spec.Seed,
		Model:           md,
		RNG:             rngs.Stream(spec.Seed, "method"),
		InitRNG:         rngs.Stream(spec.Seed, "method/init"),
		Epochs:          tr.Epochs,
		BatchesPerEpoch: batches,
		Loop:            t,
		Log:             t.log,
	}
	if err := t.method.Setup(t.mr); err != nil {
		return fmt.Errorf("method %s: setup: %w", spec.Method, err)
	}
	if t.optim, err = buildOptimizer(tr, md.Params()); err != nil {
		return err
	}
	t.mr.Opt = t.optim
	if t.sched, err = buildSchedule(tr.Schedule, tr.Epochs); err != nil {
		return err
	}
	t.bestEpoch = -1
	for epoch := range tr.Epochs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := t.epoch(ctx, epoch); err != nil {
			return err
		}
		if t.opt.Progress != nil {
			t.opt.Progress(epoch, tr.Epochs)
		}
	}
	return t.finish()
}

// batchCount is the number of training batches n samples make.
func batchCount(n int, tr TrainSpec) int {
	b := n / tr.BatchSize
	if !tr.DropLast && n%tr.BatchSize != 0 {
		b++
	}
	return b
}

func modalityNames(info datasets.Info) []string {
	names := make([]string, len(info.Modalities))
	for i, m := range info.Modalities {
		names[i] = m.Name
	}
	return names
}

func (t *trainer) open() error {
	ds := t.spec.Dataset
	if ds.CacheDir == "" {
		ds.CacheDir = t.opt.CacheDir
	}
	d, err := OpenDataset(ds)
	if err != nil {
		return err
	}
	t.info, t.data = d.Info(), d
	t.splits = map[string]datasets.Split{}
	for _, name := range datasets.SplitNames {
		s, err := d.Split(name)
		if err != nil {
			return fmt.Errorf("dataset %s: split %s: %w", t.spec.Dataset.Name, name, err)
		}
		if s.Len() == 0 {
			return fmt.Errorf("dataset %s: split %s is empty", t.spec.Dataset.Name, name)
		}
		t.splits[name] = s
		t.rec.Skipped += s.Skipped()
	}
	return nil
}

func (t *trainer) buildModel() (*model.Model, error) {
	cfg := model.Config{Fusion: t.spec.Model.Fusion, NumClasses: len(t.info.Classes)}
	for _, m := range t.info.Modalities {
		e, ok := t.spec.Model.Encoders[m.Name]
		if !ok {
			return nil, fmt.Errorf("model: no encoder configured for modality %q (dataset %s has %v)", m.Name, t.info.Name, modalityNames(t.info))
		}
		cfg.Modalities = append(cfg.Modalities, m.Name)
		cfg.Shapes = append(cfg.Shapes, m.Shape)
		cfg.Encoders = append(cfg.Encoders, model.EncoderConfig{Kind: e.Kind, Widths: e.Widths, Dim: e.Dim, Strides: e.Strides, Pools: e.Pools})
	}
	// One stream per module from (seed, module name): a modality's encoder
	// starts from the same weights in a unimodal baseline and in any
	// multimodal model, whatever other modalities the dataset has.
	return model.NewFromStreams(cfg, func(module string) *rand.Rand {
		return rngs.Stream(t.spec.Seed, "init/"+module)
	})
}

func buildOptimizer(tr TrainSpec, params []*nn.Param) (nn.Optimizer, error) {
	var groups []nn.ParamGroup
	index := map[string]int{}
	for _, p := range params {
		i, ok := index[p.Group]
		if !ok {
			i = len(groups)
			index[p.Group] = i
			groups = append(groups, nn.ParamGroup{Name: p.Group, LR: tr.LR, WeightDecay: tr.WeightDecay})
		}
		groups[i].Params = append(groups[i].Params, p)
	}
	switch tr.Optimizer {
	case "sgd", "":
		return nn.NewSGD(groups, tr.Momentum, tr.Nesterov), nil
	case "adam":
		return nn.NewAdam(groups, 0.9, 0.999, 1e-8), nil
	case "adamw":
		return nn.NewAdamW(groups, 0.9, 0.999, 1e-8), nil
	}
	return nil, fmt.Errorf("train: unknown optimizer %q (valid: %s)", tr.Optimizer, strings.Join(Optimizers, ", "))
}

func buildSchedule(s ScheduleSpec, epochs int) (nn.Schedule, error) {
	var base nn.Schedule
	switch s.Kind {
	case "", "none":
		base = nn.ConstantLR{}
	case "step":
		if s.StepSize <= 0 {
			return nil, fmt.Errorf("train: schedule step needs step_size > 0")
		}
		base = nn.StepLR{StepSize: s.StepSize, Gamma: s.Gamma}
	case "multistep":
		base = nn.MultiStepLR{Milestones: s.Milestones, Gamma: s.Gamma}
	case "cosine":
		base = nn.CosineLR{Epochs: epochs}
	default:
		return nil, fmt.Errorf("train: unknown schedule %q (valid: %s)", s.Kind, strings.Join(ScheduleKinds, ", "))
	}
	if s.Warmup > 0 {
		return nn.LinearWarmup{Epochs: s.Warmup, Then: base}, nil
	}
	return base, nil
}

// log implements Run.Log.
// Non-finite values (a ratio over an underflowed score, say) are dropped:
// a record cannot hold NaN or Inf, and one such step is not worth failing
// the run for; the summary's N counts the values kept.
func (t *trainer) log(name string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	s, ok := t.logs[name]
	if !ok {
		s = &Summary{Min: math.Inf(1), Max: math.Inf(-1)}
		t.logs[name] = s
	}
	s.Mean += v // running sum until the epoch ends
	s.N++
	s.Min = min(s.Min, v)
	s.Max = max(s.Max, v)
}

func (t *trainer) epoch(ctx context.Context, epoch int) error {
	r, tr := t.mr, t.spec.Train
	r.Epoch = epoch
	if err := t.method.StartEpoch(r, epoch); err != nil {
		return fmt.Errorf("method %s: epoch %d: %w", t.spec.Method, epoch, err)
	}
	// After StartEpoch, which may restart the schedule (MIE's stages).
	scale := t.sched.Scale(epoch - t.schedOrigin)
	t.optim.SetLRScale(scale)
	train := t.splits["train"]
	samples, n := t.samples, train.Len()
	if samples != nil {
		n = len(samples)
	}
	r.BatchesPerEpoch = batchCount(n, tr)
	if r.BatchesPerEpoch == 0 {
		return fmt.Errorf("method %s: epoch %d: the %d samples set for the epoch make no batch of %d", t.spec.Method, epoch, n, tr.BatchSize)
	}
	perm := t.dataRNG.Perm(n)
	labels := train.Labels()
	lossSum, seen := 0.0, 0
	t0 := time.Now()
	for bi := range r.BatchesPerEpoch {
		if err := ctx.Err(); err != nil {
			return err
		}
		lo := bi * tr.BatchSize
		hi := min(lo+tr.BatchSize, len(perm))
		entries := perm[lo:hi]
		idx := entries
		if samples != nil {
			idx = make([]int, len(entries))
			for i, e := range entries {
				idx[i] = samples[e]
			}
		}
		b, err := loadBatch(train, labels, idx, t.augRNG)
		if err != nil {
			return err
		}
		b.Entry = append([]int(nil), entries...)
		r.Batch = bi
		st, err := t.method.Step(r, b)
		if err != nil {
			return fmt.Errorf("method %s: epoch %d batch %d: %w", t.spec.Method, epoch, bi, err)
		}
		if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
			return fmt.Errorf("diverged: training loss %v at epoch %d, batch %d", st.Loss, epoch, bi)
		}
		lossSum += st.Loss * float64(len(idx))
		seen += len(idx)
		r.Step++
	}
	t.cost.train += time.Since(t0)
	if err := t.method.EndEpoch(r, epoch); err != nil {
		return fmt.Errorf("method %s: end of epoch %d: %w", t.spec.Method, epoch, err)
	}
	t0 = time.Now()
	val, valScores, err := t.evaluate("val")
	if err != nil {
		return err
	}
	test, _, err := t.evaluate("test")
	if err != nil {
		return err
	}
	t.cost.eval += time.Since(t0)
	t.history = append(t.history, methods.EpochScores{Epoch: epoch, TrainLoss: lossSum / float64(seen), Val: valScores})
	er := EpochRecord{Epoch: epoch, TrainLoss: lossSum / float64(seen), LR: t.spec.Train.LR * scale, Val: val, Test: test}
	if len(t.logs) > 0 {
		er.Method = map[string]Summary{}
		for k, s := range t.logs {
			s.Mean /= float64(s.N)
			er.Method[k] = *s
		}
		t.logs = map[string]*Summary{}
	}
	t.rec.History = append(t.rec.History, er)
	sel := val
	if t.rec.SelectedOn == "test" {
		sel = test
	}
	score, err := selectionScore(sel, t.spec.Selection.Metric)
	if err != nil {
		return err
	}
	if t.bestEpoch < 0 || score > t.bestScore {
		t.bestEpoch, t.bestScore = epoch, score
		t.best = nn.Capture(r.Model.Params(), r.Model.Buffers())
		t.bestMetrics = map[string]Metrics{"val": val, "test": test}
	}
	return nil
}

// selectionScore is the value an epoch is selected by: the metric, or
// minus the loss; higher is better.
func selectionScore(m Metrics, metric string) (float64, error) {
	if metric == "" {
		metric = "acc"
	}
	v, ok := m.Value(metric)
	if !ok {
		return 0, fmt.Errorf("selection: unknown metric %q (valid: %s, loss)", metric, strings.Join(MetricNames, ", "))
	}
	if metric == "loss" {
		return -v, nil
	}
	return v, nil
}

func loadBatch(s datasets.Split, labels, idx []int, aug *rand.Rand) (*methods.Batch, error) {
	x, err := s.Load(idx, aug)
	if err != nil {
		return nil, err
	}
	y := make([]int, len(idx))
	for i, j := range idx {
		y[i] = labels[j]
	}
	return &methods.Batch{X: x, Y: y, Index: append([]int(nil), idx...)}, nil
}

// evaluation holds a split's concatenated predictions.
type evaluation struct {
	fused  *nn.Tensor
	modal  []*nn.Tensor
	source []string
	y      []int
}

// evalBatches calls fn on a split's samples in order, in batches of the
// suite's evaluation batch size, without augmentation; lo is the index of
// the batch's first sample.
func (t *trainer) evalBatches(split string, fn func(lo int, b *methods.Batch) error) error {
	s := t.splits[split]
	labels := s.Labels()
	bs := t.spec.Train.EvalBatchSize
	if bs <= 0 {
		bs = t.spec.Train.BatchSize // the suites' default
	}
	for lo := 0; lo < s.Len(); lo += bs {
		idx := make([]int, min(lo+bs, s.Len())-lo)
		for i := range idx {
			idx[i] = lo + i
		}
		b, err := loadBatch(s, labels, idx, nil)
		if err != nil {
			return err
		}
		if err := fn(lo, b); err != nil {
			return err
		}
	}
	return nil
}

func (t *trainer) predict(split string) (*evaluation, error) {
	s := t.splits[split]
	n := s.Len()
	classes := len(t.info.Classes)
	mods := len(t.info.Modalities)
	ev := &evaluation{fused: nn.NewTensor(n, classes), modal: make([]*nn.Tensor, mods), source: make([]string, mods), y: s.Labels()}
	err := t.evalBatches(split, func(lo int, b *methods.Batch) error {
		p, err := t.method.Predict(t.mr, b)
		if err != nil {
			return fmt.Errorf("method %s: predict on %s: %w", t.spec.Method, split, err)
		}
		if p.Fused == nil || p.Fused.Rows() != b.Len() || p.Fused.RowLen() != classes {
			return fmt.Errorf("method %s: predict on %s returned no [%d, %d] fused scores", t.spec.Method, split, b.Len(), classes)
		}
		copy(ev.fused.Data[lo*classes:], p.Fused.Data)
		for m := range mods {
			if m < len(p.Modal) && p.Modal[m] != nil {
				if ev.modal[m] == nil {
					ev.modal[m] = nn.NewTensor(n, classes)
					if m < len(p.ModalSource) {
						ev.source[m] = p.ModalSource[m]
					}
				}
				copy(ev.modal[m].Data[lo*classes:], p.Modal[m].Data)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// evaluate scores the current model on split: the record's metrics and
// the method's view of them (Loop.Evaluate, Loop.History).
func (t *trainer) evaluate(split string) (Metrics, methods.Scores, error) {
	ev, err := t.predict(split)
	if err != nil {
		return Metrics{}, methods.Scores{}, err
	}
	classes := len(t.info.Classes)
	pred := Argmax(ev.fused)
	m := Metrics{
		Acc:     Accuracy(pred, ev.y),
		MacroF1: MacroF1(pred, ev.y, classes),
		MAP:     MeanAveragePrecision(ev.fused, ev.y, classes),
		Loss:    MeanCrossEntropy(ev.fused, ev.y),
	}
	sc := methods.Scores{Loss: m.Loss, Acc: m.Acc}
	for i, mod := range t.info.Modalities {
		if ev.modal[i] == nil {
			continue
		}
		if m.ModalityAcc == nil {
			m.ModalityAcc, m.ModalitySource = map[string]float64{}, map[string]string{}
			sc.ModalAcc, sc.ModalLoss = map[string]float64{}, map[string]float64{}
		}
		m.ModalityAcc[mod.Name] = Accuracy(Argmax(ev.modal[i]), ev.y)
		m.ModalitySource[mod.Name] = ev.source[i]
		sc.ModalAcc[mod.Name] = m.ModalityAcc[mod.Name]
		sc.ModalLoss[mod.Name] = MeanCrossEntropy(ev.modal[i], ev.y)
	}
	if math.IsNaN(m.Loss) || math.IsInf(m.Loss, 0) {
		return m, sc, fmt.Errorf("diverged: %s loss %v", split, m.Loss)
	}
	return m, sc, nil
}

// finish restores the selected epoch, adds linear-probe modality accuracies
// where the model has no per-modality output, and fills the record.
func (t *trainer) finish() error {
	if t.bestEpoch < 0 {
		return fmt.Errorf("no epoch was evaluated")
	}
	t.rec.SelectedEpoch = t.bestEpoch
	t.rec.Metrics = t.bestMetrics
	if err := t.best.Restore(t.mr.Model.Params(), t.mr.Model.Buffers()); err != nil {
		return fmt.Errorf("restoring the selected epoch: %w", err)
	}
	t0 := time.Now()
	defer func() { t.cost.eval += time.Since(t0) }()
	if err := t.probeModalities(); err != nil {
		return err
	}
	return t.robustness()
}

// TrainBatches implements methods.Loop.
func (t *trainer) TrainBatches(maxBatches int, fn func(b *methods.Batch) error) error {
	train := t.splits["train"]
	perm := t.loopRNG.Perm(train.Len())
	labels := train.Labels()
	bs := t.spec.Train.BatchSize
	for bi := 0; bi*bs < len(perm); bi++ {
		if maxBatches > 0 && bi >= maxBatches {
			break
		}
		b, err := loadBatch(train, labels, perm[bi*bs:min((bi+1)*bs, len(perm))], nil)
		if err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// RestoreBest implements methods.Loop.
func (t *trainer) RestoreBest() bool {
	if t.best == nil {
		return false
	}
	if err := t.best.Restore(t.mr.Model.Params(), t.mr.Model.Buffers()); err != nil {
		panic("bench: restoring the best snapshot: " + err.Error())
	}
	return true
}

// methodSplit refuses the test split to a method.
func methodSplit(split string) error {
	if split != "train" && split != "val" {
		return fmt.Errorf("a method may evaluate on train or val, not %q", split)
	}
	return nil
}

// Evaluate implements methods.Loop.
func (t *trainer) Evaluate(split string) (methods.Scores, error) {
	if err := methodSplit(split); err != nil {
		return methods.Scores{}, err
	}
	_, sc, err := t.evaluate(split)
	return sc, err
}

// EvalBatches implements methods.Loop.
func (t *trainer) EvalBatches(split string, fn func(b *methods.Batch) error) error {
	if err := methodSplit(split); err != nil {
		return err
	}
	return t.evalBatches(split, func(_ int, b *methods.Batch) error { return fn(b) })
}

// History implements methods.Loop.
func (t *trainer) History() []methods.EpochScores {
	return append([]methods.EpochScores(nil), t.history...)
}

// SetEpochSamples implements methods.Loop.
func (t *trainer) SetEpochSamples(idx []int) error {
	n := t.splits["train"].Len()
	for i, j := range idx {
		if j < 0 || j >= n {
			return fmt.Errorf("epoch samples: entry %d is sample %d, the training split has %d", i, j, n)
		}
	}
	if idx == nil {
		t.samples = nil
		return nil
	}
	t.samples = append([]int{}, idx...)
	return nil
}

// ResetOptimizer implements methods.Loop.
func (t *trainer) ResetOptimizer() {
	t.optim.Reset()
	t.optim.ZeroGrad()
	t.schedOrigin = t.mr.Epoch
}
