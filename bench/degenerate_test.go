package bench

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestDegenerateWarnings(t *testing.T) {
	hist := func(losses ...float64) []EpochRecord {
		var h []EpochRecord
		for i, l := range losses {
			h = append(h, EpochRecord{Epoch: i, TrainLoss: l})
		}
		return h
	}
	val := func(acc, f1 float64) map[string]Metrics {
		return map[string]Metrics{"val": {Acc: acc, MacroF1: f1}, "test": {Acc: 0.9, MacroF1: 0.9}}
	}
	for _, tc := range []struct {
		name    string
		rec     Record
		classes int
		want    []string // a part of each warning, in order
	}{
		{"healthy", Record{Status: "ok", SelectedOn: "val", Metrics: val(0.8, 0.78), History: hist(1.8, 1.2, 0.9)}, 6, nil},
		// AMSS+ at lr 0.01 on CREMA-D: loss 1322 in the first epoch, then
		// 2.30, accuracy at chance.
		{"AMSS+ collapse", Record{Status: "ok", SelectedOn: "val", Metrics: val(0.171, 0.049), History: hist(1322, 2.30, 2.30)}, 6,
			[]string{"near chance: validation accuracy 17.1% at the selected epoch is within 5% of the range above chance (1/6 = 16.7%)",
				"training loss exploded: 1322 at epoch 0, more than 100 × ln 6 = 179.2"}},
		{"just above the margin", Record{Status: "ok", SelectedOn: "val", Metrics: val(0.21, 0.2)}, 6, nil},
		// Imbalanced validation split: always predicting the majority class
		// (40%) looks fine in accuracy, not in macro-F1.
		{"one class on imbalanced data", Record{Status: "ok", SelectedOn: "val", Metrics: val(0.40, 0.095)}, 6,
			[]string{"near chance: validation macro-F1 9.5% at the selected epoch is at most 1/6 = 16.7%"}},
		// PMR on the quick suite: its loss grows 6.5-fold, accuracy 96%.
		{"PMR's growing loss", Record{Status: "ok", SelectedOn: "val", Metrics: val(0.96, 0.96), History: hist(3.14, 2.0, 1.72, 8.48, 10.56, 20.45)}, 4, nil},
		// UMT on av-digits: the distillation stage starts at 15 times the
		// teachers' final loss; accuracy 95%.
		{"a staged loss that grows", Record{Status: "ok", SelectedOn: "val", Metrics: val(0.95, 0.95), History: hist(3.45, 0.2, 0.1, 50.1, 20.3)}, 10, nil},
		{"loss beyond 100 ln C later in the run", Record{Status: "ok", SelectedOn: "val", Metrics: val(0.7, 0.7), History: hist(2.3, 1.2, 240)}, 10,
			[]string{"training loss exploded: 240 at epoch 2, more than 100 × ln 10 = 230.3"}},
		{"selected on test", Record{Status: "ok", SelectedOn: "test", Metrics: map[string]Metrics{"val": {Acc: 0.9, MacroF1: 0.9}, "test": {Acc: 0.5, MacroF1: 0.33}}}, 2,
			[]string{"near chance: test accuracy 50.0%"}},
		{"failed runs are not judged", Record{Status: "failed", Metrics: val(0, 0)}, 6, nil},
		{"unknown class count", Record{Status: "ok", Metrics: val(0, 0)}, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DegenerateWarnings(&tc.rec, tc.classes)
			if len(got) != len(tc.want) {
				t.Fatalf("warnings %q, want %d", got, len(tc.want))
			}
			for i := range got {
				if !strings.Contains(got[i], tc.want[i]) {
					t.Errorf("warning %q, want it to contain %q", got[i], tc.want[i])
				}
			}
		})
	}
}

// The runner records the warnings of a degenerate run, which stays ok.
func TestRunnerRecordsWarnings(t *testing.T) {
	plan := planOf(t, testSuite)
	dir := t.TempDir()
	runSweep(t, dir, plan, Runner{Workers: 1, Train: func(ctx context.Context, s RunSpec, o TrainOptions) (*Record, error) {
		rec, err := fakeTrain(ctx, s, o)
		rec.SelectedOn = "val"
		rec.Metrics["val"] = Metrics{Acc: 0.9, MacroF1: 0.9}
		if s.Label == "t-joint" {
			rec.Metrics["val"] = Metrics{Acc: 0.5, MacroF1: 0.33}
		}
		for i := range rec.History {
			rec.History[i].TrainLoss = 0.6
		}
		return rec, err
	}})
	recs, errs := (&Store{Dir: dir}).Scan()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var warned []string
	for _, r := range recs {
		if len(r.Warnings) > 0 {
			if r.Status != "ok" || !strings.HasPrefix(r.Warnings[0], "near chance: validation accuracy 50.0%") {
				t.Errorf("%s: %s %q", r.Label, r.Status, r.Warnings)
			}
			warned = append(warned, r.Label)
		}
	}
	if !slices.Equal(warned, []string{"t-joint", "t-joint"}) {
		t.Errorf("warned runs %v, want both seeds of t-joint", warned)
	}
}
