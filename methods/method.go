// Package methods is the core every balanced-multimodal-learning method is
// built on: the Method interface, the registry (Spec, Register, Caps), an
// embeddable Base that does joint training, and the forward, fusion and
// backward helpers. Each method lives in its own package under methods/
// and registers itself in an init function; methods/all imports them all.
//
// A method never reads files, parses flags or prints: the run loop (package
// bench) hands it a Run with the model, the optimizer, seeded random
// streams, the counters, a logger and a Loop, and calls its hooks.
package methods

import (
	"fmt"
	"math/rand/v2"

	"github.com/miebench/miebench/internal/rngs"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// Batch is one mini-batch: per-modality inputs in the dataset's modality
// order and the class labels.
type Batch struct {
	X []*nn.Tensor
	Y []int
	// Index[i] is row i's sample index in its split (nil when the batch
	// was not drawn from a split, e.g. in a unit test).
	Index []int
	// Entry[i], in a training epoch, is row i's position in the epoch's
	// sample list (see Loop.SetEpochSamples); it equals Index[i] when the
	// epoch runs over the whole training split once. Nil elsewhere.
	Entry []int
}

// Len is the batch size.
func (b *Batch) Len() int { return len(b.Y) }

// Stats is what a training step reports.
type Stats struct {
	Loss float64 // the step's training loss; NaN or Inf ends the run as diverged
}

// Prediction holds evaluation outputs for a batch. Fused is [N, C]
// log-scores (logits or log-probabilities: softmax of a row gives class
// probabilities). Modal[m], when non-nil, is modality m's own [N, C]
// log-scores inside the multimodal model (partial logits or the method's
// unimodal head); nil entries are filled by the run loop with a linear probe
// on frozen features.
type Prediction struct {
	Fused *nn.Tensor
	Modal []*nn.Tensor
	// ModalSource[m] says where Modal[m] came from: SourcePartial or
	// SourceHead.
	ModalSource []string
}

// Where a modality's reported accuracy comes from (Prediction.ModalSource
// and the record's modality_source).
const (
	SourcePartial = "partial" // the fusion head's partial logits
	SourceHead    = "head"    // the method's own per-modality head (Model.Heads)
	SourceProbe   = "probe"   // the run loop's linear probe on frozen features
)

// Scores is an evaluation of the current model on one split, computed from
// the method's own Predict: the fused output's mean cross-entropy and
// accuracy, and for every modality Predict gives an output, its accuracy
// and mean cross-entropy (keyed by modality name).
type Scores struct {
	Loss, Acc float64
	ModalAcc  map[string]float64
	ModalLoss map[string]float64
}

// EpochScores is one finished epoch as a method may see it: the mean
// training loss and the validation scores. The test split is never shown
// to a method.
type EpochScores struct {
	Epoch     int
	TrainLoss float64
	Val       Scores
}

// Loop is what the run loop offers a method beyond the model and optimizer.
type Loop interface {
	// TrainBatches calls fn on the first max batches (all when max <= 0) of
	// the training split in an order shuffled by the method's data stream,
	// without augmentation. fn must not keep b after it returns.
	TrainBatches(max int, fn func(b *Batch) error) error
	// RestoreBest loads the parameters and buffers of the best epoch so far,
	// selected on the suite's selection split (validation unless the suite
	// asks for the official protocol); it reports false if no epoch has
	// been evaluated yet.
	RestoreBest() bool
	// ResetOptimizer forgets all optimizer state and restarts the learning
	// rate schedule at the current epoch.
	ResetOptimizer()
	// Evaluate scores the current model on split "train" or "val" through
	// the method's Predict, in evaluation mode and without augmentation;
	// "test" is refused.
	Evaluate(split string) (Scores, error)
	// EvalBatches calls fn on split "train" or "val" in sample order, in
	// evaluation batches, without augmentation; b.Index holds the samples'
	// indices in the split. "test" is refused. fn must not keep b.
	EvalBatches(split string, fn func(b *Batch) error) error
	// History returns the epochs finished so far (validation only).
	History() []EpochScores
	// SetEpochSamples makes the next training epoch run over the given
	// training-sample indices (repeats allowed, in an order shuffled by the
	// data stream) instead of every sample once: sample-level reweighting
	// or resampling. A nil list restores the default. The batches per
	// epoch follow the list's length.
	SetEpochSamples(idx []int) error
}

// Run is the state of one training run as a method sees it.
type Run struct {
	Seed  uint64 // the run's seed, from which InitStream derives streams
	Model *model.Model
	// Opt is built by the run loop after Setup, from Model's parameters
	// grouped by Param.Group; Setup must not use it.
	Opt nn.Optimizer
	// RNG is the method's own stream, derived from (seed, "method").
	RNG *rand.Rand
	// InitRNG is one stream shared by everything a method initialises, in
	// the order it is created.
	//
	// Deprecated: use InitStream, whose stream per module does not depend
	// on what else was created before; no method of miebench uses InitRNG.
	InitRNG *rand.Rand

	Epoch           int // current epoch, 0-based
	Epochs          int // total epochs
	Batch           int // batch index within the epoch, 0-based
	BatchesPerEpoch int
	Step            int // global step count, 0-based

	Loop Loop
	// Log records a per-step scalar under name (e.g. "ratio_v", "k_a");
	// the record's history keeps its per-epoch mean, min and max. NaN and
	// Inf are dropped (a record cannot hold them).
	Log func(name string, v float64)

	saved map[string]*nn.Snapshot
}

// InitStream returns the initialisation stream of the module named name
// (e.g. "head.audio.aux"), derived from (Seed, "init/"+name): a module's
// initial weights then depend on neither the other modules nor the order
// in which they are built.
func (r *Run) InitStream(name string) *rand.Rand {
	return rngs.Stream(r.Seed, "init/"+name)
}

// Save stores a named copy of every parameter and buffer of the model
// ("init" in Setup for the initial weights, "epoch" in StartEpoch, a
// temporary copy before a trial); a later Save under the same name
// replaces it.
func (r *Run) Save(name string) {
	if r.saved == nil {
		r.saved = map[string]*nn.Snapshot{}
	}
	r.saved[name] = nn.Capture(r.Model.Params(), r.Model.Buffers())
}

// Saved returns the copy stored under name, whose Params map each
// parameter's name to its saved value, for rules that mix saved and
// current weights.
func (r *Run) Saved(name string) (*nn.Snapshot, bool) {
	s, ok := r.saved[name]
	return s, ok
}

// Load copies the values saved under name back into the model.
func (r *Run) Load(name string) error {
	s, ok := r.saved[name]
	if !ok {
		return fmt.Errorf("no parameters saved under %q", name)
	}
	if err := s.Restore(r.Model.Params(), r.Model.Buffers()); err != nil {
		return fmt.Errorf("loading parameters saved under %q: %w", name, err)
	}
	return nil
}

// Method owns the optimisation step and may hook epochs and inference.
type Method interface {
	// Setup prepares extra heads and state; it may replace parts of
	// r.Model. It runs once, before the optimizer is built.
	Setup(r *Run) error
	// StartEpoch runs before each epoch's first step.
	StartEpoch(r *Run, epoch int) error
	// Step does one optimisation step on b: forward, loss, backward,
	// gradient modification, optimizer update.
	Step(r *Run, b *Batch) (Stats, error)
	// EndEpoch runs after each epoch's last step, before evaluation.
	EndEpoch(r *Run, epoch int) error
	// Predict returns evaluation outputs for b (model in eval mode).
	Predict(r *Run, b *Batch) (Prediction, error)
}
