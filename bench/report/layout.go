package report

import (
	"slices"
	"sort"

	"github.com/miebench/miebench/bench"
)

// LayoutOptions returns the table options the records' suite asked for (the
// layout each record carries, see bench.TableLayout) and whether any record
// carries one. Records written from several plans of one suite (shards,
// resumed sweeps with other --set overrides) are merged deterministically:
// metrics, rows and datasets in the order of their first appearance over
// the records sorted by id, and a column kind shown when any layout shows
// it.
func LayoutOptions(recs []*bench.Record) (Options, bool) {
	sorted := slices.Clone(recs)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	var opt Options
	found := false
	for _, r := range sorted {
		l := r.Table
		if l == nil {
			continue
		}
		found = true
		for _, m := range l.Metrics {
			opt.Metrics = appendNew(opt.Metrics, m)
		}
		for _, row := range l.Rows {
			opt.Rows = appendNew(opt.Rows, row)
		}
		for _, d := range l.Datasets {
			opt.Datasets = appendNew(opt.Datasets, d)
		}
		opt.ModalityAcc = opt.ModalityAcc || l.ModalityAcc
		opt.Gap = opt.Gap || l.Gap
		opt.Probe = opt.Probe || l.Probe
	}
	return opt, found
}
