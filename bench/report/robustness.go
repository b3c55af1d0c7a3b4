package report

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/miebench/miebench/bench"
)

// Robustness column measures (Column.Metric of a RobustColumn).
const (
	robClean     = "clean"     // the test accuracy
	robMissing   = "missing"   // with Column.Modality missing
	robNoise     = "noise"     // with Column.Modality at noise Column.Level
	robCorrupt   = "corrupt"   // with Column.Modality under Column.Corruption at Column.Level
	robRelative  = "relative"  // mean accuracy over the noise range
	robEffective = "effective" // drop against the reference row's drop
)

// DefaultRobustnessRef is the row effective robustness is measured
// against when RobustnessOptions.Ref is empty.
const DefaultRobustnessRef = "joint"

// BuildRobustness summarises the records' robustness evaluations
// (bench.Record.Robustness): per dataset the clean test accuracy, the
// accuracy with each modality missing, at each noise level on each
// modality and at each level of each modality-specific corruption
// (bench.CorruptionCurve), and two summaries per modality and per
// corruption after MultiBench (Liang et al., 2021):
//
//   - relative robustness: the area under accuracy against noise level,
//     from the clean accuracy at level 0 to the largest level (trapezoids),
//     divided by that level: the mean accuracy over the range; for a
//     corruption, whose levels need not be on a scale starting at 0 (an
//     SNR in dB), the clean point and the levels are equally spaced steps,
//     as MultiBench spaces its levels;
//   - effective robustness: the mean over levels of the run's accuracy drop
//     from clean minus the drop of the reference row (opt's ref, default
//     joint) at the same level, paired by seed: positive means degrading
//     more gracefully than the reference given the same clean accuracy.
//
// MultiBench also min-max normalises both across the methods of a table;
// these are left in accuracy units so that they do not depend on which
// rows are present. Cells are mean ± std over seeds with significance
// bolding as in Build; rows and trial selection follow opt.
func BuildRobustness(recs []*bench.Record, opt Options, ref string) (*Table, error) {
	if ref == "" {
		ref = DefaultRobustnessRef
	}
	recs, searched, trialRows := selectTrials(recs, opt.AllTrials)
	opt.Rows = expandRows(opt.Rows, trialRows)
	type key struct{ label, dataset string }
	byKey := map[key][]*bench.Record{}
	var labels, dsNames []string
	mods := map[string][]string{}
	levels := map[string][]float64{}
	type corrKey struct{ dataset, mod, name string }
	corrLevels := map[corrKey][]float64{}
	corrs := map[string][]corrKey{}
	for _, r := range recs {
		if r.Status != "ok" || r.Robustness == nil {
			continue
		}
		k := key{r.Label, r.Dataset}
		byKey[k] = append(byKey[k], r)
		labels = appendNew(labels, r.Label)
		dsNames = appendNew(dsNames, r.Dataset)
		for m := range r.Robustness.Missing {
			mods[r.Dataset] = appendNew(mods[r.Dataset], m)
		}
		for m := range r.Robustness.Noise {
			mods[r.Dataset] = appendNew(mods[r.Dataset], m)
		}
		if len(r.Robustness.Levels) > 0 && levels[r.Dataset] == nil {
			levels[r.Dataset] = r.Robustness.Levels
		} else if len(r.Robustness.Levels) > 0 && !slices.Equal(levels[r.Dataset], r.Robustness.Levels) {
			return nil, fmt.Errorf("records on %s have different noise levels (%v and %v): tabulate one setting at a time",
				r.Dataset, levels[r.Dataset], r.Robustness.Levels)
		}
		for _, c := range r.Robustness.Corruptions {
			k := corrKey{r.Dataset, c.Modality, c.Name}
			if old, ok := corrLevels[k]; !ok {
				corrLevels[k] = c.Levels
				corrs[r.Dataset] = append(corrs[r.Dataset], k)
			} else if !slices.Equal(old, c.Levels) {
				return nil, fmt.Errorf("records on %s have different %s.%s levels (%v and %v): tabulate one setting at a time",
					r.Dataset, c.Modality, c.Name, old, c.Levels)
			}
		}
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("no successful run has a robustness evaluation (add a robustness: block to the suite)")
	}
	for _, rs := range byKey {
		sort.Slice(rs, func(i, j int) bool { return rs[i].Seed < rs[j].Seed })
	}
	t := &Table{Rows: order(labels, opt.Rows)}
	for _, d := range order(dsNames, opt.Datasets) {
		ms := mods[d]
		sort.Strings(ms)
		t.Columns = append(t.Columns, Column{Dataset: d, Kind: RobustColumn, Metric: robClean})
		for _, m := range ms {
			t.Columns = append(t.Columns, Column{Dataset: d, Kind: RobustColumn, Metric: robMissing, Modality: m})
		}
		for _, m := range ms {
			for _, l := range levels[d] {
				t.Columns = append(t.Columns, Column{Dataset: d, Kind: RobustColumn, Metric: robNoise, Modality: m, Level: l})
			}
		}
		cs := corrs[d]
		sort.Slice(cs, func(i, j int) bool {
			return cs[i].mod < cs[j].mod || cs[i].mod == cs[j].mod && cs[i].name < cs[j].name
		})
		for _, k := range cs {
			for _, l := range corrLevels[k] {
				t.Columns = append(t.Columns, Column{Dataset: d, Kind: RobustColumn, Metric: robCorrupt, Modality: k.mod, Corruption: k.name, Level: l})
			}
		}
		// The summaries: per modality over the noise levels, then per
		// corruption.
		var curves []Column
		if len(levels[d]) > 0 {
			for _, m := range ms {
				curves = append(curves, Column{Dataset: d, Modality: m})
			}
		}
		for _, k := range cs {
			curves = append(curves, Column{Dataset: d, Modality: k.mod, Corruption: k.name})
		}
		for _, metric := range []string{robRelative, robEffective} {
			if metric == robEffective && len(byKey[key{ref, d}]) == 0 {
				continue
			}
			for _, c := range curves {
				c.Kind, c.Metric = RobustColumn, metric
				t.Columns = append(t.Columns, c)
			}
		}
	}
	t.Cells = make([][]Cell, len(t.Rows))
	for i, label := range t.Rows {
		t.Cells[i] = make([]Cell, len(t.Columns))
		for j, c := range t.Columns {
			refRuns := map[uint64]*bench.Record{}
			for _, r := range byKey[key{ref, c.Dataset}] {
				refRuns[r.Seed] = r
			}
			var xs []float64
			for _, r := range byKey[key{label, c.Dataset}] {
				if v, ok := robustValue(r, c, refRuns[r.Seed]); ok {
					xs = append(xs, v)
				}
			}
			t.Cells[i][j] = summarize(xs)
		}
	}
	t.dropEmpty()
	t.markBest()
	t.Marks = make([]string, len(t.Rows))
	t.Notes = append(t.Notes,
		"Test accuracy of the selected model, in %, mean ± sample standard deviation (n − 1) over seeds; (n) is the number of seeds. "+
			"Best of each column in bold, and so is every cell not significantly worse than it (one-sided Welch's t-test over seeds, p ≥ 0.05, both cells with n ≥ 2).",
		"no M: modality M's inputs replaced (zeros, or their training mean with impute: mean). M σ×L: Gaussian noise of L times each input's training standard deviation added to modality M.")
	if t.hasRob(robCorrupt) {
		t.Notes = append(t.Notes, "M C=L: modality M under the dataset's corruption C at level L (`miebench describe DATASET` says what the levels mean).")
	}
	if t.hasRob(robRelative) {
		t.Notes = append(t.Notes, "Rel. rob. (M): relative robustness after MultiBench, the area under accuracy against noise level on M from the clean accuracy at 0 to the largest level, over that level (the mean accuracy over the range). Rel. rob. (M C): the same over corruption C's levels taken as equally spaced steps after the clean point (the mean of the trapezoids).")
	}
	if t.hasRob(robEffective) {
		t.Notes = append(t.Notes, fmt.Sprintf("Eff. rob. (M) and (M C): effective robustness after MultiBench, the mean over levels of the accuracy drop from clean minus the drop of the %s row at the same level, paired by seed (> 0: degrades less than %s). MultiBench's min-max normalisation across methods is not applied.", ref, ref))
	}
	t.addSearchNotes(searched, opt.AllTrials)
	return t, nil
}

// robustValue is run r's value in column c (ref: the reference row's run
// with the same seed, or nil).
func robustValue(r *bench.Record, c Column, ref *bench.Record) (float64, bool) {
	rob := r.Robustness
	clean := r.Metrics["test"].Acc
	if c.Corruption != "" {
		return corruptionValue(r, c, ref)
	}
	switch c.Metric {
	case robClean:
		return clean, true
	case robMissing:
		v, ok := rob.Missing[c.Modality]
		return v, ok
	case robNoise:
		i := slices.Index(rob.Levels, c.Level)
		if accs := rob.Noise[c.Modality]; i >= 0 && i < len(accs) {
			return accs[i], true
		}
	case robRelative:
		accs := rob.Noise[c.Modality]
		if len(accs) == 0 || len(accs) != len(rob.Levels) {
			return 0, false
		}
		return relativeRobustness(clean, rob.Levels, accs), true
	case robEffective:
		if ref == nil || ref.Robustness == nil {
			return 0, false
		}
		accs, refAccs := rob.Noise[c.Modality], ref.Robustness.Noise[c.Modality]
		if len(accs) == 0 || len(accs) != len(refAccs) || !slices.Equal(rob.Levels, ref.Robustness.Levels) {
			return 0, false
		}
		return effectiveRobustness(clean, accs, ref.Metrics["test"].Acc, refAccs), true
	}
	return 0, false
}

// corruptionValue is run r's value in column c of a modality-specific
// corruption.
func corruptionValue(r *bench.Record, c Column, ref *bench.Record) (float64, bool) {
	cur := corruptionCurve(r.Robustness, c.Modality, c.Corruption)
	if cur == nil || len(cur.Acc) != len(cur.Levels) {
		return 0, false
	}
	clean := r.Metrics["test"].Acc
	switch c.Metric {
	case robCorrupt:
		if i := slices.Index(cur.Levels, c.Level); i >= 0 {
			return cur.Acc[i], true
		}
	case robRelative:
		return relativeRobustness(clean, steps(len(cur.Levels)), cur.Acc), true
	case robEffective:
		if ref == nil || ref.Robustness == nil {
			return 0, false
		}
		rc := corruptionCurve(ref.Robustness, c.Modality, c.Corruption)
		if rc == nil || !slices.Equal(rc.Levels, cur.Levels) || len(rc.Acc) != len(cur.Acc) {
			return 0, false
		}
		return effectiveRobustness(clean, cur.Acc, ref.Metrics["test"].Acc, rc.Acc), true
	}
	return 0, false
}

// corruptionCurve is rob's curve of corruption name on modality mod, or
// nil.
func corruptionCurve(rob *bench.Robustness, mod, name string) *bench.CorruptionCurve {
	for i, c := range rob.Corruptions {
		if c.Modality == mod && c.Name == name {
			return &rob.Corruptions[i]
		}
	}
	return nil
}

// steps is 1, 2, ..., n: equally spaced positions of n levels after the
// clean point at 0.
func steps(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = float64(i + 1)
	}
	return s
}

// relativeRobustness is the trapezoid area under (0, clean), (levels[i],
// accs[i]) over the largest level; levels are increasing.
func relativeRobustness(clean float64, levels, accs []float64) float64 {
	x, y := 0.0, clean
	area := 0.0
	for i, l := range levels {
		area += (l - x) * (y + accs[i]) / 2
		x, y = l, accs[i]
	}
	if x == 0 {
		return clean
	}
	return area / x
}

// effectiveRobustness is the mean over levels of (accs[i] - clean) -
// (refAccs[i] - refClean).
func effectiveRobustness(clean float64, accs []float64, refClean float64, refAccs []float64) float64 {
	sum := 0.0
	for i := range accs {
		sum += (accs[i] - clean) - (refAccs[i] - refClean)
	}
	return sum / float64(len(accs))
}

func (t *Table) hasRob(metric string) bool {
	return slices.ContainsFunc(t.Columns, func(c Column) bool { return c.Kind == RobustColumn && c.Metric == metric })
}

// dropEmpty removes columns without any value.
func (t *Table) dropEmpty() {
	t.dropColumnsWhere(func(Column) bool { return true })
}

// robustName is a RobustColumn's header without its dataset.
func robustName(c Column) string {
	switch c.Metric {
	case robClean:
		return "Clean"
	case robMissing:
		return "no " + c.Modality
	case robNoise:
		return c.Modality + " σ×" + strconv.FormatFloat(c.Level, 'g', -1, 64)
	case robCorrupt:
		return c.Modality + " " + c.Corruption + "=" + strconv.FormatFloat(c.Level, 'g', -1, 64)
	case robRelative:
		return "Rel. rob. (" + strings.TrimSpace(c.Modality+" "+c.Corruption) + ")"
	case robEffective:
		return "Eff. rob. (" + strings.TrimSpace(c.Modality+" "+c.Corruption) + ")"
	}
	return strings.TrimSpace(c.Metric + " " + c.Modality)
}
