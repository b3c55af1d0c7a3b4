package sizing

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/datasets"
	"github.com/miebench/miebench/internal/rngs"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// Timing is a run's measured warm-up and what it implies for the run.
type Timing struct {
	Step time.Duration // one joint-training step at the training batch size
	Eval time.Duration // one evaluation forward at the evaluation batch size
	// Steps and EvalBatches are per epoch; Epochs is the run's.
	Steps, EvalBatches, Epochs int
}

// Run is the run's estimated training time: per epoch, every training step
// and the evaluation of the validation and test splits.
func (t Timing) Run() time.Duration {
	return time.Duration(t.Epochs) * (time.Duration(t.Steps)*t.Step + time.Duration(t.EvalBatches)*t.Eval)
}

// Model builds the run's model for a dataset as training does: the spec's
// encoders per modality in the dataset's order, its fusion head, the
// parameters initialised from the run's seed.
func Model(spec bench.RunSpec, info datasets.Info) (*model.Model, error) {
	cfg := model.Config{Fusion: spec.Model.Fusion, NumClasses: len(info.Classes)}
	for _, m := range info.Modalities {
		e, ok := spec.Model.Encoders[m.Name]
		if !ok {
			return nil, fmt.Errorf("no encoder configured for modality %q", m.Name)
		}
		cfg.Modalities = append(cfg.Modalities, m.Name)
		cfg.Shapes = append(cfg.Shapes, m.Shape)
		cfg.Encoders = append(cfg.Encoders, model.EncoderConfig{Kind: e.Kind, Widths: e.Widths, Dim: e.Dim, Strides: e.Strides, Pools: e.Pools})
	}
	return model.New(cfg, rngs.Stream(spec.Seed, "model/init"))
}

// optimizer is the spec's optimizer over every parameter in one group.
func optimizer(tr bench.TrainSpec, params []*nn.Param) (nn.Optimizer, error) {
	groups := []nn.ParamGroup{{Name: "all", Params: params, LR: tr.LR, WeightDecay: tr.WeightDecay}}
	switch tr.Optimizer {
	case "sgd", "":
		return nn.NewSGD(groups, tr.Momentum, tr.Nesterov), nil
	case "adam":
		return nn.NewAdam(groups, 0.9, 0.999, 1e-8), nil
	case "adamw":
		return nn.NewAdamW(groups, 0.9, 0.999, 1e-8), nil
	}
	return nil, fmt.Errorf("unknown optimizer %q", tr.Optimizer)
}

// Warmup measures the run on its dataset: it builds the model, trains two
// joint-training steps on the first training samples (the first allocates
// the layers' buffers and is not timed) and times the second, then times
// one evaluation forward on the first validation samples. Methods that do
// more per step than joint training (a second pass for SAM, one pass per
// modality) take correspondingly longer than the estimate.
func Warmup(spec bench.RunSpec, ds datasets.Dataset) (Timing, error) {
	tr := spec.Train
	info := ds.Info()
	train, err := ds.Split("train")
	if err != nil {
		return Timing{}, fmt.Errorf("warm-up %s: %w", spec.Label, err)
	}
	val, err := ds.Split("val")
	if err != nil {
		return Timing{}, fmt.Errorf("warm-up %s: %w", spec.Label, err)
	}
	test, err := ds.Split("test")
	if err != nil {
		return Timing{}, fmt.Errorf("warm-up %s: %w", spec.Label, err)
	}
	eb := tr.EvalBatchSize
	if eb <= 0 {
		eb = tr.BatchSize
	}
	t := Timing{Epochs: tr.Epochs, Steps: train.Len() / max(1, tr.BatchSize)}
	if !tr.DropLast && train.Len()%max(1, tr.BatchSize) != 0 {
		t.Steps++
	}
	t.EvalBatches = (val.Len()+eb-1)/eb + (test.Len()+eb-1)/eb
	if tr.BatchSize <= 0 || train.Len() == 0 || val.Len() == 0 {
		return Timing{}, fmt.Errorf("warm-up %s: batch size %d, %d training and %d validation samples", spec.Label, tr.BatchSize, train.Len(), val.Len())
	}
	md, err := Model(spec, info)
	if err != nil {
		return Timing{}, fmt.Errorf("warm-up %s: %w", spec.Label, err)
	}
	opt, err := optimizer(tr, md.Params())
	if err != nil {
		return Timing{}, fmt.Errorf("warm-up %s: %w", spec.Label, err)
	}
	x, y, err := first(train, min(tr.BatchSize, train.Len()), rngs.Stream(spec.Seed, "data/augment"))
	if err != nil {
		return Timing{}, fmt.Errorf("warm-up %s: training batch: %w", spec.Label, err)
	}
	if err := Step(md, opt, x, y); err != nil {
		return Timing{}, fmt.Errorf("warm-up %s: %w", spec.Label, err)
	}
	t0 := time.Now()
	if err := Step(md, opt, x, y); err != nil {
		return Timing{}, fmt.Errorf("warm-up %s: %w", spec.Label, err)
	}
	t.Step = time.Since(t0)
	ex, _, err := first(val, min(eb, val.Len()), nil)
	if err != nil {
		return Timing{}, fmt.Errorf("warm-up %s: evaluation batch: %w", spec.Label, err)
	}
	t0 = time.Now()
	EvalForward(md, ex)
	t.Eval = time.Since(t0)
	return t, nil
}

// first loads a split's first n samples, augmented from aug (nil: not
// augmented, as for evaluation).
func first(s datasets.Split, n int, aug *rand.Rand) ([]*nn.Tensor, []int, error) {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	x, err := s.Load(idx, aug)
	if err != nil {
		return nil, nil, err
	}
	return x, s.Labels()[:n], nil
}

// Step is one joint-training step: every encoder and the fusion head
// forward, softmax cross-entropy, backward, one optimizer update.
func Step(md *model.Model, opt nn.Optimizer, x []*nn.Tensor, y []int) error {
	if md.Fusion == nil {
		return fmt.Errorf("the model has no fusion head")
	}
	opt.ZeroGrad()
	z := make([]*nn.Tensor, len(md.Encoders))
	for i, e := range md.Encoders {
		z[i] = e.Forward(x[i], true)
	}
	_, d := nn.SoftmaxCrossEntropy(md.Fusion.Forward(z, true), y)
	for i, dz := range md.Fusion.Backward(d) {
		md.Encoders[i].Backward(dz)
	}
	opt.Step()
	return nil
}

// EvalForward is one evaluation forward of every encoder and the fusion
// head, as evaluation runs it.
func EvalForward(md *model.Model, x []*nn.Tensor) *nn.Tensor {
	z := make([]*nn.Tensor, len(md.Encoders))
	for i, e := range md.Encoders {
		z[i] = e.Forward(x[i], false)
	}
	return md.Fusion.Forward(z, false)
}
