package bench

import "slices"

// Record is one finished run, written as runs/<id>.json.
type Record struct {
	ID            string             `json:"id"`
	Suite         string             `json:"suite"`
	Dataset       string             `json:"dataset"`
	Method        string             `json:"method"`
	Label         string             `json:"label"` // table row label from the suite
	Seed          uint64             `json:"seed"`
	Params        map[string]any     `json:"params"`
	Status        string             `json:"status"` // "ok" or "failed"
	Error         string             `json:"error"`
	SelectedEpoch int                `json:"selected_epoch"`
	SelectedOn    string             `json:"selected_on"` // "val" or "test"
	Metrics       map[string]Metrics `json:"metrics"`     // "val", "test" at the selected epoch
	History       []EpochRecord      `json:"history"`
	Skipped       int                `json:"skipped_samples,omitempty"`
	ElapsedS      float64            `json:"elapsed_s"`
	Version       Version            `json:"version"`
	Spec          RunSpec            `json:"spec"`

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
	Rows        []string `json:"rows"`
	Datasets    []string `json:"datasets"`
}

// Layout returns the suite's table layout.
func (s *Suite) Layout() *TableLayout {
	return &TableLayout{Metrics: slices.Clone(s.Table.Metrics), ModalityAcc: s.Table.ModalityAcc, Gap: s.Table.Gap,
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

// Version identifies the code that produced a record.
type Version struct {
	Commit string `json:"commit"`
	Go     string `json:"go"`
}
