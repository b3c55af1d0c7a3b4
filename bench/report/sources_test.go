package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/methods"
)

// sourced is a record whose modality accuracies all come from src.
func sourced(id, label, method string, seed uint64, src string, mods map[string]float64) *bench.Record {
	r := rec(id, label, method, seed, 0.8, mods)
	m := r.Metrics["test"]
	m.ModalitySource = map[string]string{}
	for k := range mods {
		m.ModalitySource[k] = src
	}
	r.Metrics["test"] = m
	return r
}

func TestSourceMarks(t *testing.T) {
	joint := sourced("j0", "joint", "joint", 0, methods.SourcePartial, map[string]float64{"audio": 0.5, "visual": 0.3})
	mla := sourced("m0", "mla", "mla", 0, methods.SourceHead, map[string]float64{"audio": 0.6, "visual": 0.5})
	film := sourced("f0", "joint-film", "joint", 0, methods.SourceProbe, map[string]float64{"audio": 0.4, "visual": 0.2})
	cases := []struct {
		name  string
		recs  []*bench.Record
		marks map[string]string // row label -> mark on its audio cell
		note  string            // "" for no source footnote
	}{
		{"one source: no marks", []*bench.Record{joint}, map[string]string{"joint": ""}, ""},
		{"partial and head", []*bench.Record{joint, mla}, map[string]string{"joint": "ᵖ", "mla": "ʰ"},
			"Per-modality accuracy, marked where a column mixes sources, comes from: ᵖ the fusion head's partial logits (joint); ʰ the method's own per-modality head (mla)."},
		{"all three", []*bench.Record{joint, mla, film}, map[string]string{"joint": "ᵖ", "mla": "ʰ", "joint-film": "ˡ"},
			"ˡ a linear probe fitted on the frozen features of the selected epoch (joint-film)."},
	}
	for _, c := range cases {
		tab, err := Build(c.recs, Options{ModalityAcc: true, Rows: []string{"joint", "mla", "joint-film"}})
		if err != nil {
			t.Fatal(err)
		}
		col := -1
		for j, cl := range tab.Columns {
			if cl.Kind == ModalityColumn && cl.Modality == "audio" {
				col = j
			}
		}
		for i, label := range tab.Rows {
			if got, want := tab.Cells[i][col].Mark, c.marks[label]; got != want {
				t.Errorf("%s: row %s audio mark %q, want %q", c.name, label, got, want)
			}
		}
		notes := strings.Join(tab.Notes, "\n")
		if c.note == "" && strings.Contains(notes, "Per-modality accuracy") {
			t.Errorf("%s: a source footnote without mixed sources:\n%s", c.name, notes)
		}
		if !strings.Contains(notes, c.note) {
			t.Errorf("%s: notes do not say %q:\n%s", c.name, c.note, notes)
		}
		for _, f := range Formats {
			var b bytes.Buffer
			if err := tab.Write(&b, f); err != nil {
				t.Fatalf("%s: %s: %v", c.name, f, err)
			}
			if f == "tex" && strings.ContainsAny(b.String(), "ᵖʰˡ") {
				t.Errorf("%s: LaTeX output keeps a Unicode mark:\n%s", c.name, b.String())
			}
		}
	}
}

// TestBaselinesByRole: a method whose Spec declares the unimodal-baseline
// role supplies the gap's reference, whatever its name.
func TestBaselinesByRole(t *testing.T) {
	methods.Register(methods.Spec{Name: "t-solo", Role: methods.RoleUnimodalBaseline,
		New: func(methods.Hyper) (methods.Method, error) { return nil, nil }})
	solo := rec("s0", "solo-audio", "t-solo", 0, 0.75, map[string]float64{"audio": 0.75})
	solo.Params = map[string]any{"modality": "audio"}
	joint := rec("j0", "joint", "joint", 0, 0.8, map[string]float64{"audio": 0.5})
	tab, err := Build([]*bench.Record{solo, joint}, Options{ModalityAcc: true, Gap: true, Rows: []string{"solo-audio", "joint"}})
	if err != nil {
		t.Fatal(err)
	}
	for j, c := range tab.Columns {
		if c.Kind != GapColumn {
			continue
		}
		if g := tab.Cells[1][j]; g.N != 1 || g.Mean < 0.2499 || g.Mean > 0.2501 {
			t.Errorf("joint's audio gap %+v, want 0.25 from t-solo's row", g)
		}
		if g := tab.Cells[0][j]; g.N != 0 {
			t.Errorf("the baseline row has a gap %+v, want none", g)
		}
		return
	}
	t.Fatal("no gap column: t-solo was not taken as the baseline")
}

// TestSourceFootnoteListsRowsInTableOrder: rows appear in the footnote in
// the table's order, whichever column marked them first.
func TestSourceFootnoteListsRowsInTableOrder(t *testing.T) {
	uniV := sourced("v0", "uni-visual", "unimodal", 0, methods.SourceHead, map[string]float64{"visual": 0.6})
	uniV.Params = map[string]any{"modality": "visual"}
	uniA := sourced("a0", "uni-audio", "unimodal", 0, methods.SourceHead, map[string]float64{"audio": 0.7})
	uniA.Params = map[string]any{"modality": "audio"}
	joint := sourced("j0", "joint", "joint", 0, methods.SourcePartial, map[string]float64{"audio": 0.5, "visual": 0.3})
	mla := sourced("m0", "mla", "mla", 0, methods.SourceHead, map[string]float64{"audio": 0.6, "visual": 0.5})
	tab, err := Build([]*bench.Record{uniV, uniA, joint, mla}, Options{ModalityAcc: true, Rows: []string{"uni-visual", "uni-audio", "joint", "mla"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "ʰ the method's own per-modality head (uni-visual, uni-audio, mla)"
	if notes := strings.Join(tab.Notes, "\n"); !strings.Contains(notes, want) {
		t.Errorf("notes do not say %q:\n%s", want, notes)
	}
}
