package bench

import (
	"embed"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// Suite is a benchmark suite: which datasets, methods (with hyperparameter
// grids) and seeds to run, with which training settings, and how to lay out
// the table. It is written in YAML:
//
//	name: default                 # part of every run's id
//	description: one paragraph    # shown by `miebench list suites`
//	seeds: [0, 1, 2]              # training seeds
//	datasets:
//	  - name: av-digits           # a registered dataset
//	    root: ""                  # data root; "" = the data shipped with miebench
//	    seed: 0                   # data seed (pairing, splits); default 0
//	    skip_bad: false           # drop unreadable samples instead of failing
//	    params: {image_noise: 0.5}
//	methods:
//	  - name: joint               # a registered method
//	  - name: unimodal
//	    label: unimodal-audio     # the table row; default: the method name
//	    params: {modality: audio}
//	  - name: ogm-ge
//	    params: {alpha: [0.3, 0.8]}   # a list is a grid axis
//	    train: {lr: 0.01}             # this method's own training settings
//	    model: {fusion: sum}          # and model settings, on top of the suite's
//	train:                        # TrainSpec; keys as in its JSON form
//	  epochs: 20
//	  batch_size: 64
//	  eval_batch_size: 256        # default: batch_size
//	  optimizer: sgd              # sgd (default), adam, adamw
//	  lr: 0.01
//	  momentum: 0.9
//	  weight_decay: 1.0e-4
//	  schedule: {kind: step, step_size: 70, gamma: 0.1}   # none (default), step, multistep, cosine
//	model:
//	  fusion: concat              # concat (default), sum, film, gated
//	  encoders:                   # one per modality of every dataset
//	    audio: {kind: cnn, widths: [16, 32], dim: 64}
//	    visual: {kind: cnn, widths: [16, 32], dim: 64}
//	selection: {split: val, metric: acc}    # the defaults; split test is the official (flawed) protocol
//	table: {metrics: [acc], modality_acc: false, gap: false, probe: false}
//
// Parsing is strict: an unknown key, a value of the wrong type, an unknown
// method or dataset, or an unknown hyperparameter is an error naming the
// file, the line and the key, and listing the valid choices.
//
// Grids: in a method entry, every hyperparameter given as a list is a grid
// axis and the entry expands to the Cartesian product of its axes. Axes are
// ordered by parameter name and the last axis varies fastest; a parameter
// whose value is a one-element list is a single value. When an entry has
// more than one grid point, each point's row label is the entry's label
// followed by its grid values, e.g. "ogm-ge(alpha=0.3)".
// Dataset parameters are never grid axes: a list there is the parameter's
// value (such as a per-modality strength).
type Suite struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Seeds       []uint64       `json:"seeds"`
	Datasets    []SuiteDataset `json:"datasets"`
	Methods     []SuiteMethod  `json:"methods"`
	Train       TrainSpec      `json:"train"`
	Model       ModelSpec      `json:"model"`
	Selection   SelectionSpec  `json:"selection"`
	Table       TableSpec      `json:"table"`
	// Robustness, when set, evaluates every run's selected model with
	// modalities missing or corrupted (see RobustnessSpec).
	Robustness *RobustnessSpec `json:"robustness"`

	// Source is where the suite was read from: a file name or "builtin:NAME".
	Source string `json:"-"`
	// At records where each top-level key was written.
	At Positions `json:"-"`
}

// SuiteDataset is one dataset entry of a suite.
type SuiteDataset struct {
	Name    string         `json:"name"`
	Root    string         `json:"root"`
	Seed    uint64         `json:"seed"`
	SkipBad bool           `json:"skip_bad"`
	Params  map[string]any `json:"params"`
	At      Positions      `json:"-"`
}

// SuiteMethod is one method entry of a suite: a method, its row label and its
// hyperparameters (values or grid axes), with optional per-method training
// and model settings.
type SuiteMethod struct {
	Name   string         `json:"name"`
	Label  string         `json:"label"`
	Params map[string]any `json:"params"`
	// Search samples the named hyperparameters Trials times (see
	// SearchDist and SampleTrials); each trial runs over the suite's seeds
	// and the table reports the best by mean validation metric.
	Search map[string]SearchDist `json:"search"`
	Trials int                   `json:"trials"`
	// TrainOverride and ModelOverride are the entry's own train and model
	// mappings; Train and Model are the effective settings (the suite's,
	// with the overrides applied), filled in by ParseSuite.
	TrainOverride Override  `json:"train"`
	ModelOverride Override  `json:"model"`
	Train         TrainSpec `json:"-"`
	Model         ModelSpec `json:"-"`
	At            Positions `json:"-"`
}

// TableSpec is the table layout of a suite.
type TableSpec struct {
	// Metrics are the metric columns per dataset: acc, macro_f1, map,
	// and cost columns (CostNames: params, steps, train_s, eval_s,
	// steps_per_s, peak_rss_mb).
	Metrics []string `json:"metrics"`
	// ModalityAcc adds each modality's accuracy inside the model.
	ModalityAcc bool `json:"modality_acc"`
	// Gap adds, per modality, the unimodal baseline's accuracy minus the
	// modality's accuracy inside the multimodal model.
	Gap bool `json:"gap"`
	// Probe adds each modality's linear-probe accuracy (the encoder frozen
	// at the selected epoch); every record carries it.
	Probe bool `json:"probe"`
}

// Valid choices of the enumerated suite settings.
var (
	Optimizers     = []string{"sgd", "adam", "adamw"}
	ScheduleKinds  = []string{"none", "step", "multistep", "cosine"}
	FusionKinds    = model.Fusions
	EncoderKinds   = model.EncoderKinds
	SelectionSplit = []string{"val", "test"}
	MetricNames    = []string{"acc", "macro_f1", "map"}
)

//go:embed suites/*.yaml
var builtinFS embed.FS

// SuiteNames lists the built-in suites in sorted order.
func SuiteNames() []string {
	entries, err := builtinFS.ReadDir("suites")
	if err != nil {
		panic("bench: embedded suites: " + err.Error())
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// SuiteDoc returns the description of the built-in suite name, or "" if
// there is no such suite.
func SuiteDoc(name string) string {
	s, err := LoadSuite(name, nil)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(s.Description)
}

// BuiltinSuite returns the YAML source of the built-in suite name.
func BuiltinSuite(name string) ([]byte, error) {
	b, err := builtinFS.ReadFile(path.Join("suites", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("unknown built-in suite %q (built-in: %s)", name, strings.Join(SuiteNames(), ", "))
	}
	return b, nil
}

// LoadSuite reads a suite by built-in name or file path, applies the --set
// overrides (each "key=value") and parses it. A name containing a path
// separator or ending in .yaml or .yml is a file; otherwise a built-in name
// is tried first, then a file.
func LoadSuite(nameOrFile string, sets []string) (*Suite, error) {
	isFile := strings.ContainsRune(nameOrFile, filepath.Separator) || strings.ContainsRune(nameOrFile, '/') ||
		strings.HasSuffix(nameOrFile, ".yaml") || strings.HasSuffix(nameOrFile, ".yml")
	if !isFile {
		if b, err := BuiltinSuite(nameOrFile); err == nil {
			return ParseSuite("builtin:"+nameOrFile, b, sets)
		}
		if _, err := os.Stat(nameOrFile); err != nil {
			return nil, &ConfigError{Msg: fmt.Sprintf("no built-in suite or file %q (built-in: %s)", nameOrFile, strings.Join(SuiteNames(), ", "))}
		}
	}
	b, err := os.ReadFile(nameOrFile)
	if err != nil {
		return nil, &ConfigError{Msg: fmt.Sprintf("reading suite: %v", err)}
	}
	return ParseSuite(nameOrFile, b, sets)
}

// defaultSuite holds the settings a suite file may leave out.
func defaultSuite() Suite {
	return Suite{
		Seeds:     []uint64{0},
		Train:     TrainSpec{Optimizer: "sgd", Schedule: ScheduleSpec{Kind: "none"}},
		Model:     ModelSpec{Fusion: "concat"},
		Selection: SelectionSpec{Split: "val", Metric: "acc"},
		Table:     TableSpec{Metrics: []string{"acc"}},
	}
}

// ParseSuite parses suite YAML read from file (used in messages), after
// applying the --set overrides (see ApplySet), and checks every setting that
// does not need the method and dataset registries; Plan checks the rest.
func ParseSuite(file string, data []byte, sets []string) (*Suite, error) {
	size := len(data)
	for _, kv := range sets {
		size += len(kv)
	}
	if size > MaxSuiteBytes {
		return nil, &ConfigError{Pos: Pos{File: file}, Msg: fmt.Sprintf("the suite and its --set overrides are %d bytes, more than the limit of %d (real suites are a few kilobytes; split a larger study into several suites)", size, MaxSuiteBytes)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &ConfigError{Pos: Pos{File: file}, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(doc.Content) == 0 {
		return nil, &ConfigError{Pos: Pos{File: file}, Msg: "empty suite"}
	}
	root := doc.Content[0]
	d := &decoder{file: file, origins: map[*yaml.Node]string{}}
	for _, s := range sets {
		if err := applySet(root, s, d.origins); err != nil {
			return nil, err
		}
	}
	s := defaultSuite()
	if err := d.decode(root, reflect.ValueOf(&s).Elem(), "", nil, ""); err != nil {
		return nil, err
	}
	s.Source = file
	if s.Name == "" {
		base := filepath.Base(strings.TrimPrefix(file, "builtin:"))
		s.Name = strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml")
	}
	for i := range s.Methods {
		m := &s.Methods[i]
		m.Train = cloneValue(reflect.ValueOf(s.Train)).Interface().(TrainSpec)
		m.Model = cloneValue(reflect.ValueOf(s.Model)).Interface().(ModelSpec)
		p := fmt.Sprintf("methods.%d", i)
		if n := m.TrainOverride.node; n != nil {
			if err := d.decode(n, reflect.ValueOf(&m.Train).Elem(), p+".train", nil, ""); err != nil {
				return nil, err
			}
		}
		// Unset, the evaluation batch is the method's (effective) batch size.
		if m.Train.EvalBatchSize == 0 {
			m.Train.EvalBatchSize = m.Train.BatchSize
		}
		if n := m.ModelOverride.node; n != nil {
			if err := d.decode(n, reflect.ValueOf(&m.Model).Elem(), p+".model", nil, ""); err != nil {
				return nil, err
			}
		}
	}
	if s.Train.EvalBatchSize == 0 {
		s.Train.EvalBatchSize = s.Train.BatchSize
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return &s, nil
}

// plainName is what a suite name may look like: it becomes a directory
// name and a part of every run id.
var plainName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// MaxSuiteBytes is the largest suite source (file plus --set overrides)
// ParseSuite reads; real suites are a few kilobytes.
const MaxSuiteBytes = 1 << 20

// errAt builds a ConfigError at the position recorded for key in at
// (falling back to the entry, then to the file).
func (s *Suite) errAt(at Positions, atKey, key, format string, args ...any) error {
	p, ok := at[atKey]
	if !ok {
		p, ok = at[""]
	}
	if !ok {
		p = Pos{File: s.Source}
	}
	return &ConfigError{Pos: p, Key: key, Msg: fmt.Sprintf(format, args...)}
}

func choices(valid []string) string { return "valid: " + strings.Join(valid, ", ") }

// check validates the settings that need no registry.
func (s *Suite) check() error {
	if !plainName.MatchString(s.Name) {
		return s.errAt(s.At, "name", "name", "suite name %q is not a plain name (letters, digits, '.', '_', '-'; starting with a letter or digit; at most 100 characters): it names the results directory out/NAME", s.Name)
	}
	if len(s.Seeds) == 0 {
		return s.errAt(s.At, "seeds", "seeds", "at least one seed is needed")
	}
	seen := map[uint64]bool{}
	for _, x := range s.Seeds {
		if seen[x] {
			return s.errAt(s.At, "seeds", "seeds", "seed %d listed twice", x)
		}
		seen[x] = true
	}
	if len(s.Datasets) == 0 {
		return s.errAt(s.At, "datasets", "datasets", "at least one dataset is needed")
	}
	for i, ds := range s.Datasets {
		if ds.Name == "" {
			return s.errAt(ds.At, "", fmt.Sprintf("datasets.%d.name", i), "missing dataset name")
		}
	}
	if len(s.Methods) == 0 {
		return s.errAt(s.At, "methods", "methods", "at least one method is needed")
	}
	if err := s.checkTrain(s.Train, s.At, ""); err != nil {
		return err
	}
	if err := s.checkModel(s.Model, s.At, ""); err != nil {
		return err
	}
	for i, m := range s.Methods {
		p := fmt.Sprintf("methods.%d", i)
		if m.Name == "" {
			return s.errAt(m.At, "", p+".name", "missing method name")
		}
		if err := s.checkTrain(m.Train, m.At, p); err != nil {
			return err
		}
		if err := s.checkModel(m.Model, m.At, p); err != nil {
			return err
		}
	}
	if s.PlannedRuns() > MaxPlannedRuns {
		return s.errAt(s.At, "", "", "the suite plans more than the limit of %d runs (datasets x grid points x seeds); split it into smaller suites", MaxPlannedRuns)
	}
	if !slices.Contains(SelectionSplit, s.Selection.Split) {
		return s.errAt(s.At, "selection", "selection.split", "unknown split %q (%s)", s.Selection.Split, choices(SelectionSplit))
	}
	if !slices.Contains(MetricNames, s.Selection.Metric) {
		return s.errAt(s.At, "selection", "selection.metric", "unknown metric %q (%s)", s.Selection.Metric, choices(MetricNames))
	}
	if err := s.Robustness.check(); err != nil {
		return s.errAt(s.At, "robustness", "robustness", "%v", err)
	}
	for _, m := range s.Table.Metrics {
		if !slices.Contains(MetricNames, m) && !slices.Contains(CostNames, m) {
			return s.errAt(s.At, "table", "table.metrics", "unknown metric %q (%s; costs: %s)", m, choices(MetricNames), strings.Join(CostNames, ", "))
		}
	}
	return nil
}

func (s *Suite) checkTrain(t TrainSpec, at Positions, prefix string) error {
	key := func(k string) string { return join(prefix, "train."+k) }
	atKey := "train"
	switch {
	case t.Epochs <= 0:
		return s.errAt(at, atKey, key("epochs"), "want a positive number of epochs, got %d", t.Epochs)
	case t.BatchSize <= 0:
		return s.errAt(at, atKey, key("batch_size"), "want a positive batch size, got %d", t.BatchSize)
	case t.EvalBatchSize <= 0:
		return s.errAt(at, atKey, key("eval_batch_size"), "want a positive batch size, got %d", t.EvalBatchSize)
	case !slices.Contains(Optimizers, t.Optimizer):
		return s.errAt(at, atKey, key("optimizer"), "unknown optimizer %q (%s)", t.Optimizer, choices(Optimizers))
	case !(t.LR > 0):
		return s.errAt(at, atKey, key("lr"), "want a positive learning rate, got %g", t.LR)
	case t.Momentum < 0 || t.Momentum >= 1:
		return s.errAt(at, atKey, key("momentum"), "want a momentum in [0, 1), got %g", t.Momentum)
	case t.WeightDecay < 0:
		return s.errAt(at, atKey, key("weight_decay"), "want a non-negative weight decay, got %g", t.WeightDecay)
	case !slices.Contains(ScheduleKinds, t.Schedule.Kind):
		return s.errAt(at, atKey, key("schedule.kind"), "unknown schedule %q (%s)", t.Schedule.Kind, choices(ScheduleKinds))
	case t.Schedule.Kind == "step" && t.Schedule.StepSize <= 0:
		return s.errAt(at, atKey, key("schedule.step_size"), "a step schedule needs a positive step_size")
	case (t.Schedule.Kind == "step" || t.Schedule.Kind == "multistep") && !(t.Schedule.Gamma > 0):
		return s.errAt(at, atKey, key("schedule.gamma"), "a %s schedule needs a positive gamma", t.Schedule.Kind)
	case t.Schedule.Kind == "multistep" && len(t.Schedule.Milestones) == 0:
		return s.errAt(at, atKey, key("schedule.milestones"), "a multistep schedule needs milestones")
	case t.Schedule.Warmup < 0:
		return s.errAt(at, atKey, key("schedule.warmup"), "want a non-negative number of warm-up epochs")
	}
	return nil
}

func (s *Suite) checkModel(m ModelSpec, at Positions, prefix string) error {
	key := func(k string) string { return join(prefix, "model."+k) }
	if !slices.Contains(FusionKinds, m.Fusion) {
		return s.errAt(at, "model", key("fusion"), "unknown fusion %q (%s)", m.Fusion, choices(FusionKinds))
	}
	names := make([]string, 0, len(m.Encoders))
	for n := range m.Encoders {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		e := m.Encoders[n]
		if !slices.Contains(EncoderKinds, e.Kind) {
			return s.errAt(at, "model", key("encoders."+n+".kind"), "unknown encoder %q (%s)", e.Kind, choices(EncoderKinds))
		}
		if e.Dim < 0 {
			return s.errAt(at, "model", key("encoders."+n+".dim"), "want a non-negative dim, got %d", e.Dim)
		}
		for _, w := range e.Widths {
			if w <= 0 {
				return s.errAt(at, "model", key("encoders."+n+".widths"), "want positive widths, got %v", e.Widths)
			}
		}
		if e.Strides != nil || e.Pools != nil {
			field := "strides"
			if e.Strides == nil {
				field = "pools"
			}
			if e.Kind != "cnn" {
				return s.errAt(at, "model", key("encoders."+n+"."+field), "%s is a setting of the cnn encoder, not of %s", field, e.Kind)
			}
			if _, err := nn.CNNBlocks(e.Widths, e.Strides, e.Pools); err != nil {
				return s.errAt(at, "model", key("encoders."+n), "%v", err)
			}
		}
	}
	return nil
}
