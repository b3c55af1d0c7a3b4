package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/miebench/miebench/datasets"
	"github.com/miebench/miebench/internal/param"
	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/permodal"
	"github.com/miebench/miebench/model"
)

// ModalitiesFunc returns the modality names of a dataset in the dataset's
// order; planning uses it to trim encoders and to validate methods.
type ModalitiesFunc func(DatasetSpec) ([]string, error)

// OpenModalities opens the dataset (OpenDataset: once per process, so the
// runs reuse it) and reads its modalities. It is the default ModalitiesFunc:
// opening at plan time also turns a missing or wrong data root into a config
// error before any run.
func OpenModalities(ds DatasetSpec) ([]string, error) {
	d, err := OpenDataset(ds)
	if err != nil {
		return nil, err
	}
	return modalityNames(d.Info()), nil
}

// GridPoint is one point of a method entry's grid: the hyperparameter values
// as written in the suite, and the row label.
type GridPoint struct {
	Label  string
	Params map[string]any
	Trial  *SearchTrial // the search trial (nil without a search)
}

// Grid expands the entry's hyperparameters into grid points: every list
// value is an axis, except that the value of a per-modality hyperparameter
// (a ParamSpec whose Default is a permodal.List) is itself a list and only
// a list of such values is an axis (see perModalityAxis); axes are ordered
// by parameter name and the last varies fastest. An entry without lists is a single point. The label is the
// entry's label (default: the method name), followed by "(k=v,...)" with the
// grid values when the entry has more than one point.
func (m SuiteMethod) Grid() ([]GridPoint, error) {
	base := m.Label
	if base == "" {
		base = m.Name
	}
	keys := make([]string, 0, len(m.Params))
	for k := range m.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var axes []string
	fixed := map[string]any{}
	perModality := perModalityParams(m.Name)
	for _, k := range keys {
		v := m.Params[k]
		if l, ok := v.([]any); ok && (!perModality[k] || perModalityAxis(l)) {
			switch len(l) {
			case 0:
				return nil, &param.KeyError{Key: k, Err: fmt.Errorf("hyperparameter %q: an empty list has no values", k)}
			case 1:
				fixed[k] = l[0]
			default:
				axes = append(axes, k)
			}
			continue
		}
		fixed[k] = v
	}
	if n := m.GridSize(); n > MaxPlannedRuns {
		return nil, &param.KeyError{Key: axes[0], Err: fmt.Errorf("the grid has %d points, more than the limit of %d planned runs", n, MaxPlannedRuns)}
	}
	points := []GridPoint{{Label: base, Params: fixed}}
	for _, k := range axes {
		var next []GridPoint
		for _, p := range points {
			for _, v := range m.Params[k].([]any) {
				q := GridPoint{Params: make(map[string]any, len(p.Params)+1)}
				for pk, pv := range p.Params {
					q.Params[pk] = pv
				}
				q.Params[k] = v
				next = append(next, q)
			}
		}
		points = next
	}
	if len(axes) > 0 {
		for i := range points {
			parts := make([]string, len(axes))
			for j, k := range axes {
				parts[j] = fmt.Sprintf("%s=%v", k, points[i].Params[k])
			}
			points[i].Label = base + "(" + strings.Join(parts, ",") + ")"
		}
	}
	return points, nil
}

// MaxPlannedRuns is the largest number of runs a suite may plan (datasets
// x grid points x seeds), and the largest grid of one method entry. It
// keeps a mistyped grid or seed list from exhausting memory while planning;
// a larger study is several suites.
const MaxPlannedRuns = 100_000

// GridSize is the number of grid points of the entry (the product of its
// axis lengths), saturating at MaxPlannedRuns+1.
func (m SuiteMethod) GridSize() int {
	n := 1
	for _, v := range m.Params {
		if l, ok := v.([]any); ok && len(l) > 1 {
			n = satMul(n, len(l))
		}
	}
	return n
}

// satMul multiplies non-negative a and b, saturating at MaxPlannedRuns+1.
func satMul(a, b int) int {
	const limit = MaxPlannedRuns + 1
	if a == 0 || b == 0 {
		return 0
	}
	if a >= limit || b >= limit || a > limit/b {
		return limit
	}
	return min(a*b, limit)
}

// PlannedRuns is the number of runs the suite plans, saturating at
// MaxPlannedRuns+1; it needs no registry.
func (s *Suite) PlannedRuns() int {
	per := 0
	for _, m := range s.Methods {
		per = min(per+m.GridSize(), MaxPlannedRuns+1)
	}
	return satMul(satMul(len(s.Datasets), per), len(s.Seeds))
}

// perModalityParams names the method's per-modality hyperparameters (none
// for an unknown method).
func perModalityParams(method string) map[string]bool {
	spec, err := methods.Lookup(method)
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for _, p := range spec.Params {
		if _, ok := p.Default.(permodal.List); ok {
			out[p.Name] = true
		}
	}
	return out
}

// perModalityAxis reports whether a list given for a per-modality
// hyperparameter is a grid axis: a list of per-modality values (lists, or
// maps naming every one of at least two modalities), not one value (a list
// of numbers, or of one-entry {modality: value} maps in stage order).
func perModalityAxis(l []any) bool {
	for _, it := range l {
		switch x := it.(type) {
		case []any:
		case map[string]any:
			if len(x) < 2 {
				return false
			}
		default:
			return false
		}
	}
	return len(l) > 0
}

// Labels returns the suite's row labels in suite order (method entries, then
// grid points); the method registry only says which hyperparameters are
// per-modality lists.
func (s *Suite) Labels() []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range s.Methods {
		pts, err := m.Grid()
		if err != nil {
			continue
		}
		for _, p := range pts {
			if !seen[p.Label] {
				seen[p.Label] = true
				out = append(out, p.Label)
			}
		}
	}
	return out
}

// DatasetNames returns the suite's dataset names in suite order.
func (s *Suite) DatasetNames() []string {
	var out []string
	for _, d := range s.Datasets {
		if !slices.Contains(out, d.Name) {
			out = append(out, d.Name)
		}
	}
	return out
}

// Plan expands the suite into runs: datasets (suite order) x method entries
// (suite order) x grid points (see Grid) x seeds (suite order). Every run's
// hyperparameters are resolved with methods.Resolve (defaults filled in,
// types normalised, so ids are stable) and validated with the method's
// Validate; dataset parameters are checked against the dataset's builder;
// every resolved number must be finite. A dataset with a data root is
// fingerprinted (datasets.FingerprintOf) and the fingerprint, not the
// root, enters the run ids. A problem with the configuration is a
// *ConfigError naming the suite file, line and key; broken files in an
// existing data tree are a *DataError. modalities may be nil, meaning
// OpenModalities.
func (s *Suite) Plan(modalities ModalitiesFunc) ([]RunSpec, error) {
	if modalities == nil {
		modalities = OpenModalities
	}
	var runs []RunSpec
	fingerprints := map[string]*datasets.Fingerprint{} // by dataset and root
	layout := s.Layout()
	for di, sd := range s.Datasets {
		dkey := fmt.Sprintf("datasets.%d", di)
		b, err := datasets.Lookup(sd.Name)
		if err != nil {
			return nil, s.errAt(sd.At, "name", dkey+".name", "%v", err)
		}
		params, err := resolveDatasetParams(b, sd.Params)
		if err != nil {
			k := errKey(err)
			return nil, s.errAt(sd.At, "params."+k, dkey+".params."+k, "%v", err)
		}
		ds := DatasetSpec{Name: sd.Name, Root: sd.Root, Params: params, Seed: sd.Seed, SkipBad: sd.SkipBad}
		for _, k := range sortedKeys(params) {
			if err := checkFinite(params[k]); err != nil {
				return nil, s.errAt(sd.At, "params."+k, dkey+".params."+k, "dataset %s: %v", sd.Name, err)
			}
		}
		mods, err := modalities(ds)
		if err != nil {
			msg := strings.TrimPrefix(err.Error(), "dataset "+sd.Name+": ")
			if sd.Root == "" && strings.Contains(msg, "root") {
				msg += fmt.Sprintf(" (--set datasets.%d.root=DIR, or dataset.root=DIR for every dataset)", di)
			}
			if isDataProblem(sd.Root, msg) {
				return nil, &DataError{Dataset: sd.Name, Root: sd.Root, Err: err}
			}
			return nil, s.errAt(sd.At, "", dkey, "opening dataset %s: %s", sd.Name, msg)
		}
		if key, err := s.Robustness.checkCorruptions(sd.Name, mods); err != nil {
			return nil, s.errAt(s.At, "robustness", key, "%v", err)
		}
		fpKey := sd.Name + "\x00" + sd.Root
		fp, ok := fingerprints[fpKey]
		if !ok {
			fp, err = datasets.FingerprintOf(sd.Name, datasets.Config{Root: sd.Root})
			if err != nil {
				return nil, &DataError{Dataset: sd.Name, Root: sd.Root, Err: err}
			}
			fingerprints[fpKey] = fp
		}
		if fp != nil {
			ds.Fingerprint, ds.Data = fp.Hash, fp
		}
		labels := map[string]int{}
		for mi, m := range s.Methods {
			mkey := fmt.Sprintf("methods.%d", mi)
			spec, err := methods.Lookup(m.Name)
			if err != nil {
				return nil, s.errAt(m.At, "name", mkey+".name", "%v", err)
			}
			model, err := trimEncoders(m.Model, mods)
			if err != nil {
				return nil, s.errAt(m.At, "model", mkey+".model.encoders", "dataset %s: %v", sd.Name, err)
			}
			if err := checkFusion(model.Fusion, len(mods)); err != nil {
				return nil, s.errAt(m.At, "model", mkey+".model.fusion", "dataset %s has %d modalities %v: %v", sd.Name, len(mods), mods, err)
			}
			if name, err := checkFeatureDims(model, mods); err != nil {
				return nil, s.errAt(m.At, "model", mkey+".model.encoders."+name+".dim", "dataset %s: %v", sd.Name, err)
			}
			points, err := m.Grid()
			if err != nil {
				k := errKey(err)
				return nil, s.errAt(m.At, "params."+k, mkey+".params."+k, "%v", err)
			}
			if points, err = m.withTrials(s.Name, points); err != nil {
				k := errKey(err)
				return nil, s.errAt(m.At, k, mkey+"."+k, "%v", err)
			}
			for _, p := range points {
				if prev, dup := labels[p.Label]; dup && (p.Trial == nil || p.Trial.Trial == 0) {
					return nil, s.errAt(m.At, "", mkey, "row label %q is already used by methods.%d; give the entry a label", p.Label, prev)
				}
				labels[p.Label] = mi
				h, err := methods.Resolve(spec.Params, p.Params)
				if err != nil {
					k := "params." + errKey(err)
					if _, searched := m.Search[errKey(err)]; searched {
						k = "search." + errKey(err)
					}
					return nil, s.errAt(m.At, k, mkey+"."+k, "method %s: %v", m.Name, err)
				}
				for _, k := range sortedKeys(h) {
					if err := checkFinite(h[k]); err != nil {
						return nil, s.errAt(m.At, "params."+k, mkey+".params."+k, "method %s: %v", m.Name, err)
					}
				}
				if err := spec.CheckPlan(h, planInfo(mods, model, m.Train)); err != nil {
					return nil, s.errAt(m.At, "", mkey, "method %s on dataset %s (%s): %v", m.Name, sd.Name, p.Label, err)
				}
				for _, seed := range s.Seeds {
					if len(runs) >= MaxPlannedRuns {
						return nil, s.errAt(s.At, "", "", "the suite plans more than %d runs; split it into smaller suites", MaxPlannedRuns)
					}
					runs = append(runs, RunSpec{
						Suite:     s.Name,
						Label:     p.Label,
						Dataset:   ds,
						Method:    m.Name,
						Params:    map[string]any(h),
						Seed:      seed,
						Train:     m.Train,
						Model:     model,
						Selection: s.Selection,
					})
					runs[len(runs)-1].Search = p.Trial
				}
			}
		}
	}
	for i := range runs {
		runs[i].Robustness, runs[i].Layout = s.Robustness, layout
	}
	for _, r := range runs {
		if _, err := json.Marshal(r); err != nil { // unreachable after the checks above; never panic in ID
			return nil, s.errAt(s.At, "", "", "run %s seed %d on %s: configuration not serialisable: %v", r.Label, r.Seed, r.Dataset.Name, err)
		}
	}
	return runs, nil
}

// DataError is a problem with a dataset's files found while planning: a
// corrupt or unreadable file, a shape mismatch, an empty split. The CLI
// exits 1 for it (an I/O failure), while configuration errors exit 2.
type DataError struct {
	Dataset string
	Root    string // "" for the data shipped with miebench
	Err     error
}

func (e *DataError) Error() string {
	root := e.Root
	if root == "" {
		root = "the shipped data"
	}
	return fmt.Sprintf("data error in dataset %s (%s): %s", e.Dataset, root,
		strings.TrimPrefix(e.Err.Error(), "dataset "+e.Dataset+": "))
}

func (e *DataError) Unwrap() error { return e.Err }

// isDataProblem tells a failure to open a dataset caused by its files from
// one caused by the configuration: a data root that is missing or not a
// directory, a dataset that needs a root, or a parameter value the dataset
// refuses (the datasets name them `parameter "x"`) is the configuration's
// fault; anything else is wrong with the files in an existing tree.
func isDataProblem(root, msg string) bool {
	if strings.Contains(msg, `parameter "`) || (root == "" && strings.Contains(msg, "root")) {
		return false
	}
	if root != "" {
		if st, err := os.Stat(root); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

// sortedKeys returns m's keys in order, for deterministic error messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkFusion is model.CheckFusion (whether the fusion head can combine m
// modalities: film and gated are defined for two), callable inside Plan,
// whose local variable model hides the package.
func checkFusion(kind string, m int) error { return model.CheckFusion(kind, m) }

// checkFeatureDims reports the first of the dataset's modalities whose
// encoder outputs no features (an mlp without dim, a cnn without widths
// or dim), which no run can train.
func checkFeatureDims(m ModelSpec, mods []string) (string, error) {
	for _, name := range mods {
		e := m.Encoders[name]
		if model.FeatureDim(model.EncoderConfig{Kind: e.Kind, Widths: e.Widths, Dim: e.Dim}) == 0 {
			return name, fmt.Errorf("the %s encoder of modality %q (dim %d, widths %v) outputs no features: set dim > 0, its feature width", e.Kind, name, e.Dim, e.Widths)
		}
	}
	return "", nil
}

// planInfo is what a method is told at plan time: the dataset's
// modalities, the configured encoders' feature widths where the
// configuration fixes them, the encoder kinds, the fusion kind and the
// epochs.
func planInfo(mods []string, m ModelSpec, tr TrainSpec) methods.PlanInfo {
	p := methods.PlanInfo{Modalities: mods, Fusion: m.Fusion, Epochs: tr.Epochs, FeatureDims: make([]int, len(mods)), EncoderKinds: make([]string, len(mods))}
	for i, name := range mods {
		e := m.Encoders[name]
		p.EncoderKinds[i] = e.Kind
		p.FeatureDims[i] = model.FeatureDim(model.EncoderConfig{Kind: e.Kind, Widths: e.Widths, Dim: e.Dim})
	}
	return p
}

// errKey returns the parameter a *param.KeyError is about.
func errKey(err error) string {
	if ke, ok := errors.AsType[*param.KeyError](err); ok {
		return ke.Key
	}
	return ""
}

// resolveDatasetParams checks dataset parameter names and values against
// the builder (datasets.ResolveParams) and keeps the given keys only:
// scalars converted to their default's type, lists as the suite wrote them,
// so that run ids do not depend on defaults.
func resolveDatasetParams(b datasets.Builder, given map[string]any) (map[string]any, error) {
	if len(given) == 0 {
		return nil, nil
	}
	resolved, err := datasets.ResolveParams(b.Name, b.Params, given)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(given))
	for k, v := range given {
		switch r := resolved[k].(type) {
		case float64, int, bool, string:
			v = r
		}
		out[k] = v
	}
	return out, nil
}

// trimEncoders keeps the encoders of the dataset's modalities and reports
// modalities without one.
func trimEncoders(m ModelSpec, mods []string) (ModelSpec, error) {
	out := ModelSpec{Fusion: m.Fusion, Encoders: map[string]EncoderSpec{}}
	var missing []string
	for _, name := range mods {
		e, ok := m.Encoders[name]
		if !ok {
			missing = append(missing, name)
			continue
		}
		out.Encoders[name] = e
	}
	if len(missing) > 0 {
		return out, fmt.Errorf("no encoder for modalities %s (the dataset has %s)", strings.Join(missing, ", "), strings.Join(mods, ", "))
	}
	return out, nil
}

// ParseShard parses "I/N" with a 0-based shard index I in 0..N-1.
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard %q: want I/N with N >= 1 and a 0-based index I in 0..N-1", s)
	}
	return i, n, nil
}

// Shard returns the runs of shard i of n: those whose position in the full
// plan is i modulo n. The shards of a plan are disjoint and together hold
// every run, whatever machine computes them.
func Shard(runs []RunSpec, i, n int) []RunSpec {
	var out []RunSpec
	for k := i; k < len(runs); k += n {
		out = append(out, runs[k])
	}
	return out
}
