package datasets

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Format writes the report for people: the Details lines, then for each
// split (train, val, test, then any other, in that order) its total and
// the count per class in sorted class order, then the warnings, the
// missing and the unreadable files, each list cut after first entries and
// followed by how many more there are (first <= 0 prints them all), then a
// one-line verdict.
func (r *CheckReport) Format(w io.Writer, first int) error {
	var b strings.Builder
	for _, d := range r.Details {
		fmt.Fprintf(&b, "%s\n", d)
	}
	splits := make([]string, 0, len(r.Counts))
	for s := range r.Counts {
		splits = append(splits, s)
	}
	sort.Slice(splits, func(i, j int) bool {
		a, c := slices.Index(SplitNames, splits[i]), slices.Index(SplitNames, splits[j])
		if a < 0 {
			a = len(SplitNames)
		}
		if c < 0 {
			c = len(SplitNames)
		}
		if a != c {
			return a < c
		}
		return splits[i] < splits[j]
	})
	for _, s := range splits {
		classes := make([]string, 0, len(r.Counts[s]))
		total := 0
		for c, n := range r.Counts[s] {
			classes = append(classes, c)
			total += n
		}
		sort.Strings(classes)
		fmt.Fprintf(&b, "%s: %d samples\n", s, total)
		for _, c := range classes {
			fmt.Fprintf(&b, "  %-24s %d\n", c, r.Counts[s][c])
		}
	}
	list := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s: %d\n", title, len(items))
		n := len(items)
		if first > 0 && n > first {
			n = first
		}
		for _, it := range items[:n] {
			fmt.Fprintf(&b, "  %s\n", it)
		}
		if n < len(items) {
			fmt.Fprintf(&b, "  ... and %d more\n", len(items)-n)
		}
	}
	list("warnings", r.Warnings)
	list("missing", r.Missing)
	list("unreadable", r.Bad)
	if r.OK() {
		b.WriteString("ok: no missing or unreadable files\n")
	} else {
		fmt.Fprintf(&b, "FAILED: %d missing, %d unreadable\n", len(r.Missing), len(r.Bad))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
