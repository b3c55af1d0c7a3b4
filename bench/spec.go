// Package bench plans, trains and records benchmark runs: suite
// configuration, the plan (datasets x methods x grid x seeds), the run loop,
// the runner (workers, resume, shards), run records and metrics.
package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/miebench/miebench/datasets"
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
	// Robustness, when set, adds the robustness evaluation (part of the
	// id: the record holds more; nil leaves the ids of other runs as they were).
	Robustness *RobustnessSpec `json:"robustness,omitempty"`
	// Layout is the table layout of the suite the run was planned in,
	// copied into the run's record; it is not part of the run's identity.
	Layout *TableLayout `json:"-"`
	// Search is the run's search trial, copied into its record (its
	// sampled values are in Params, which the id covers).
	Search *SearchTrial `json:"-"`
}

// DatasetSpec names a dataset and how to open it. The data root is where
// the data is on this machine, not part of the run's identity: the
// fingerprint of the data's content is.
type DatasetSpec struct {
	Name string `json:"name"`
	Root string `json:"root,omitempty"`
	// Fingerprint is the hash of the data's content (datasets.Fingerprint's
	// Hash), set by Plan when the dataset has a root; "" for shipped data.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Data is the full fingerprint, copied to the record.
	Data     *datasets.Fingerprint `json:"-"`
	Params   map[string]any        `json:"params,omitempty"`
	Seed     uint64                `json:"seed"` // data seed (pairing, splits); fixed across training seeds unless the suite says otherwise
	SkipBad  bool                  `json:"skip_bad,omitempty"`
	CacheDir string                `json:"-"` // machine-local; not part of the run's identity
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
// canonical JSON of s without the data root, so the same data (same
// fingerprint) at another path is the same run. Plan guarantees that every
// planned spec is serialisable.
func (s RunSpec) ID() string {
	s.Dataset.Root = ""
	return specHash(s)
}

// ConfigKey identifies the run's configuration regardless of the data: the
// ID without the data fingerprint. Two records with one ConfigKey and
// different IDs are the same run on different data.
func (s RunSpec) ConfigKey() string {
	s.Dataset.Root, s.Dataset.Fingerprint = "", ""
	return specHash(s)
}

func specHash(s RunSpec) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic("bench: RunSpec not serialisable (Plan checks every number): " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
