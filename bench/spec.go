// Package bench plans, trains and records benchmark runs: suite
// configuration, the plan (datasets x methods x grid x seeds), the run loop,
// the runner (workers, resume, shards), run records and metrics.
package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// RunSpec is the fully resolved configuration of one run. Its canonical JSON
// encoding (struct fields in order, map keys sorted) determines the run id,
// so two runs with the same RunSpec are the same run.
type RunSpec struct {
	Suite     string         `json:"suite"`
	Label     string         `json:"label"` // the table row: the method's label in the suite (e.g. "unimodal-audio")
	Dataset   DatasetSpec    `json:"dataset"`
	Method    string         `json:"method"`
	Params    map[string]any `json:"params"` // resolved hyperparameters, every one present
	Seed      uint64         `json:"seed"`
	Train     TrainSpec      `json:"train"`
	Model     ModelSpec      `json:"model"`
	Selection SelectionSpec  `json:"selection"`
}

// DatasetSpec names a dataset and how to open it.
type DatasetSpec struct {
	Name     string         `json:"name"`
	Root     string         `json:"root,omitempty"`
	Params   map[string]any `json:"params,omitempty"`
	Seed     uint64         `json:"seed"` // data seed (pairing, splits); fixed across training seeds unless the suite says otherwise
	SkipBad  bool           `json:"skip_bad,omitempty"`
	CacheDir string         `json:"-"` // machine-local; not part of the run's identity
}

// TrainSpec holds the optimisation settings.
type TrainSpec struct {
	Epochs        int          `json:"epochs"`
	BatchSize     int          `json:"batch_size"`
	EvalBatchSize int          `json:"eval_batch_size"`
	DropLast      bool         `json:"drop_last"`
	Optimizer     string       `json:"optimizer"` // sgd, adam, adamw
	LR            float64      `json:"lr"`
	Momentum      float64      `json:"momentum"`
	Nesterov      bool         `json:"nesterov,omitempty"`
	WeightDecay   float64      `json:"weight_decay"`
	Schedule      ScheduleSpec `json:"schedule"`
}

// ScheduleSpec is a learning-rate schedule.
type ScheduleSpec struct {
	Kind       string  `json:"kind"` // none, step, multistep, cosine
	StepSize   int     `json:"step_size,omitempty"`
	Gamma      float64 `json:"gamma,omitempty"`
	Milestones []int   `json:"milestones,omitempty"`
	Warmup     int     `json:"warmup,omitempty"` // linear warm-up epochs
}

// ModelSpec chooses encoders per modality and the fusion head.
type ModelSpec struct {
	Fusion   string                 `json:"fusion"` // concat, sum, film, gated
	Encoders map[string]EncoderSpec `json:"encoders"`
}

// EncoderSpec configures one modality's encoder.
type EncoderSpec struct {
	Kind   string `json:"kind"`             // mlp, cnn, resnet18
	Widths []int  `json:"widths,omitempty"` // cnn: channels per conv block; mlp: hidden widths
	Dim    int    `json:"dim,omitempty"`    // output feature width (mlp, cnn); resnet18 is 512
	// cnn only, one entry per width (absent: stride 1 and max2 everywhere):
	// each block's convolution stride and its pooling, "max<k>", "avg<k>"
	// or "none". Absent fields leave the run id of older suites unchanged.
	Strides []int    `json:"strides,omitempty"`
	Pools   []string `json:"pools,omitempty"`
}

// SelectionSpec says how the reported epoch is chosen.
type SelectionSpec struct {
	Split  string `json:"split"`  // "val" (default) or "test" (official protocol, flagged in tables)
	Metric string `json:"metric"` // acc, macro_f1, map
}

// ID is the run's identity: the first 16 hex digits of the SHA-256 of the
// canonical JSON of s.
func (s RunSpec) ID() string {
	b, err := json.Marshal(s)
	if err != nil {
		panic("bench: RunSpec not serialisable: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
