package report

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
)

// trialRecords are the runs of trial `trial` (of 3) of label "ogm": one per
// validation accuracy, seeds 0, 1, ...; the test accuracy is the
// validation accuracy minus 0.1.
func trialRecords(trial int, alpha float64, vals ...float64) []*bench.Record {
	var out []*bench.Record
	for s, v := range vals {
		out = append(out, &bench.Record{ID: fmt.Sprintf("t%d-%d", trial, s), Label: "ogm", Method: "ogm-ge", Dataset: "d", Seed: uint64(s), Status: "ok",
			Spec:    bench.RunSpec{Selection: bench.SelectionSpec{Split: "val", Metric: "acc"}},
			Search:  &bench.SearchTrial{Trial: trial, Trials: 3, Values: map[string]any{"alpha": alpha, "k": trial + 1}},
			Metrics: map[string]bench.Metrics{"val": {Acc: v}, "test": {Acc: v - 0.1}}})
	}
	return out
}

func TestSearchSelectsBestMeanValidation(t *testing.T) {
	var recs []*bench.Record
	recs = append(recs, trialRecords(0, 0.1, 0.80, 0.82)...)
	recs = append(recs, trialRecords(1, 0.5, 0.90, 0.86)...) // best mean validation: 0.88
	best := trialRecords(2, 1.5, 0.99, 0.99)                 // higher, but a seed failed
	best[1].Status, best[1].Error = "failed", "diverged"
	recs = append(recs, best...)
	recs = append(recs, accRecords("joint", "d", 0.7, 0.72)...)
	tab, err := Build(recs, Options{Rows: []string{"joint", "ogm"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tab.Rows, ",") != "joint,ogm" || tab.Marks[1] != "¶" {
		t.Fatalf("rows %v marks %q", tab.Rows, tab.Marks)
	}
	// The cell is trial 1's test accuracy: 0.80 and 0.76.
	if c := tab.Cells[1][0]; math.Abs(c.Mean-0.78) > 1e-12 || c.N != 2 {
		t.Errorf("ogm cell %+v, want trial 1's test mean 0.78 over 2 seeds", c)
	}
	want := "¶ ogm on d: trial 1 of 3 of a random search, selected by mean validation acc over 2 seeds (88.00): alpha=0.5, k=2."
	if !strings.Contains(strings.Join(tab.Notes, "\n"), want) {
		t.Errorf("notes %q lack %q", tab.Notes, want)
	}
	// Trial 2's failure is not reported: the trial was not selected.
	if strings.Contains(strings.Join(tab.Notes, "\n"), "failed") {
		t.Errorf("an unselected trial's failure in the notes: %q", tab.Notes)
	}

	all, err := Build(recs, Options{Rows: []string{"joint", "ogm"}, AllTrials: true})
	if err != nil {
		t.Fatal(err)
	}
	wantRows := "joint,ogm [trial 0: alpha=0.1, k=1],ogm [trial 1: alpha=0.5, k=2],ogm [trial 2: alpha=1.5, k=3]"
	if got := strings.Join(all.Rows, ","); got != wantRows {
		t.Fatalf("all trials: rows %s", got)
	}
	if all.Marks[2] != "¶" || all.Marks[1] != "" || all.Marks[3] != "‡" {
		t.Errorf("all trials: marks %q", all.Marks)
	}
	if c := all.Cells[3][0]; math.Abs(c.Mean-0.89) > 1e-12 || c.N != 1 {
		t.Errorf("trial 2's cell %+v", c)
	}
}

func TestSearchWithoutSuccessKeepsFailures(t *testing.T) {
	recs := trialRecords(0, 0.1, 0.5)
	recs[0].Status, recs[0].Error = "failed", "diverged"
	tab, err := Build(recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 1 || tab.Marks[0] != "‡" {
		t.Errorf("rows %v marks %q notes %q", tab.Rows, tab.Marks, tab.Notes)
	}
}
