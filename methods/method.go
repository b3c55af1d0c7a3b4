// Package methods holds the Method interface, the registry of balanced
// multimodal learning methods, an embeddable Base that does joint training,
// and one file per method.
//
// A method never reads files, parses flags or prints: the run loop (package
// bench) hands it a Run with the model, the optimizer, a seeded random
// stream, the counters and a logger, and calls its hooks.
package methods

import (
	"math/rand/v2"

	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// Batch is one mini-batch: per-modality inputs in the dataset's modality
// order and the class labels.
type Batch struct {
	X []*nn.Tensor
	Y []int
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
	// ModalSource[m] says where Modal[m] came from: "partial" (partial
	// logits of the fusion head) or "head" (the method's own head).
	ModalSource []string
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
}

// Run is the state of one training run as a method sees it.
type Run struct {
	Model *model.Model
	// Opt is built by the run loop after Setup, from Model's parameters
	// grouped by Param.Group; Setup must not use it.
	Opt nn.Optimizer
	// RNG is the method's own stream, derived from (seed, "method").
	RNG *rand.Rand
	// InitRNG initialises parameters a method adds in Setup.
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
