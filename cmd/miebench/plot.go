package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/bench/report"
)

func init() {
	register(command{name: "plot", summary: "draw learning curves per method (PNG or SVG)", run: plotMain})
}

func plotMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output file; the extension chooses the format: .png or .svg (default: curves.png, or curves-DATASET.png with --dataset, in the first results directory)")
	metric := fs.String("metric", "acc", "fused-prediction metric to draw: acc, macro_f1, map")
	dataset := fs.String("dataset", "", "dataset to draw (required when the records cover several)")
	split := fs.String("split", "test", "evaluation split of the curves: test or val")
	only := fs.String("methods", "", "comma-separated row labels to draw, in this order (default: all)")
	robust := fs.Bool("robustness", false, "draw accuracy against noise level per method (the suite's robustness: block) instead of learning curves")
	suiteArg := fs.String("suite", "", "built-in suite name or suite file: keep only its records and use its method order")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: miebench plot DIR... [--metric M] [--dataset D] [--split test|val] [--suite NAME|FILE] [--methods A,B] [--robustness] [-o FILE.png|.svg]")
		fmt.Fprintln(stderr, "\nDraws, for each method, the fused metric and every modality's accuracy")
		fmt.Fprintln(stderr, "over epochs, and the training loss: the mean over seeds with a min-max band,")
		fmt.Fprintln(stderr, "a ring at each seed's selected epoch, one colour and dash per modality.")
		fmt.Fprintln(stderr, "A modality whose accuracy stalls while the other climbs is under-trained;")
		fmt.Fprintln(stderr, "one that falls after rising is being forgotten.")
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
	if *out == "" {
		name := "curves.png"
		if *robust {
			name = "robustness.png"
		}
		if *dataset != "" {
			name = strings.TrimSuffix(name, ".png") + "-" + *dataset + ".png"
		}
		*out = filepath.Join(dirs[0], name)
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	if !slices.Contains(report.PlotFormats, format) {
		fmt.Fprintf(stderr, "miebench plot: -o %s: want a .png or .svg file\n", *out)
		return exitConfig
	}
	recs, err := bench.LoadRecords(dirs...)
	if err != nil {
		fmt.Fprintf(stderr, "miebench plot: %v\n", err)
		return exitFail
	}
	suite, recs, status := suiteForRecords(*suiteArg, recs, stderr)
	if status != exitOK {
		return status
	}
	opt := report.PlotOptions{Dataset: *dataset, Metric: *metric, Split: *split}
	if *only != "" {
		opt.Only = strings.Split(*only, ",")
	}
	if suite != nil {
		opt.Rows = suite.Labels()
	} else if l, ok := report.LayoutOptions(recs); ok {
		opt.Rows = l.Rows
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintf(stderr, "miebench plot: %v\n", err)
		return exitFail
	}
	draw := report.Curves
	if *robust {
		draw = report.RobustnessCurves
	}
	err = draw(f, format, recs, opt)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		fmt.Fprintf(stderr, "miebench plot: %v\n", err)
		return exitConfig
	}
	fmt.Fprintf(stderr, "miebench plot: wrote %s\n", *out)
	return exitOK
}
