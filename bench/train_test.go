package bench

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	_ "github.com/miebench/miebench/datasets"
)

// syntheticSpec is a small, fast run on the synthetic dataset.
func syntheticSpec(method string, params map[string]any, seed uint64) RunSpec {
	if params == nil {
		params = map[string]any{}
	}
	return RunSpec{
		Suite:   "test",
		Label:   method,
		Dataset: DatasetSpec{Name: "synthetic", Params: map[string]any{"train": 400, "val": 100, "test": 200}},
		Method:  method,
		Params:  params,
		Seed:    seed,
		Train: TrainSpec{
			Epochs: 6, BatchSize: 32, EvalBatchSize: 128, Optimizer: "sgd",
			LR: 0.05, Momentum: 0.9, WeightDecay: 1e-4, Schedule: ScheduleSpec{Kind: "step", StepSize: 4, Gamma: 0.1},
		},
		Model: ModelSpec{Fusion: "concat", Encoders: map[string]EncoderSpec{
			"m0": {Kind: "mlp", Widths: []int{32}, Dim: 16},
			"m1": {Kind: "mlp", Widths: []int{32}, Dim: 16},
		}},
		Selection: SelectionSpec{Split: "val", Metric: "acc"},
	}
}

func mustTrain(t *testing.T, spec RunSpec) *Record {
	t.Helper()
	rec, err := Train(context.Background(), spec, TrainOptions{})
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	return rec
}

func TestTrainJointSelectsOnValidation(t *testing.T) {
	rec := mustTrain(t, syntheticSpec("joint", nil, 1))
	if rec.Status != "ok" {
		t.Fatalf("status %s: %s", rec.Status, rec.Error)
	}
	if len(rec.History) != 6 {
		t.Fatalf("history has %d epochs, want 6", len(rec.History))
	}
	best := 0
	for i, h := range rec.History {
		if h.Val.Acc > rec.History[best].Val.Acc {
			best = i
		}
	}
	if rec.SelectedEpoch != best || rec.SelectedOn != "val" {
		t.Errorf("selected epoch %d on %s, want %d on val (first best validation accuracy)", rec.SelectedEpoch, rec.SelectedOn, best)
	}
	if rec.Metrics["test"].Acc != rec.History[best].Test.Acc {
		t.Errorf("reported test acc %v is not the selected epoch's %v", rec.Metrics["test"].Acc, rec.History[best].Test.Acc)
	}
	if acc := rec.Metrics["test"].Acc; acc < 0.7 {
		t.Errorf("joint test accuracy %v on an easy synthetic set, want >= 0.7", acc)
	}
	for _, m := range []string{"m0", "m1"} {
		if src := rec.Metrics["test"].ModalitySource[m]; src != "partial" {
			t.Errorf("modality %s accuracy source %q, want partial (concat)", m, src)
		}
	}
	// The scheduled learning rate drops by gamma at epoch 4.
	if math.Abs(rec.History[3].LR-0.05) > 1e-12 || math.Abs(rec.History[4].LR-0.005) > 1e-12 {
		t.Errorf("LR at epochs 3, 4 = %v, %v; want 0.05, 0.005", rec.History[3].LR, rec.History[4].LR)
	}
}

func TestTrainDeterministic(t *testing.T) {
	spec := syntheticSpec("joint", nil, 7)
	a, b := mustTrain(t, spec), mustTrain(t, spec)
	ja, _ := json.Marshal(a.Comparable())
	jb, _ := json.Marshal(b.Comparable())
	if string(ja) != string(jb) {
		t.Errorf("two runs of the same spec differ:\n%s\n%s", ja, jb)
	}
	// Cost: the computed part is part of the comparison above; by hand,
	// two MLP encoders 16-32-16 ((16·32+32) + (32·16+16) = 1072 each) and a
	// concat head 32-4 (132); 13 batches of 32 of 400 samples x 6 epochs.
	if a.Cost == nil || a.Cost.Params != 2*1072+132 || a.Cost.Steps != 13*6 {
		t.Errorf("cost %+v, want 2276 params and 78 steps", a.Cost)
	}
	if a.Cost != nil && (!(a.Cost.TrainS > 0) || !(a.Cost.EvalS > 0) || !(a.Cost.StepsPerS > 0) || !(a.Cost.PeakRSSMB > 0) ||
		math.Abs(a.Cost.StepsPerS-78/a.Cost.TrainS) > 0.005) {
		t.Errorf("measured cost %+v: want positive times, rate = steps / train_s and a peak RSS", a.Cost)
	}
	c := mustTrain(t, syntheticSpec("joint", nil, 8))
	if c.History[0].TrainLoss == a.History[0].TrainLoss {
		t.Errorf("different seeds gave the same first-epoch loss %v", c.History[0].TrainLoss)
	}
}

func TestTrainDivergenceFails(t *testing.T) {
	spec := syntheticSpec("joint", nil, 1)
	spec.Train.LR = 1e30
	rec := mustTrain(t, spec)
	if rec.Status != "failed" || !strings.Contains(rec.Error, "diverged") {
		t.Errorf("status %q error %q, want failed with diverged", rec.Status, rec.Error)
	}
}

func TestTrainUnimodal(t *testing.T) {
	rec := mustTrain(t, syntheticSpec("unimodal", map[string]any{"modality": "m1"}, 1))
	if rec.Status != "ok" {
		t.Fatalf("status %s: %s", rec.Status, rec.Error)
	}
	acc := rec.Metrics["test"].ModalityAcc
	if _, ok := acc["m0"]; ok || len(acc) != 1 {
		t.Errorf("unimodal m1 reports modality accuracies %v, want only m1", acc)
	}
	if acc["m1"] != rec.Metrics["test"].Acc {
		t.Errorf("unimodal m1: modality acc %v != fused acc %v", acc["m1"], rec.Metrics["test"].Acc)
	}
}

func TestTrainProbeForGatedFusion(t *testing.T) {
	spec := syntheticSpec("joint", nil, 1)
	spec.Model.Fusion = "gated"
	rec := mustTrain(t, spec)
	if rec.Status != "ok" {
		t.Fatalf("status %s: %s", rec.Status, rec.Error)
	}
	for _, m := range []string{"m0", "m1"} {
		if src := rec.Metrics["test"].ModalitySource[m]; src != "probe" {
			t.Errorf("modality %s source %q, want probe", m, src)
		}
		if acc := rec.Metrics["test"].ModalityAcc[m]; acc <= 0.25 {
			t.Errorf("probe accuracy of %s = %v, want above chance 0.25", m, acc)
		}
	}
}

func TestTrainSelectionOnTestIsFlagged(t *testing.T) {
	spec := syntheticSpec("joint", nil, 1)
	spec.Selection.Split = "test"
	rec := mustTrain(t, spec)
	if rec.SelectedOn != "test" {
		t.Errorf("SelectedOn = %q, want test", rec.SelectedOn)
	}
}

func TestTrainConfigErrorsFailTheRun(t *testing.T) {
	tests := []struct {
		name string
		edit func(*RunSpec)
		want string
	}{
		{"unknown method", func(s *RunSpec) { s.Method = "nope" }, "unknown method"},
		{"unknown dataset", func(s *RunSpec) { s.Dataset.Name = "nope" }, "unknown dataset"},
		{"missing encoder", func(s *RunSpec) { delete(s.Model.Encoders, "m1") }, "no encoder"},
		{"bad optimizer", func(s *RunSpec) { s.Train.Optimizer = "lbfgs" }, "unknown optimizer"},
		{"bad hyperparameter", func(s *RunSpec) { s.Method = "unimodal"; s.Params = map[string]any{"modality": "x"} }, "not one of"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := syntheticSpec("joint", nil, 1)
			spec.Model.Encoders = map[string]EncoderSpec{"m0": spec.Model.Encoders["m0"], "m1": spec.Model.Encoders["m1"]}
			tc.edit(&spec)
			rec := mustTrain(t, spec)
			if rec.Status != "failed" || !strings.Contains(rec.Error, tc.want) {
				t.Errorf("status %q error %q, want failed with %q", rec.Status, rec.Error, tc.want)
			}
		})
	}
}

func TestLogDropsNonFinite(t *testing.T) {
	tr := &trainer{logs: map[string]*Summary{}}
	for _, v := range []float64{1, math.NaN(), 3, math.Inf(1), math.Inf(-1)} {
		tr.log("x", v)
	}
	if s := tr.logs["x"]; s.N != 2 || s.Mean != 4 || s.Min != 1 || s.Max != 3 {
		t.Errorf("summary %+v, want the two finite values only (sum 4, min 1, max 3)", *s)
	}
}

// TestProbeAccuraciesStayOutOfHistory: with a gated head the selected
// epoch's metrics gain probe accuracies, its history entry does not.
func TestProbeAccuraciesStayOutOfHistory(t *testing.T) {
	spec := syntheticSpec("joint", nil, 1)
	spec.Model.Fusion = "gated"
	rec := mustTrain(t, spec)
	h := rec.History[rec.SelectedEpoch]
	if len(h.Test.ModalityAcc) != 0 || len(h.Val.ModalityAcc) != 0 {
		t.Errorf("history of the selected epoch carries modality accuracies %v / %v", h.Val.ModalityAcc, h.Test.ModalityAcc)
	}
	if len(rec.Metrics["test"].ModalityAcc) != 2 {
		t.Errorf("selected metrics %v, want probe accuracies of both modalities", rec.Metrics["test"].ModalityAcc)
	}
}
