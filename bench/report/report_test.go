package report

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
)

func rec(id, label, method string, seed uint64, acc float64, mods map[string]float64) *bench.Record {
	r := &bench.Record{ID: id, Label: label, Method: method, Dataset: "digits", Seed: seed, Status: "ok", SelectedOn: "val",
		Metrics: map[string]bench.Metrics{"test": {Acc: acc, MacroF1: acc - 0.1, ModalityAcc: mods}}}
	if method == "unimodal" {
		for m := range mods {
			r.Params = map[string]any{"modality": m}
		}
	}
	return r
}

func testRecords() []*bench.Record {
	fail := rec("j3", "joint", "joint", 3, 0, nil)
	fail.Status, fail.Error = "failed", "diverged: loss NaN at epoch 4\nstack"
	ogm := rec("o0", "ogm_ge", "ogm-ge", 0, 0.9, map[string]float64{"audio": 0.65, "visual": 0.5})
	ogm.SelectedOn = "test"
	return []*bench.Record{
		rec("j0", "joint", "joint", 0, 0.8, map[string]float64{"audio": 0.5, "visual": 0.3}),
		rec("j1", "joint", "joint", 1, 0.9, map[string]float64{"audio": 0.6, "visual": 0.3}),
		rec("j2", "joint", "joint", 2, 0.7, map[string]float64{"audio": 0.7, "visual": 0.3}),
		fail,
		rec("a0", "uni-audio", "unimodal", 0, 0.7, map[string]float64{"audio": 0.7}),
		rec("a1", "uni-audio", "unimodal", 1, 0.7, map[string]float64{"audio": 0.7}),
		rec("a2", "uni-audio", "unimodal", 2, 0.7, map[string]float64{"audio": 0.7}),
		ogm,
	}
}

func TestBuildNumbers(t *testing.T) {
	tab, err := Build(testRecords(), Options{Metrics: []string{"acc"}, ModalityAcc: true, Gap: true, Rows: []string{"uni-audio", "joint"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tab.Rows, ",") != "uni-audio,joint,ogm_ge" {
		t.Fatalf("rows %v", tab.Rows)
	}
	var names []string
	for _, c := range tab.Columns {
		names = append(names, c.Name())
	}
	// No unimodal visual row: no visual gap column.
	if got := strings.Join(names, ","); got != "Acc,Acc (audio),Acc (visual),Gap (audio)" {
		t.Fatalf("columns %s", got)
	}
	const eps = 1e-9
	for _, tc := range []struct {
		row, col  int
		mean, std float64
		n         int
		best      bool
	}{
		{1, 0, 0.8, 0.1, 3, false}, // joint acc: 0.8, 0.9, 0.7 (the failed seed 3 left out)
		{2, 0, 0.9, 0, 1, true},    // ogm acc, one seed
		{0, 0, 0.7, 0, 3, false},   // unimodal acc
		{1, 1, 0.6, 0.1, 3, false}, // joint audio acc
		{1, 3, 0.1, 0.1, 3, false}, // joint audio gap: 0.7-0.5, 0.7-0.6, 0.7-0.7
		{2, 3, 0.05, 0, 1, true},   // ogm audio gap (seed 0): 0.7-0.65, the lowest
		{0, 3, 0, 0, 0, false},     // a unimodal row has no gap
		{0, 2, 0, 0, 0, false},     // unimodal audio reports no visual accuracy
		{2, 1, 0.65, 0, 1, false},  // ogm audio
		{0, 1, 0.7, 0, 3, true},    // unimodal audio inside its own model
	} {
		c := tab.Cells[tc.row][tc.col]
		if abs(c.Mean-tc.mean) > eps || abs(c.Std-tc.std) > eps || c.N != tc.n || c.Best != tc.best {
			t.Errorf("cell %d,%d = %+v, want mean %g std %g n %d best %v", tc.row, tc.col, c, tc.mean, tc.std, tc.n, tc.best)
		}
	}
	if strings.Join(tab.Marks, ",") != ",‡,†" {
		t.Errorf("marks %q", tab.Marks)
	}
	for _, n := range tab.Notes {
		if strings.Contains(n, "skipped") {
			t.Errorf("a skipped-samples note without skipped samples: %s", n)
		}
	}
	recs := testRecords()
	recs[1].Skipped, recs[4].Skipped = 3, 7
	tab, _ = Build(recs, Options{})
	if want := "Unreadable samples were skipped (skip_bad) on digits (up to 7 per run)."; !slices.Contains(tab.Notes, want) {
		t.Errorf("notes %q lack %q", tab.Notes, want)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestRenderDeterministic(t *testing.T) {
	recs := testRecords()
	opt := Options{Metrics: []string{"acc", "macro_f1"}, ModalityAcc: true, Gap: true}
	render := func(recs []*bench.Record, format string) string {
		tab, err := Build(recs, opt)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := tab.Write(&b, format); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, f := range Formats {
		want := render(recs, f)
		for range 5 {
			shuffled := append([]*bench.Record(nil), recs...)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			if got := render(shuffled, f); got != want {
				t.Fatalf("%s output depends on record order:\n%s\nvs\n%s", f, got, want)
			}
		}
		t.Logf("%s:\n%s", f, want)
	}
}

func TestGapNoteOnlyWithGapColumns(t *testing.T) {
	var noUnimodal []*bench.Record
	for _, r := range testRecords() {
		if r.Method != "unimodal" {
			noUnimodal = append(noUnimodal, r)
		}
	}
	for _, tc := range []struct {
		name string
		recs []*bench.Record
		gap  bool
		want bool
	}{
		{"gap columns", testRecords(), true, true},
		{"gap asked, no unimodal row", noUnimodal, true, false},
		{"no gap asked", testRecords(), false, false},
	} {
		tab, err := Build(tc.recs, Options{Gap: tc.gap})
		if err != nil {
			t.Fatal(err)
		}
		has := slices.ContainsFunc(tab.Notes, func(n string) bool { return strings.HasPrefix(n, "Gap:") })
		if has != tc.want || has != tab.hasKind(GapColumn) {
			t.Errorf("%s: Gap note %v, gap columns %v, want %v", tc.name, has, tab.hasKind(GapColumn), tc.want)
		}
	}
}

func TestLayoutOptions(t *testing.T) {
	recs := testRecords()
	if _, ok := LayoutOptions(recs); ok {
		t.Fatal("records without a layout reported one")
	}
	recs[2].Table = &bench.TableLayout{Metrics: []string{"acc"}, Rows: []string{"joint", "uni-audio"}, Datasets: []string{"digits"}}
	recs[5].Table = &bench.TableLayout{Metrics: []string{"macro_f1", "acc"}, Gap: true, Rows: []string{"ogm_ge"}, Datasets: []string{"digits"}}
	opt, ok := LayoutOptions(recs)
	// Sorted by id: a1 (recs[5]) before j2 (recs[2]).
	if !ok || strings.Join(opt.Metrics, ",") != "macro_f1,acc" || strings.Join(opt.Rows, ",") != "ogm_ge,joint,uni-audio" ||
		!opt.Gap || opt.ModalityAcc || strings.Join(opt.Datasets, ",") != "digits" {
		t.Errorf("merged layout %+v", opt)
	}
}
