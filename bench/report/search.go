package report

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/miebench/miebench/bench"
)

// trialChoice is the outcome of one (row, dataset)'s hyperparameter search.
type trialChoice struct {
	label, dataset string
	trial, trials  int
	values         map[string]any
	metric         string  // the validation metric trials are ranked by
	score          float64 // its mean over the trial's successful seeds
	seeds          int     // successful seeds of the trial
	row            string  // the row showing the trial (with AllTrials: its own)
}

type trialKey struct {
	label, dataset string
	trial          int
}

// selectTrials picks, for every (row label, dataset) whose records come
// from a search (bench.Record.Search), the trial with the most successful
// seeds and, among those, the best mean validation metric (the suite's
// selection metric; ties go to the lower trial index). It returns the
// records to tabulate: every record outside a search, and of a search only
// the selected trial's, or with all every trial's, relabelled
// "LABEL [trial K: k=v, ...]"; the choices, sorted by label and dataset;
// and, with all, each searched label's trial rows in trial order.
func selectTrials(recs []*bench.Record, all bool) ([]*bench.Record, []trialChoice, map[string][]string) {
	byTrial := map[trialKey][]*bench.Record{}
	var keys []trialKey
	var kept []*bench.Record
	for _, r := range recs {
		if r.Search == nil {
			kept = append(kept, r)
			continue
		}
		k := trialKey{r.Label, r.Dataset, r.Search.Trial}
		if byTrial[k] == nil {
			keys = append(keys, k)
		}
		byTrial[k] = append(byTrial[k], r)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.label != b.label {
			return a.label < b.label
		}
		if a.dataset != b.dataset {
			return a.dataset < b.dataset
		}
		return a.trial < b.trial
	})
	var choices []trialChoice
	rows := map[string][]string{}
	for i := 0; i < len(keys); {
		j := i
		for j < len(keys) && keys[j].label == keys[i].label && keys[j].dataset == keys[i].dataset {
			j++
		}
		var best *trialChoice
		var trialsOf []trialChoice
		for _, k := range keys[i:j] {
			c := scoreTrial(byTrial[k])
			c.label, c.dataset, c.trial = k.label, k.dataset, k.trial
			trialsOf = append(trialsOf, c)
			if c.seeds > 0 && (best == nil || c.seeds > best.seeds || c.seeds == best.seeds && c.score > best.score) {
				cc := c
				best = &cc
			}
		}
		for _, c := range trialsOf {
			rs := byTrial[trialKey{c.label, c.dataset, c.trial}]
			if !all {
				if best == nil || c.trial == best.trial {
					kept = append(kept, rs...) // no successful trial: its failures stay visible
				}
				continue
			}
			row := fmt.Sprintf("%s [trial %d: %s]", c.label, c.trial, formatValues(c.values))
			if !slices.Contains(rows[c.label], row) {
				rows[c.label] = append(rows[c.label], row)
			}
			if best != nil && c.trial == best.trial {
				best.row = row
			}
			for _, r := range rs {
				cp := *r
				cp.Label = row
				kept = append(kept, &cp)
			}
		}
		if best != nil {
			if best.row == "" {
				best.row = best.label
			}
			choices = append(choices, *best)
		}
		i = j
	}
	return kept, choices, rows
}

// scoreTrial is a trial's mean validation selection metric over its
// successful runs (loss counts negatively: higher is better).
func scoreTrial(rs []*bench.Record) trialChoice {
	c := trialChoice{trials: rs[0].Search.Trials, values: rs[0].Search.Values, metric: "acc"}
	if m := rs[0].Spec.Selection.Metric; m != "" {
		c.metric = m
	}
	sum := 0.0
	for _, r := range rs {
		if r.Status != "ok" {
			continue
		}
		v, _ := r.Metrics["val"].Value(c.metric)
		if c.metric == "loss" {
			v = -v
		}
		sum += v
		c.seeds++
	}
	if c.seeds > 0 {
		c.score = sum / float64(c.seeds)
	}
	return c
}

// formatValues prints sampled values as "k=v, ..." in name order.
func formatValues(vals map[string]any) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, vals[k]))
	}
	return strings.Join(parts, ", ")
}

// addSearchNotes marks the rows of selected trials with ¶ and says, per
// row and dataset, which trial was selected, by what, and its values.
func (t *Table) addSearchNotes(choices []trialChoice, all bool) {
	if len(choices) == 0 {
		return
	}
	rank := map[string]int{}
	for i, r := range t.Rows {
		rank[r] = i
	}
	sort.SliceStable(choices, func(i, j int) bool { return rank[choices[i].row] < rank[choices[j].row] })
	if all {
		t.Notes = append(t.Notes, "Every trial of a hyperparameter search is a row of its own; ¶ marks the selected one.")
	}
	for _, c := range choices {
		i, ok := rank[c.row]
		if !ok {
			continue
		}
		if !strings.Contains(t.Marks[i], "¶") {
			t.Marks[i] += "¶"
		}
		score := c.score
		if c.metric == "loss" {
			score = -score
		}
		t.Notes = append(t.Notes, fmt.Sprintf("¶ %s on %s: trial %d of %d of a random search, selected by mean validation %s over %d seeds (%s): %s.",
			c.label, c.dataset, c.trial, c.trials, c.metric, c.seeds, pct(score), formatValues(c.values)))
	}
}
