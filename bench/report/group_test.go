package report

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
)

// specRec is a record with a configuration: epochs and a data fingerprint
// vary, the rest is fixed.
func specRec(id, label string, seed uint64, epochs int, fingerprint string, acc float64) *bench.Record {
	r := rec(id, label, "joint", seed, acc, nil)
	r.Spec = bench.RunSpec{Suite: "default", Label: label, Method: "joint", Seed: seed,
		Dataset: bench.DatasetSpec{Name: "digits", Root: "/data/" + id, Fingerprint: fingerprint},
		Train:   bench.TrainSpec{Epochs: epochs, BatchSize: 8, LR: 0.1}}
	return r
}

func TestCellsAggregateOverSeedsOnly(t *testing.T) {
	for _, tc := range []struct {
		name string
		recs []*bench.Record
		rows []string // table rows with their seed counts, "label (n)"
		err  string
	}{
		{"one setting, data at several paths", []*bench.Record{
			specRec("a", "joint", 0, 20, "", 0.8), specRec("b", "joint", 1, 20, "", 0.9), specRec("c", "joint", 2, 20, "", 0.7),
		}, []string{"joint (3)"}, ""},
		// The reproduction: the default suite, then epochs=8 and
		// seeds=[0] into the same directory: two rows, never "(4)".
		{"epochs differ", []*bench.Record{
			specRec("a", "joint", 0, 20, "", 0.8), specRec("b", "joint", 1, 20, "", 0.9), specRec("c", "joint", 2, 20, "", 0.7),
			specRec("d", "joint", 0, 8, "", 0.5), specRec("u", "uni", 0, 20, "", 0.6),
		}, []string{"uni (1)", "joint [train.epochs=20] (3)", "joint [train.epochs=8] (1)"}, ""}, // suite order: joint's variants in its place
		// One suite on two data trees.
		{"data differs", []*bench.Record{
			specRec("a", "joint", 0, 20, "0123456789abcdef", 0.8), specRec("b", "joint", 0, 20, "fedcba9876543210", 0.9),
			specRec("c", "joint", 1, 20, "fedcba9876543210", 0.9),
		}, []string{"joint [dataset.fingerprint=01234567] (1)", "joint [dataset.fingerprint=fedcba98] (2)"}, ""},
		{"seed twice", []*bench.Record{specRec("a", "joint", 0, 20, "", 0.8), specRec("b", "joint", 0, 20, "", 0.9)},
			nil, "runs a and b: joint on digits, seed 0 twice with the same settings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := Build(tc.recs, Options{Rows: []string{"uni", "joint"}})
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, r := range tab.Rows {
				got = append(got, fmt.Sprintf("%s (%d)", r, tab.Cells[i][0].N))
			}
			if !slices.Equal(got, tc.rows) {
				t.Errorf("rows %v, want %v", got, tc.rows)
			}
		})
	}
}

// Curves split a label's records by settings the same way.
func TestCurvesSeparateSettings(t *testing.T) {
	var recs []*bench.Record
	for i, e := range []int{20, 20, 8} {
		r := specRec(string(rune('a'+i)), "joint", uint64(i%2), e, "", 0.5)
		r.History = []bench.EpochRecord{{Epoch: 0, TrainLoss: 1, Test: bench.Metrics{Acc: 0.5}}}
		recs = append(recs, r)
	}
	var b bytes.Buffer
	if err := Curves(&b, "svg", recs, PlotOptions{Only: []string{"joint"}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"joint [train.epochs=20] on digits (test, 2 seeds)", "joint [train.epochs=8] on digits (test, 1 seeds)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("plot lacks %q", want)
		}
	}
}

func TestVersionNote(t *testing.T) {
	recs := testRecords()
	tab, err := Build(recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range tab.Notes {
		if strings.Contains(n, "code versions") {
			t.Errorf("one code version, but a note: %s", n)
		}
	}
	recs[0].Version = bench.Version{Module: "(devel)", Commit: "0123456789abcdef0123", Dirty: true, Go: "go1.26.0"}
	recs[1].Version = bench.Version{Module: "v1.2.0", Commit: "fedcba9876543210", Go: "go1.26.0"}
	tab, err = Build(recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "The records come from 3 code versions: commit 0123456789ab (dirty), go1.26.0 (1 runs); unknown commit (6 runs); v1.2.0, commit fedcba987654, go1.26.0 (1 runs)."
	if !slices.Contains(tab.Notes, want) {
		t.Errorf("notes %q, want %q", tab.Notes, want)
	}
}
