// Package report turns run records into the tables papers print: rows are
// methods (row labels), columns are dataset x metric, and every cell is the
// mean ± sample standard deviation over seeds with the number of seeds. The
// same table renders as Markdown (tablewriter), LaTeX (booktabs) and CSV,
// and byte-identically for the same records, whatever order they come in.
package report

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/methods"
)

// Options choose what a table shows.
type Options struct {
	// Metrics are the metric columns per dataset: acc, macro_f1, map
	// (default acc).
	Metrics []string
	// ModalityAcc adds, per dataset and modality, the modality's accuracy
	// inside the model.
	ModalityAcc bool
	// Gap adds, per dataset and modality, the imbalance gap: the modality's
	// accuracy when trained alone (the unimodal row for that modality on the
	// same dataset) minus its accuracy inside the row's model, paired by
	// seed. Rows of the unimodal method have no gap.
	Gap bool
	// Probe adds, per dataset and modality, the linear-probe accuracy of
	// the selected epoch's frozen encoder (the records' probe_acc).
	Probe bool
	// Rows orders the row labels (the suite's order); labels not listed
	// follow in sorted order.
	Rows []string
	// Datasets orders the datasets likewise.
	Datasets []string
}

// ColumnKind says what a column holds.
type ColumnKind int

// Column kinds.
const (
	MetricColumn   ColumnKind = iota // a metric of the fused prediction
	ModalityColumn                   // a modality's accuracy inside the model
	GapColumn                        // unimodal accuracy minus ModalityColumn
	ProbeColumn                      // a linear probe's accuracy on the frozen encoder
)

// Column is one column of a table.
type Column struct {
	Dataset  string
	Kind     ColumnKind
	Metric   string // MetricColumn: acc, macro_f1 or map
	Modality string // ModalityColumn, GapColumn, ProbeColumn
}

// Name is the column's header without its dataset.
func (c Column) Name() string {
	switch c.Kind {
	case ModalityColumn:
		return "Acc (" + c.Modality + ")"
	case GapColumn:
		return "Gap (" + c.Modality + ")"
	case ProbeColumn:
		return "Probe (" + c.Modality + ")"
	}
	return MetricTitle(c.Metric)
}

// MetricTitle is a metric's column title.
func MetricTitle(m string) string {
	switch m {
	case "acc":
		return "Acc"
	case "macro_f1":
		return "Macro-F1"
	case "map":
		return "mAP"
	}
	return m
}

// Cell is a summary over seeds, in the records' units (fractions).
type Cell struct {
	Mean, Std float64 // Std is the sample standard deviation (n-1); 0 when N < 2
	N         int     // number of seeds; 0 means no value
	Best      bool    // best of its column (highest; lowest for gaps), ties included
	// Mark, on a modality-accuracy cell of a column that mixes sources,
	// says where the cell's accuracy comes from (SourceMarks); "" otherwise.
	Mark string
}

// SourceMarks are the cell marks of the modality-accuracy sources, in
// footnote order, and sourceText what the footnote says of each.
var SourceMarks = map[string]string{methods.SourcePartial: "ᵖ", methods.SourceHead: "ʰ", methods.SourceProbe: "ˡ"}

var sourceOrder = []string{methods.SourcePartial, methods.SourceHead, methods.SourceProbe}

var sourceText = map[string]string{
	methods.SourcePartial: "the fusion head's partial logits",
	methods.SourceHead:    "the method's own per-modality head",
	methods.SourceProbe:   "a linear probe fitted on the frozen features of the selected epoch",
}

// Table is a rendered-independent table.
type Table struct {
	Rows    []string // row labels
	Marks   []string // per row: footnote marks ("†", "‡") or ""
	Columns []Column
	Cells   [][]Cell // [row][column]
	Notes   []string // footnotes, in order
}

type groupKey struct{ label, dataset string }

// Build summarises records (status ok for the cells; failed ones and runs
// selected on the test split become footnotes).
func Build(recs []*bench.Record, opt Options) (*Table, error) {
	if len(opt.Metrics) == 0 {
		opt.Metrics = []string{"acc"}
	}
	for _, m := range opt.Metrics {
		if !slices.Contains(bench.MetricNames, m) {
			return nil, fmt.Errorf("unknown metric %q (valid: %s)", m, strings.Join(bench.MetricNames, ", "))
		}
	}
	recs = append([]*bench.Record(nil), recs...)
	sort.Slice(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if a.Seed != b.Seed {
			return a.Seed < b.Seed
		}
		return a.ID < b.ID
	})
	ok := map[groupKey][]*bench.Record{}
	failed := map[groupKey][]*bench.Record{}
	total := map[groupKey]int{}
	var labels, dsNames []string
	modalities := map[string][]string{}
	testSelected := map[string]bool{}
	for _, r := range recs {
		k := groupKey{r.Label, r.Dataset}
		if total[k] == 0 {
			labels = appendNew(labels, r.Label)
			dsNames = appendNew(dsNames, r.Dataset)
		}
		total[k]++
		if r.Status != "ok" {
			failed[k] = append(failed[k], r)
			continue
		}
		ok[k] = append(ok[k], r)
		if r.SelectedOn == "test" {
			testSelected[r.Label] = true
		}
		for m := range r.Metrics["test"].ModalityAcc {
			modalities[r.Dataset] = appendNew(modalities[r.Dataset], m)
		}
	}
	t := &Table{Rows: order(labels, opt.Rows)}
	for _, d := range order(dsNames, opt.Datasets) {
		for _, m := range opt.Metrics {
			t.Columns = append(t.Columns, Column{Dataset: d, Kind: MetricColumn, Metric: m})
		}
		mods := modalities[d]
		sort.Strings(mods)
		if opt.ModalityAcc {
			for _, m := range mods {
				t.Columns = append(t.Columns, Column{Dataset: d, Kind: ModalityColumn, Modality: m})
			}
		}
		if opt.Probe {
			for _, m := range mods {
				t.Columns = append(t.Columns, Column{Dataset: d, Kind: ProbeColumn, Modality: m})
			}
		}
		if opt.Gap {
			for _, m := range mods {
				t.Columns = append(t.Columns, Column{Dataset: d, Kind: GapColumn, Modality: m})
			}
		}
	}
	unimodal := unimodalBaselines(t.Rows, ok)
	t.Cells = make([][]Cell, len(t.Rows))
	for i, label := range t.Rows {
		t.Cells[i] = make([]Cell, len(t.Columns))
		for j, c := range t.Columns {
			rs := ok[groupKey{label, c.Dataset}]
			var xs []float64
			switch c.Kind {
			case MetricColumn:
				for _, r := range rs {
					xs = append(xs, metric(r.Metrics["test"], c.Metric))
				}
			case ModalityColumn:
				for _, r := range rs {
					if v, ok := r.Metrics["test"].ModalityAcc[c.Modality]; ok {
						xs = append(xs, v)
					}
				}
			case ProbeColumn:
				for _, r := range rs {
					if v, ok := r.Metrics["test"].ProbeAcc[c.Modality]; ok {
						xs = append(xs, v)
					}
				}
			case GapColumn:
				base := unimodal[groupKey{c.Modality, c.Dataset}]
				if base == nil || isUnimodal(rs) {
					break
				}
				for _, r := range rs {
					u, ok1 := base[r.Seed]
					v, ok2 := r.Metrics["test"].ModalityAcc[c.Modality]
					if ok1 && ok2 {
						xs = append(xs, u-v)
					}
				}
			}
			t.Cells[i][j] = summarize(xs)
		}
	}
	t.dropEmptyGaps()
	t.markBest()
	sources := t.markSources(ok)
	t.Marks = make([]string, len(t.Rows))
	t.Notes = append(t.Notes, "Mean ± sample standard deviation (n − 1) over seeds on the test split, in %; (n) is the number of seeds. Best of each column in bold (for gaps: the lowest).")
	if opt.Probe {
		t.Notes = append(t.Notes, "Probe: accuracy of a linear head fitted on the selected epoch's frozen encoder features of the training split (iterations selected on validation); empty where the records predate it.")
	}
	if opt.Gap {
		t.Notes = append(t.Notes, "Gap: the modality's accuracy when trained alone (its unimodal row) minus its accuracy inside the model, paired by seed.")
	}
	if sources != "" {
		t.Notes = append(t.Notes, sources)
	}
	var tested []string
	for i, label := range t.Rows {
		if testSelected[label] {
			t.Marks[i] += "†"
			tested = append(tested, label)
		}
	}
	if len(tested) > 0 {
		t.Notes = append(t.Notes, "† The epoch was selected on the test split (the official repositories' protocol), not on validation: "+strings.Join(tested, ", ")+".")
	}
	var skipped []string
	for _, d := range order(dsNames, opt.Datasets) {
		most := 0
		for _, label := range t.Rows {
			for _, r := range ok[groupKey{label, d}] {
				most = max(most, r.Skipped)
			}
		}
		if most > 0 {
			skipped = append(skipped, fmt.Sprintf("%s (up to %d per run)", d, most))
		}
	}
	if len(skipped) > 0 {
		t.Notes = append(t.Notes, "Unreadable samples were skipped (skip_bad) on "+strings.Join(skipped, ", ")+".")
	}
	for i, label := range t.Rows {
		var parts []string
		for _, d := range order(dsNames, opt.Datasets) {
			k := groupKey{label, d}
			if f := failed[k]; len(f) > 0 {
				parts = append(parts, fmt.Sprintf("‡ %s on %s: %d of %d runs failed (seed %d: %s).",
					label, d, len(f), total[k], f[0].Seed, oneLine(f[0].Error)))
			}
		}
		if len(parts) > 0 {
			t.Marks[i] += "‡"
			t.Notes = append(t.Notes, parts...)
		}
	}
	return t, nil
}

// unimodalBaselines maps (modality, dataset) to the unimodal method's test
// accuracy per seed, from the first unimodal row (in row order) for that
// modality.
func unimodalBaselines(rows []string, ok map[groupKey][]*bench.Record) map[groupKey]map[uint64]float64 {
	out := map[groupKey]map[uint64]float64{}
	keys := make([]groupKey, 0, len(ok))
	rank := map[string]int{}
	for i, r := range rows {
		rank[r] = i
	}
	for k := range ok {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if rank[keys[i].label] != rank[keys[j].label] {
			return rank[keys[i].label] < rank[keys[j].label]
		}
		return keys[i].dataset < keys[j].dataset
	})
	for _, k := range keys {
		rs := ok[k]
		if !isUnimodal(rs) {
			continue
		}
		m := unimodalModality(rs[0])
		if m == "" {
			continue
		}
		bk := groupKey{m, k.dataset}
		if _, done := out[bk]; done {
			continue
		}
		seeds := map[uint64]float64{}
		for _, r := range rs {
			seeds[r.Seed] = r.Metrics["test"].Acc
		}
		out[bk] = seeds
	}
	return out
}

// isUnimodal reports whether the rows are a unimodal baseline: their
// method's Spec declares methods.RoleUnimodalBaseline.
func isUnimodal(rs []*bench.Record) bool {
	if len(rs) == 0 {
		return false
	}
	s, err := methods.Lookup(rs[0].Method)
	return err == nil && s.Role == methods.RoleUnimodalBaseline
}

// rowSource is where a row's accuracy of modality mod on dataset comes
// from: the source its records give, "" when they give none or disagree.
func rowSource(rs []*bench.Record, mod string) string {
	src := ""
	for i, r := range rs {
		s := r.Metrics["test"].ModalitySource[mod]
		if i > 0 && s != src {
			return ""
		}
		src = s
	}
	return src
}

// markSources marks the cells of every modality-accuracy column whose rows
// take the accuracy from different sources, and returns the footnote
// saying which rows use which source ("" when no column mixes them).
func (t *Table) markSources(ok map[groupKey][]*bench.Record) string {
	rowsBy := map[string][]bool{} // per source, which rows use it
	for j, c := range t.Columns {
		if c.Kind != ModalityColumn {
			continue
		}
		src := make([]string, len(t.Rows))
		seen := map[string]bool{}
		for i, label := range t.Rows {
			if t.Cells[i][j].N > 0 {
				src[i] = rowSource(ok[groupKey{label, c.Dataset}], c.Modality)
				seen[src[i]] = true
			}
		}
		if len(seen) < 2 {
			continue
		}
		for i, s := range src {
			if t.Cells[i][j].N > 0 && SourceMarks[s] != "" {
				t.Cells[i][j].Mark = SourceMarks[s]
				if rowsBy[s] == nil {
					rowsBy[s] = make([]bool, len(t.Rows))
				}
				rowsBy[s][i] = true
			}
		}
	}
	var parts []string
	for _, s := range sourceOrder {
		var rows []string
		for i, uses := range rowsBy[s] {
			if uses {
				rows = append(rows, t.Rows[i])
			}
		}
		if len(rows) > 0 {
			parts = append(parts, SourceMarks[s]+" "+sourceText[s]+" ("+strings.Join(rows, ", ")+")")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Per-modality accuracy, marked where a column mixes sources, comes from: " + strings.Join(parts, "; ") + "."
}

// unimodalModality is the modality a unimodal run trained: its "modality"
// parameter, or the only modality it reports.
func unimodalModality(r *bench.Record) string {
	if m, ok := r.Params["modality"].(string); ok && m != "" {
		return m
	}
	if mods := r.Metrics["test"].ModalityAcc; len(mods) == 1 {
		for m := range mods {
			return m
		}
	}
	return ""
}

func metric(m bench.Metrics, name string) float64 {
	v, _ := m.Value(name) // names are checked against bench.MetricNames on entry
	return v
}

// summarize returns the mean and the sample standard deviation of xs.
func summarize(xs []float64) Cell {
	n := len(xs)
	if n == 0 {
		return Cell{}
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	mean := sum / float64(n)
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	c := Cell{Mean: mean, N: n}
	if n > 1 {
		c.Std = math.Sqrt(ss / float64(n-1))
	}
	return c
}

// dropEmptyGaps removes gap columns without any value (no unimodal row for
// that modality).
func (t *Table) dropEmptyGaps() {
	keep := make([]bool, len(t.Columns))
	for j, c := range t.Columns {
		keep[j] = c.Kind != GapColumn
		for i := range t.Rows {
			keep[j] = keep[j] || t.Cells[i][j].N > 0
		}
	}
	var cols []Column
	for j, c := range t.Columns {
		if keep[j] {
			cols = append(cols, c)
		}
	}
	for i, row := range t.Cells {
		var cells []Cell
		for j, c := range row {
			if keep[j] {
				cells = append(cells, c)
			}
		}
		t.Cells[i] = cells
	}
	t.Columns = cols
}

// markBest marks, per column, the cells whose displayed mean equals the best
// displayed mean (so that ties at the printed precision are all bold).
func (t *Table) markBest() {
	for j, c := range t.Columns {
		best := math.Inf(1)
		sign := -1.0 // maximise
		if c.Kind == GapColumn {
			sign = 1 // minimise
		}
		for i := range t.Rows {
			if cell := t.Cells[i][j]; cell.N > 0 {
				best = min(best, sign*displayed(cell.Mean))
			}
		}
		for i := range t.Rows {
			if cell := &t.Cells[i][j]; cell.N > 0 && sign*displayed(cell.Mean) == best {
				cell.Best = true
			}
		}
	}
}

// displayed rounds a fraction as printed: a percentage with two decimals.
func displayed(x float64) float64 { return math.Round(x*10000) / 100 }

// pct formats a fraction as a percentage with two decimals, never "-0.00".
func pct(x float64) string {
	s := fmt.Sprintf("%.2f", displayed(x))
	if s == "-0.00" {
		s = "0.00"
	}
	return s
}

func appendNew(l []string, s string) []string {
	if slices.Contains(l, s) {
		return l
	}
	return append(l, s)
}

// order lists the names in pref order first, then the rest sorted.
func order(names, pref []string) []string {
	var out []string
	for _, p := range pref {
		if slices.Contains(names, p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	var rest []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
