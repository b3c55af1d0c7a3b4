// Package datasets defines what a dataset is for miebench (its modalities,
// classes, samples, labels and splits) and keeps a registry of datasets by
// name. Decoding file formats is package loaders' job.
package datasets

import (
	"math/rand/v2"

	"github.com/miebench/miebench/internal/registry"

	"github.com/miebench/miebench/nn"
)

// Modality describes one input stream of a dataset.
type Modality struct {
	Name  string // e.g. "audio", "visual", "text"; used in records and tables
	Kind  string // "spectrogram", "image", "frames", "features"
	Shape []int  // per-sample tensor shape, e.g. [1 257 188], [3 3 224 224] (T,C,H,W), [512]
}

// Info is a dataset's static description.
type Info struct {
	Name       string
	Modalities []Modality
	Classes    []string
}

// Split is one partition (train, val or test) of a dataset.
type Split interface {
	// Len is the number of samples.
	Len() int
	// Labels returns the class index of every sample, in sample order.
	Labels() []int
	// Load returns, for each modality in Info order, a batch tensor of shape
	// [len(idx), Modality.Shape...] holding samples idx. aug is nil for
	// evaluation; on training splits a non-nil aug drives the random
	// augmentation (crops, flips) so that it is reproducible.
	// Errors name the offending file and what is wrong with it.
	Load(idx []int, aug *rand.Rand) ([]*nn.Tensor, error)
	// Skipped is the number of samples dropped as unreadable when the
	// dataset was opened with SkipBad; 0 otherwise.
	Skipped() int
}

// Dataset is an opened dataset.
type Dataset interface {
	Info() Info
	// Split returns "train", "val" or "test".
	Split(name string) (Split, error)
}

// SplitNames are the split names every dataset provides, in order.
var SplitNames = []string{"train", "val", "test"}

// Config is what a suite passes to open a dataset.
type Config struct {
	Root     string         // data root; empty means the data shipped in the repository, where the dataset has some
	Seed     uint64         // data seed: pairing, validation carving, speaker splits
	Params   map[string]any // dataset-specific parameters, validated against the Builder's Params
	CacheDir string         // feature cache directory; empty disables the cache
	SkipBad  bool           // drop unreadable samples (counted) instead of failing
}

// ParamSpec documents one dataset parameter.
type ParamSpec struct {
	Name    string
	Default any
	Doc     string
}

// Builder registers a dataset by name.
type Builder struct {
	Name   string
	Doc    string // the `miebench describe` text: source, layout, splits, license
	Params []ParamSpec
	Open   func(cfg Config) (Dataset, error)
	// Check validates a data tree without training (`miebench data check`);
	// nil when the dataset has no files.
	Check func(cfg Config) (*CheckReport, error)
	// FingerprintContent selects the files whose content the data
	// fingerprint hashes (see FingerprintOf); nil means ListFiles.
	FingerprintContent ContentRule
	// Corruptions are the modality-specific corruptions the opened
	// dataset applies through its Corrupter (robustness evaluation); nil
	// when it offers none.
	Corruptions []Corruption
}

// CheckReport is the result of validating a data tree.
type CheckReport struct {
	Counts  map[string]map[string]int // split -> class -> samples found
	Missing []string                  // missing files (all of them; printing shows the first few)
	Bad     []string                  // unreadable files, "path: reason"
	// Details describe the data found (e.g. each modality's shape and
	// dtype); Warnings are oddities that do not fail the check (e.g. an
	// empty class).
	Details, Warnings []string
}

// OK reports whether no file was missing or unreadable.
func (r *CheckReport) OK() bool { return len(r.Missing) == 0 && len(r.Bad) == 0 }

var builders = registry.New[Builder]("dataset")

// Register adds a dataset builder; it panics on a duplicate name.
func Register(b Builder) { builders.Add(b.Name, b) }

// Lookup returns the builder registered under name, or an error naming the
// valid choices.
func Lookup(name string) (Builder, error) { return builders.Lookup(name) }

// Names lists the registered datasets in sorted order.
func Names() []string { return builders.Names() }
