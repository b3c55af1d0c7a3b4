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
	// (default acc), and cost columns (bench.CostNames: params, train_s,
	// ...), which are measured rather than results: never bold, never
	// ranked.
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
	// AllTrials shows every trial of a hyperparameter search as its own
	// row instead of the selected one only.
	AllTrials bool
}

// ColumnKind says what a column holds.
type ColumnKind int

// Column kinds.
const (
	MetricColumn   ColumnKind = iota // a metric of the fused prediction
	ModalityColumn                   // a modality's accuracy inside the model
	GapColumn                        // unimodal accuracy minus ModalityColumn
	RankColumn                       // the average over datasets of the row's rank (no dataset)
	CostColumn                       // a cost of the run (bench.Cost), Metric naming it
	RobustColumn                     // a robustness measure (BuildRobustness), Metric naming it
	ProbeColumn                      // a linear probe's accuracy on the frozen encoder
)

// Column is one column of a table.
type Column struct {
	Dataset  string
	Kind     ColumnKind
	Metric   string  // MetricColumn: acc, macro_f1 or map
	Modality string  // ModalityColumn, GapColumn, ProbeColumn, RobustColumn
	Level    float64 // RobustColumn: the noise or corruption level
	// Corruption is a RobustColumn's modality-specific corruption (e.g.
	// "snr_db"); empty for the generic noise.
	Corruption string
}

// Name is the column's header without its dataset.
func (c Column) Name() string {
	switch c.Kind {
	case ModalityColumn:
		return "Acc (" + c.Modality + ")"
	case GapColumn:
		return "Gap (" + c.Modality + ")"
	case RankColumn:
		return "Avg. rank"
	case CostColumn:
		return CostTitle(c.Metric)
	case RobustColumn:
		return robustName(c)
	case ProbeColumn:
		return "Probe (" + c.Modality + ")"
	}
	return MetricTitle(c.Metric)
}

// CostTitle is a cost column's title.
func CostTitle(name string) string {
	switch name {
	case "params":
		return "Params"
	case "steps":
		return "Steps"
	case "train_s":
		return "Train (s)"
	case "eval_s":
		return "Eval (s)"
	case "steps_per_s":
		return "Steps/s"
	case "peak_rss_mb":
		return "Peak RSS (MiB)"
	}
	return name
}

// Header is the column's full header: its dataset and its name.
func (c Column) Header() string {
	if c.Dataset == "" {
		return c.Name()
	}
	return c.Dataset + " " + c.Name()
}

// lowerBetter reports whether the column's best cell is its lowest.
func (c Column) lowerBetter() bool { return c.Kind == GapColumn || c.Kind == RankColumn }

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

// Cell is a summary over seeds, in the records' units (fractions); in a
// RankColumn, Mean is the average rank and N the number of datasets.
type Cell struct {
	Mean, Std float64 // Std is the sample standard deviation (n-1); 0 when N < 2
	N         int     // number of seeds; 0 means no value
	Best      bool    // best of its column (highest; lowest for gaps and ranks), ties at the printed precision included
	// NotWorse marks a cell that is not Best but not significantly worse
	// than the column's best cell either: Welch's one-sided t-test over
	// seeds gives p >= Alpha, both cells having at least two seeds. P is
	// that p value (NaN where no test was made).
	NotWorse bool
	P        float64
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

// Bold reports whether the cell is shown in bold: Best or NotWorse.
func (c Cell) Bold() bool { return c.Best || c.NotWorse }

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
		if !slices.Contains(bench.MetricNames, m) && !slices.Contains(bench.CostNames, m) {
			return nil, fmt.Errorf("unknown metric %q (valid: %s; costs: %s)", m, strings.Join(bench.MetricNames, ", "), strings.Join(bench.CostNames, ", "))
		}
	}
	recs, searched, trialRows := selectTrials(recs, opt.AllTrials) // before grouping: a cell never mixes trials
	opt.Rows = expandRows(opt.Rows, trialRows)
	recs, variants, err := SeparateSettings(recs) // cells aggregate over seeds only
	if err != nil {
		return nil, err
	}
	opt.Rows = expandRows(opt.Rows, variants)
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
			if slices.Contains(bench.MetricNames, m) {
				t.Columns = append(t.Columns, Column{Dataset: d, Kind: MetricColumn, Metric: m})
			}
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
		for _, m := range opt.Metrics {
			if slices.Contains(bench.CostNames, m) {
				t.Columns = append(t.Columns, Column{Dataset: d, Kind: CostColumn, Metric: m})
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
			case CostColumn:
				for _, r := range rs {
					if r.Cost != nil {
						v, _ := r.Cost.Value(c.Metric)
						xs = append(xs, v)
					}
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
	t.addRanks()
	t.markBest()
	sources := t.markSources(ok)
	t.Marks = make([]string, len(t.Rows))
	t.Notes = append(t.Notes, "Mean ± sample standard deviation (n − 1) over seeds on the test split, in %; (n) is the number of seeds. "+
		"Best of each column in bold (for gaps: the lowest), and so is every cell not significantly worse than it "+
		"(one-sided Welch's t-test over seeds, p ≥ 0.05, both cells with n ≥ 2).")
	if t.hasKind(GapColumn) {
		t.Notes = append(t.Notes, "Gap: the modality's accuracy when trained alone (its unimodal row) minus its accuracy inside the model, paired by seed.")
	}
	if opt.Probe {
		t.Notes = append(t.Notes, "Probe: accuracy of a linear head fitted on the selected epoch's frozen encoder features of the training split (iterations selected on validation); empty where the records predate it.")
	}
	if t.hasKind(CostColumn) {
		t.Notes = append(t.Notes, "Cost columns are measured on the machines that ran the sweep (mean ± std over seeds), not compared: "+
			"wall times of the training batches and of evaluation, training steps per second, and the peak resident memory of the process, "+
			"which with several workers covers the runs trained at the same time.")
	}
	if t.hasKind(RankColumn) {
		t.Notes = append(t.Notes, fmt.Sprintf("Avg. rank: the row's rank by %s on each dataset (1 = best; ties share the mean of their ranks), averaged over the datasets where the row has a value; (n) is the number of those datasets.",
			MetricTitle(t.rankMetric())))
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
	t.addSearchNotes(searched, opt.AllTrials)
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
				parts = append(parts, fmt.Sprintf("‡ %s on %s: %d of %d runs failed (%s).",
					label, d, len(f), total[k], bySeed(f, func(r *bench.Record) string { return oneLine(r.Error) })))
			}
		}
		if len(parts) > 0 {
			t.Marks[i] += "‡"
			t.Notes = append(t.Notes, parts...)
		}
	}
	for i, label := range t.Rows {
		var parts []string
		for _, d := range order(dsNames, opt.Datasets) {
			k := groupKey{label, d}
			var warned []*bench.Record
			for _, r := range ok[k] {
				if len(r.Warnings) > 0 {
					warned = append(warned, r)
				}
			}
			if len(warned) > 0 {
				parts = append(parts, fmt.Sprintf("§ %s on %s: %d of %d runs degenerate, kept in the mean (%s).",
					label, d, len(warned), total[k], bySeed(warned, func(r *bench.Record) string { return strings.Join(r.Warnings, " and ") })))
			}
		}
		if len(parts) > 0 {
			t.Marks[i] += "§"
			t.Notes = append(t.Notes, parts...)
		}
	}
	if n := versionNote(recs); n != "" {
		t.Notes = append(t.Notes, n)
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

// hasKind reports whether t has a column of kind k.
func (t *Table) hasKind(k ColumnKind) bool {
	return slices.ContainsFunc(t.Columns, func(c Column) bool { return c.Kind == k })
}

// dropEmptyGaps removes gap columns without any value (no unimodal row for
// that modality).
func (t *Table) dropEmptyGaps() {
	t.dropColumnsWhere(func(c Column) bool { return c.Kind == GapColumn })
}

// dropColumnsWhere removes the columns that drop selects and that hold no
// value in any row.
func (t *Table) dropColumnsWhere(drop func(Column) bool) {
	keep := make([]bool, len(t.Columns))
	for j, c := range t.Columns {
		keep[j] = !drop(c)
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

// addRanks appends, when the table has two or more datasets, a RankColumn:
// per dataset the rows are ranked by the dataset's first metric column
// (highest mean first, tied means at the printed precision sharing the mean
// of their ranks), and each row's cell is the mean of its ranks over the
// datasets where it has a value.
func (t *Table) addRanks() {
	first := map[string]int{} // dataset -> its first metric column
	var dsOrder []string
	for j, c := range t.Columns {
		if _, ok := first[c.Dataset]; !ok && c.Kind == MetricColumn {
			first[c.Dataset] = j
			dsOrder = append(dsOrder, c.Dataset)
		}
	}
	if len(dsOrder) < 2 {
		return
	}
	sums := make([]float64, len(t.Rows))
	counts := make([]int, len(t.Rows))
	for _, d := range dsOrder {
		j := first[d]
		for i := range t.Rows {
			ci := t.Cells[i][j]
			if ci.N == 0 {
				continue
			}
			// rank = 1 + #better + (#tied others)/2
			better, tied := 0, 0
			for k := range t.Rows {
				ck := t.Cells[k][j]
				if k == i || ck.N == 0 {
					continue
				}
				switch a, b := displayed(ck.Mean), displayed(ci.Mean); {
				case a > b:
					better++
				case a == b:
					tied++
				}
			}
			sums[i] += 1 + float64(better) + float64(tied)/2
			counts[i]++
		}
	}
	t.Columns = append(t.Columns, Column{Kind: RankColumn})
	for i := range t.Rows {
		c := Cell{}
		if counts[i] > 0 {
			c = Cell{Mean: sums[i] / float64(counts[i]), N: counts[i]}
		}
		t.Cells[i] = append(t.Cells[i], c)
	}
}

// rankMetric is the metric the rank column ranks by: the first metric
// column's.
func (t *Table) rankMetric() string {
	for _, c := range t.Columns {
		if c.Kind == MetricColumn {
			return c.Metric
		}
	}
	return ""
}

// markBest marks, per column, the cells whose displayed mean equals the best
// displayed mean (so that ties at the printed precision are all Best), and
// the cells not significantly worse than the best one (see Cell.NotWorse).
// The reference of the tests is the Best cell with the best unrounded mean,
// the first in row order among equals. Ranks are not tested.
func (t *Table) markBest() {
	for j, c := range t.Columns {
		if c.Kind == CostColumn {
			for i := range t.Rows {
				t.Cells[i][j].P = math.NaN()
			}
			continue
		}
		best := math.Inf(1)
		sign := -1.0 // maximise
		if c.lowerBetter() {
			sign = 1 // minimise
		}
		for i := range t.Rows {
			if cell := t.Cells[i][j]; cell.N > 0 {
				best = min(best, sign*displayed(cell.Mean))
			}
		}
		ref := -1
		for i := range t.Rows {
			cell := &t.Cells[i][j]
			cell.P = math.NaN()
			if cell.N > 0 && sign*displayed(cell.Mean) == best {
				cell.Best = true
				if ref < 0 || sign*cell.Mean < sign*t.Cells[ref][j].Mean {
					ref = i
				}
			}
		}
		if ref < 0 || c.Kind == RankColumn || t.Cells[ref][j].N < 2 {
			continue
		}
		for i := range t.Rows {
			cell := &t.Cells[i][j]
			if cell.Best || cell.N < 2 {
				continue
			}
			cell.P = pWorse(t.Cells[ref][j], *cell, c.lowerBetter())
			cell.NotWorse = cell.P >= Alpha
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

// bySeed lists every record (in seed order) as "seed 3: what", separated
// by "; ".
func bySeed(rs []*bench.Record, what func(*bench.Record) string) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("seed %d: %s", r.Seed, what(r))
	}
	return strings.Join(parts, "; ")
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
