package report

import (
	"math"
	"testing"

	"github.com/miebench/miebench/bench"
)

// withProbe is a record whose test metrics carry the given probe accuracies.
func withProbe(id, label string, seed uint64, mods, probe map[string]float64) *bench.Record {
	r := rec(id, label, "joint", seed, 0.8, mods)
	m := r.Metrics["test"]
	m.ProbeAcc = probe
	r.Metrics["test"] = m
	return r
}

// TestProbeColumns: Probe adds a "Probe (m)" column per modality after the
// in-model ones, averaged over seeds, best highest, empty for records
// without probe accuracies, with a footnote; without Probe there is none.
func TestProbeColumns(t *testing.T) {
	recs := []*bench.Record{
		withProbe("a0", "joint", 0, map[string]float64{"audio": 0.9, "visual": 0.3}, map[string]float64{"audio": 0.9, "visual": 0.5}),
		withProbe("a1", "joint", 1, map[string]float64{"audio": 0.9, "visual": 0.3}, map[string]float64{"audio": 0.8, "visual": 0.7}),
		withProbe("b0", "old", 0, map[string]float64{"audio": 0.7, "visual": 0.4}, nil),
	}
	tab, err := Build(recs, Options{ModalityAcc: true, Probe: true, Rows: []string{"joint", "old"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range tab.Columns {
		names = append(names, c.Name())
	}
	want := []string{"Acc", "Acc (audio)", "Acc (visual)", "Probe (audio)", "Probe (visual)"}
	if len(names) != len(want) {
		t.Fatalf("columns %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("columns %v, want %v", names, want)
		}
	}
	if c := tab.Cells[0][4]; c.N != 2 || math.Abs(c.Mean-0.6) > 1e-12 || !c.Best {
		t.Errorf("joint probe (visual) cell %+v, want mean 0.6 over 2 seeds, best", c)
	}
	if c := tab.Cells[1][3]; c.N != 0 {
		t.Errorf("old probe (audio) cell %+v, want empty (records without probe)", c)
	}
	found := false
	for _, n := range tab.Notes {
		if len(n) > 6 && n[:6] == "Probe:" {
			found = true
		}
	}
	if !found {
		t.Errorf("notes %q lack the probe footnote", tab.Notes)
	}
	tab, err = Build(recs, Options{ModalityAcc: true, Rows: []string{"joint", "old"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Columns) != 3 {
		t.Errorf("without Probe: %d columns, want 3", len(tab.Columns))
	}
}
