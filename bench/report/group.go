package report

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/miebench/miebench/bench"
)

// A table cell and a plot curve aggregate over seeds only: the records of
// one cell share every setting but the seed, and hold each seed once.
// SeparateSettings enforces it before any grouping by row label.

// SeparateSettings returns recs with the row label of every record whose
// label (on its dataset) is shared by records of other settings extended by
// what differs, e.g. "joint [train.epochs=8]" next to "joint
// [train.epochs=20]", and the variant labels of each split label (sorted).
// Settings are the record's resolved configuration (RunSpec) without the
// seed and the data root; the data fingerprint is a setting, so one suite
// run on two data trees gives two rows. Records of one setting that repeat
// a seed are an error naming them. Records are copied, never modified.
func SeparateSettings(recs []*bench.Record) ([]*bench.Record, map[string][]string, error) {
	type variant struct {
		key  string
		flat map[string]string
		recs []*bench.Record
	}
	type group struct {
		label, dataset string
		variants       []*variant
	}
	groups := map[[2]string]*group{}
	var order [][2]string
	for _, r := range recs {
		gk := [2]string{r.Label, r.Dataset}
		g := groups[gk]
		if g == nil {
			g = &group{label: r.Label, dataset: r.Dataset}
			groups[gk] = g
			order = append(order, gk)
		}
		flat, key, err := settings(r)
		if err != nil {
			return nil, nil, err
		}
		var v *variant
		for _, x := range g.variants {
			if x.key == key {
				v = x
			}
		}
		if v == nil {
			v = &variant{key: key, flat: flat}
			g.variants = append(g.variants, v)
		}
		for _, o := range v.recs {
			if o.Seed == r.Seed {
				return nil, nil, fmt.Errorf("runs %s and %s: %s on %s, seed %d twice with the same settings", o.ID, r.ID, r.Label, r.Dataset, r.Seed)
			}
		}
		v.recs = append(v.recs, r)
	}
	relabel := map[*bench.Record]string{}
	variantsOf := map[string][]string{} // label -> variant labels, sorted
	for _, gk := range order {
		g := groups[gk]
		if len(g.variants) < 2 {
			continue
		}
		diff := differingKeys(g.variants[0].flat, func(yield func(map[string]string) bool) {
			for _, v := range g.variants {
				if !yield(v.flat) {
					return
				}
			}
		})
		for _, v := range g.variants {
			parts := make([]string, len(diff))
			for i, k := range diff {
				val, ok := v.flat[k]
				if !ok {
					val = "-"
				}
				parts[i] = k + "=" + val
			}
			name := g.label + " [" + strings.Join(parts, ", ") + "]"
			for _, r := range v.recs {
				relabel[r] = name
			}
			variantsOf[g.label] = appendNew(variantsOf[g.label], name)
		}
	}
	if len(relabel) == 0 {
		return recs, nil, nil
	}
	for _, vs := range variantsOf {
		sort.Strings(vs)
	}
	out := make([]*bench.Record, len(recs))
	for i, r := range recs {
		out[i] = r
		if name, ok := relabel[r]; ok {
			c := *r
			c.Label = name
			out[i] = &c
		}
	}
	return out, variantsOf, nil
}

// expandRows replaces each label of rows that SeparateSettings split by its
// variants, in place.
func expandRows(rows []string, variants map[string][]string) []string {
	if len(variants) == 0 {
		return rows
	}
	var out []string
	for _, l := range rows {
		if vs, ok := variants[l]; ok {
			for _, v := range vs {
				out = appendNew(out, v)
			}
			continue
		}
		out = appendNew(out, l)
	}
	return out
}

// differingKeys lists, sorted, the keys whose values are not the same in
// every map (absent counts as a value).
func differingKeys(first map[string]string, all func(func(map[string]string) bool)) []string {
	keys := map[string]bool{}
	all(func(m map[string]string) bool {
		for k := range m {
			keys[k] = true
		}
		return true
	})
	var out []string
	for k := range keys {
		want, had := first[k]
		same := true
		all(func(m map[string]string) bool {
			v, ok := m[k]
			if ok != had || v != want {
				same = false
				return false
			}
			return true
		})
		if !same {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// settings flattens a record's configuration without seed and data root
// into dotted keys ("train.epochs", "params.alpha", "dataset.fingerprint")
// with JSON values (strings unquoted, fingerprints shortened), and returns
// it with a canonical key.
func settings(r *bench.Record) (map[string]string, string, error) {
	spec := r.Spec
	spec.Seed = 0
	spec.Label = ""
	spec.Dataset.Root = ""
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, "", fmt.Errorf("run %s: settings: %w", r.ID, err)
	}
	var tree map[string]any
	if err := json.Unmarshal(b, &tree); err != nil {
		return nil, "", fmt.Errorf("run %s: settings: %w", r.ID, err)
	}
	flat := map[string]string{}
	flatten("", tree, flat)
	if fp, ok := flat["dataset.fingerprint"]; ok && len(fp) > 8 {
		flat["dataset.fingerprint"] = fp[:8]
	}
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var key strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&key, "%q=%q;", k, flat[k])
	}
	if r.Spec.Dataset.Fingerprint != "" { // the full hash, not the shortened one
		key.WriteString(r.Spec.Dataset.Fingerprint)
	}
	return flat, key.String(), nil
}

func flatten(prefix string, v any, out map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, e, out)
		}
	case string:
		out[prefix] = t
	default:
		b, _ := json.Marshal(t) // decoded from JSON: always encodable
		out[prefix] = string(b)
	}
}

// versionNote is the footnote of a table whose records come from several
// code versions ("" when they all come from one).
func versionNote(recs []*bench.Record) string {
	count := map[bench.Version]int{}
	var versions []bench.Version
	for _, r := range recs {
		if count[r.Version] == 0 {
			versions = append(versions, r.Version)
		}
		count[r.Version]++
	}
	if len(versions) < 2 {
		return ""
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i].String() < versions[j].String() })
	parts := make([]string, len(versions))
	for i, v := range versions {
		parts[i] = fmt.Sprintf("%s (%d runs)", v, count[v])
	}
	return fmt.Sprintf("The records come from %d code versions: %s.", len(versions), strings.Join(parts, "; "))
}
