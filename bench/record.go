package bench

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

// Version identifies the code that produced a record.
type Version struct {
	Commit string `json:"commit"`
	Go     string `json:"go"`
}
