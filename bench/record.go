package bench

import (
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/miebench/miebench/datasets"
)

// Record is one finished run, written as runs/<id>.json.
type Record struct {
	ID      string         `json:"id"`
	Suite   string         `json:"suite"`
	Dataset string         `json:"dataset"`
	Method  string         `json:"method"`
	Label   string         `json:"label"` // table row label from the suite
	Seed    uint64         `json:"seed"`
	Params  map[string]any `json:"params"`
	Status  string         `json:"status"` // "ok" or "failed"
	Error   string         `json:"error"`
	// Stack is the goroutine stack of a run that failed by panicking.
	Stack string `json:"stack,omitempty"`
	// Warnings flag an ok run that learnt nothing (DegenerateWarnings).
	Warnings      []string           `json:"warnings,omitempty"`
	SelectedEpoch int                `json:"selected_epoch"`
	SelectedOn    string             `json:"selected_on"` // "val" or "test"
	Metrics       map[string]Metrics `json:"metrics"`     // "val", "test" at the selected epoch
	History       []EpochRecord      `json:"history"`
	Skipped       int                `json:"skipped_samples,omitempty"`
	ElapsedS      float64            `json:"elapsed_s"`
	Version       Version            `json:"version"`
	Spec          RunSpec            `json:"spec"`
	// Data is the fingerprint of the data the run used (nil for the data
	// shipped with miebench); its Hash is Spec.Dataset.Fingerprint.
	Data *datasets.Fingerprint `json:"data,omitempty"`

	// Presentation and measurements (package report reads them).

	// Table is the table layout of the suite the run was planned in, so
	// that `miebench table DIR` prints the table `run` printed.
	Table *TableLayout `json:"table,omitempty"`
	// Cost is what the run cost: parameters, steps, wall times, memory.
	Cost *Cost `json:"cost,omitempty"`
	// Search is the hyperparameter-search trial the run belongs to.
	Search *SearchTrial `json:"search,omitempty"`
	// Robustness is the selected model's accuracy with modalities missing
	// or corrupted, when the suite asked for it.
	Robustness *Robustness `json:"robustness,omitempty"`
}

// TableLayout is how a suite lays out its table: its TableSpec with the
// row labels and datasets in suite order.
type TableLayout struct {
	Metrics     []string `json:"metrics"`
	ModalityAcc bool     `json:"modality_acc"`
	Gap         bool     `json:"gap"`
	Probe       bool     `json:"probe,omitempty"`
	Rows        []string `json:"rows"`
	Datasets    []string `json:"datasets"`
}

// Layout returns the suite's table layout.
func (s *Suite) Layout() *TableLayout {
	return &TableLayout{Metrics: slices.Clone(s.Table.Metrics), ModalityAcc: s.Table.ModalityAcc, Gap: s.Table.Gap, Probe: s.Table.Probe,
		Rows: s.Labels(), Datasets: s.DatasetNames()}
}

// Comparable returns a copy of r without the fields that are measured rather
// than computed (elapsed time, the cost's wall times, rate and memory) and
// the presentation fields, which differ between two runs of the same spec:
// what remains is bit-identical for the same spec and seed, and is what
// comparisons of results use.
func (r *Record) Comparable() Record {
	x := *r
	x.ElapsedS = 0
	x.Table = nil
	x.Cost = r.Cost.withoutMeasurements()
	return x
}

// Metrics are evaluation results on one split.
type Metrics struct {
	Acc         float64            `json:"acc"`
	MacroF1     float64            `json:"macro_f1"`
	MAP         float64            `json:"map"`
	Loss        float64            `json:"loss"`
	ModalityAcc map[string]float64 `json:"modality_acc"`
	// ModalitySource says how each modality's accuracy was obtained:
	// "partial" (partial logits), "head" (the method's own head) or "probe"
	// (a linear probe on frozen features).
	ModalitySource map[string]string `json:"modality_source,omitempty"`
	// ProbeAcc is each modality's linear-probe accuracy: a linear head fitted
	// on the selected epoch's frozen encoder features of the training split
	// (iterations selected on validation). Only the record's metrics carry
	// it, not the per-epoch history; records written before it have none.
	ProbeAcc map[string]float64 `json:"probe_acc,omitempty"`
}

// Value returns the metric called name (one of MetricNames, or "loss") and
// whether there is one by that name.
func (m Metrics) Value(name string) (float64, bool) {
	switch name {
	case "acc":
		return m.Acc, true
	case "macro_f1":
		return m.MacroF1, true
	case "map":
		return m.MAP, true
	case "loss":
		return m.Loss, true
	}
	return 0, false
}

// EpochRecord is one epoch of history.
type EpochRecord struct {
	Epoch     int                `json:"epoch"`
	TrainLoss float64            `json:"train_loss"`
	LR        float64            `json:"lr"`
	Val       Metrics            `json:"val"`
	Test      Metrics            `json:"test"`
	Method    map[string]Summary `json:"method,omitempty"` // per-step scalars the method logged
}

// Summary is the per-epoch mean, min and max of a logged scalar.
type Summary struct {
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	N    int     `json:"n"`
}

// Version identifies the code that produced a record, from the binary's
// build information.
type Version struct {
	// Module is the main module's version: a release tag such as v1.2.0
	// for `go install ...@v1.2.0`, "(devel)" for a build in a checkout.
	Module string `json:"module,omitempty"`
	// Commit is the VCS revision the binary was built from ("unknown"
	// without VCS information, as under go test or with -buildvcs=false).
	Commit string `json:"commit"`
	// Dirty says the checkout had uncommitted changes.
	Dirty bool   `json:"dirty,omitempty"`
	Go    string `json:"go"`
}

// String is a short form for messages and table notes, such as
// "commit 1a2b3c4d5e6f (dirty), go1.26.0" or "v1.2.0, go1.26.0".
func (v Version) String() string {
	var parts []string
	if v.Module != "" && v.Module != "(devel)" {
		parts = append(parts, v.Module)
	}
	c := v.Commit
	if len(c) > 12 {
		c = c[:12]
	}
	if c != "" && c != "unknown" {
		c = "commit " + c
	} else {
		c = "unknown commit"
	}
	if v.Dirty {
		c += " (dirty)"
	}
	parts = append(parts, c)
	if v.Go != "" {
		parts = append(parts, v.Go)
	}
	return strings.Join(parts, ", ")
}

// buildVersion reads this binary's Version.
func buildVersion() Version {
	v := Version{Go: runtime.Version(), Commit: "unknown"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Module = bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.modified":
			v.Dirty = s.Value == "true"
		}
	}
	return v
}
