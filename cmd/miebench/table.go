package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/bench/report"
)

func init() {
	register(command{name: "table", summary: "render the results of one or more results directories as a table", run: tableMain})
}

// tableConfig is what a table needs besides records.
type tableConfig struct {
	suite      string // --suite: name or file; filters records and gives the layout
	format     string
	metrics    string // comma-separated; "" means the suite's table metrics
	modality   *bool  // nil: the suite's setting
	gap        *bool
	probe      *bool
	outFile    string
	allTrials  bool // every trial of a hyperparameter search as a row
	robust     bool // the robustness table instead
	robustRef  string
	allowEmpty bool
	// parsed, when set, is the suite itself (with its --set overrides), and
	// ids, when set, the runs to keep: `run` prints its own plan's table.
	parsed *bench.Suite
	ids    map[string]bool
}

func tableMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("table", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg tableConfig
	fs.StringVar(&cfg.format, "format", "md", "output format: md, tex or csv")
	fs.StringVar(&cfg.metrics, "metric", "", "metric columns, comma-separated: acc, macro_f1, map, and cost columns: "+strings.Join(bench.CostNames, ", ")+" (default: the suite's, else acc)")
	fs.StringVar(&cfg.suite, "suite", "", "built-in suite name or suite file: keep only its records and use its row order and table layout (default: the layout stored in the records)")
	modality := fs.Bool("modality-acc", false, "add per-modality accuracy columns (default: the suite's setting)")
	gap := fs.Bool("gap", false, "add imbalance-gap columns (default: the suite's setting)")
	probe := fs.Bool("probe", false, "add per-modality linear-probe accuracy columns, from the probe every record holds (default: the suite's setting)")
	fs.StringVar(&cfg.outFile, "o", "", "write the table to this file instead of standard output")
	fs.BoolVar(&cfg.robust, "robustness", false, "print the robustness table (accuracy with modalities missing or noisy, relative and effective robustness) instead")
	fs.StringVar(&cfg.robustRef, "robustness-ref", report.DefaultRobustnessRef, "the row effective robustness is measured against")
	fs.BoolVar(&cfg.allTrials, "trials", false, "show every trial of a hyperparameter search as a row (default: the selected trial)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: miebench table DIR... [--format md|tex|csv] [--metric acc,macro_f1,map] [--suite NAME|FILE] [--modality-acc] [--gap] [--probe] [--trials] [--robustness] [-o FILE]")
		fmt.Fprintln(stderr, "\nMerges the records of the results directories (for instance the shards of one")
		fmt.Fprintln(stderr, "sweep) and prints mean ± std (n seeds) per method and dataset column, best")
		fmt.Fprintln(stderr, "per column in bold, with footnotes for failed runs and test-set selection.")
		fmt.Fprintln(stderr, "The same id in two directories must hold the same result.")
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	dirs, err := parseInterspersed(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(dirs) == 0 {
		fs.Usage()
		return exitConfig
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "modality-acc":
			cfg.modality = modality
		case "gap":
			cfg.gap = gap
		case "probe":
			cfg.probe = probe
		}
	})
	return renderTable(dirs, cfg, stdout, stderr)
}

// renderTable loads, merges and renders the records of dirs; it returns the
// exit status.
func renderTable(dirs []string, cfg tableConfig, stdout, stderr io.Writer) int {
	if !slices.Contains(report.Formats, cfg.format) {
		fmt.Fprintf(stderr, "miebench table: unknown format %q (valid: %s)\n", cfg.format, strings.Join(report.Formats, ", "))
		return exitConfig
	}
	recs, err := bench.LoadRecords(dirs...)
	if err != nil {
		fmt.Fprintf(stderr, "miebench table: %v\n", err)
		return exitFail
	}
	suite := cfg.parsed
	if suite == nil {
		var status int
		suite, recs, status = suiteForRecords(cfg.suite, recs, stderr)
		if status != exitOK {
			return status
		}
	}
	if cfg.ids != nil {
		var kept []*bench.Record
		for _, r := range recs {
			if cfg.ids[r.ID] {
				kept = append(kept, r)
			}
		}
		recs = kept
	}
	if len(recs) == 0 && !cfg.allowEmpty {
		fmt.Fprintf(stderr, "miebench table: no records in %s\n", strings.Join(dirs, ", "))
		return exitFail
	}
	opt := report.Options{Metrics: []string{"acc"}}
	if suite != nil {
		opt = report.Options{Metrics: suite.Table.Metrics, ModalityAcc: suite.Table.ModalityAcc, Gap: suite.Table.Gap,
			Probe: suite.Table.Probe, Rows: suite.Labels(), Datasets: suite.DatasetNames()}
	} else if l, ok := report.LayoutOptions(recs); ok {
		opt = l
	}
	if cfg.metrics != "" {
		opt.Metrics = strings.Split(cfg.metrics, ",")
	}
	if cfg.modality != nil {
		opt.ModalityAcc = *cfg.modality
	}
	if cfg.gap != nil {
		opt.Gap = *cfg.gap
	}
	if cfg.probe != nil {
		opt.Probe = *cfg.probe
	}
	opt.AllTrials = cfg.allTrials
	build := report.Build
	if cfg.robust {
		build = func(recs []*bench.Record, opt report.Options) (*report.Table, error) {
			return report.BuildRobustness(recs, opt, cfg.robustRef)
		}
	}
	tab, err := build(recs, opt)
	if err != nil {
		fmt.Fprintf(stderr, "miebench table: %v\n", err)
		return exitConfig
	}
	w := stdout
	var f *os.File
	if cfg.outFile != "" {
		if f, err = os.Create(cfg.outFile); err != nil {
			fmt.Fprintf(stderr, "miebench table: %v\n", err)
			return exitFail
		}
		w = f
	}
	err = tab.Write(w, cfg.format)
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "miebench table: writing: %v\n", err)
		return exitFail
	}
	return exitOK
}

// suiteForRecords resolves the suite a table is about: the --suite
// argument, else, for records that carry no table layout of their own
// (written before records held one), the records' suite when they all name
// the same built-in one. It keeps only that suite's records.
func suiteForRecords(arg string, recs []*bench.Record, stderr io.Writer) (*bench.Suite, []*bench.Record, int) {
	names := map[string]bool{}
	for _, r := range recs {
		names[r.Suite] = true
	}
	if arg == "" {
		if len(names) > 1 {
			var l []string
			for n := range names {
				l = append(l, n)
			}
			sort.Strings(l)
			fmt.Fprintf(stderr, "miebench table: the records come from several suites (%s); choose one with --suite\n", strings.Join(l, ", "))
			return nil, nil, exitConfig
		}
		if _, ok := report.LayoutOptions(recs); ok {
			return nil, recs, exitOK // the records' own layout
		}
		for n := range names {
			if slices.Contains(bench.SuiteNames(), n) {
				s, err := bench.LoadSuite(n, nil)
				if err == nil {
					return s, recs, exitOK
				}
			}
		}
		return nil, recs, exitOK
	}
	s, err := bench.LoadSuite(arg, nil)
	if err != nil {
		fmt.Fprintf(stderr, "miebench table: %v\n", err)
		return nil, nil, exitConfig
	}
	var kept []*bench.Record
	for _, r := range recs {
		if r.Suite == s.Name {
			kept = append(kept, r)
		}
	}
	return s, kept, exitOK
}

// setFlags collects repeated --set key=value flags.
type setFlags []string

func (s *setFlags) String() string { return strings.Join(*s, " ") }

func (s *setFlags) Set(v string) error {
	if !strings.Contains(v, "=") {
		return errors.New("want key=value")
	}
	*s = append(*s, v)
	return nil
}

// parseInterspersed parses flags that may come before, between or after
// the positional arguments (miebench table DIR --format tex), and returns
// the positional ones; everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if i := len(args) - len(rest) - 1; i >= 0 && args[i] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
