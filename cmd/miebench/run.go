package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/bench/sizing"
)

func init() {
	register(command{name: "run", summary: "run a suite: plan, train (resumable, parallel, shardable), record, print its table", run: runMain})
}

// trainFunc trains one run; tests replace it.
var trainFunc bench.TrainFunc = bench.Train

func runMain(args []string, stdout, stderr io.Writer) int {
	// Installed first, so that a signal at any point stops cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second signal kills at once
	}()
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	suiteArg := fs.String("suite", "", "built-in suite name (miebench list suites) or suite YAML file (required)")
	out := fs.String("out", "", "results directory; records go to DIR/runs/<id>.json (default out/<suite name>)")
	workers := fs.Int("workers", bench.DefaultWorkers(), "runs trained at the same time")
	shard := fs.String("shard", "", "run only shard I of N (I/N, 0-based I): the runs at plan positions I, I+N, ...")
	var sets setFlags
	fs.Var(&sets, "set", "override a suite setting, key=value (repeatable): train.epochs=5, dataset.root=/data, methods.ogm-ge.alpha=[0.3,0.8]")
	retry := fs.Bool("retry-failed", false, "re-run runs whose record says failed")
	retrainData := fs.Bool("retrain-changed-data", false, "when DIR holds runs of this plan made on other data (another data fingerprint), move those records to DIR/superseded and train again")
	cache := fs.String("cache", "", "feature cache directory (default: none)")
	dry := fs.Bool("dry-run", false, "print the plan (id, dataset, label, seed, estimated memory) and the sizing summary, and exit")
	estTime := fs.Bool("estimate-time", false, "with --dry-run: time one warm-up step per model and print training-time estimates")
	progress := fs.String("progress", "auto", "progress output: auto (a bar on a terminal, else lines), bar, lines or none")
	noTable := fs.Bool("no-table", false, "do not print the table after the sweep")
	claimTimeout := fs.Duration("claim-timeout", bench.DefaultStaleAfter, "take over a run claimed by another host (or a hung process) whose claim was not touched for this long")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: miebench run --suite NAME|FILE [--out DIR] [--workers N] [--shard I/N] [--set key=value ...] [--retry-failed]")
		fmt.Fprintln(stderr, "\nPlans the suite (datasets x methods x grid x seeds), skips runs already")
		fmt.Fprintln(stderr, "recorded in DIR, trains the rest with N workers and writes each record")
		fmt.Fprintln(stderr, "atomically; then prints the suite's table (Markdown) to standard output.")
		fmt.Fprintln(stderr, "Interrupting (Ctrl-C, SIGTERM) keeps every finished record: run the same")
		fmt.Fprintln(stderr, "command again to resume. Several processes (shards or not) may share one DIR:")
		fmt.Fprintln(stderr, "each run is claimed before it trains (DIR/claims), so none trains twice.")
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nExit status: 0 all runs ok, 1 a failed run, an I/O error or an interruption, 2 a usage or config error.")
	}
	extra, err := parseInterspersed(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if *suiteArg == "" || len(extra) > 0 {
		fs.Usage()
		return exitConfig
	}
	if *claimTimeout <= 0 {
		fmt.Fprintf(stderr, "miebench run: --claim-timeout %v: want a positive duration\n", *claimTimeout)
		return exitConfig
	}
	if *workers < 1 {
		fmt.Fprintf(stderr, "miebench run: --workers %d: want at least 1\n", *workers)
		return exitConfig
	}
	suite, err := bench.LoadSuite(*suiteArg, sets)
	if err != nil {
		fmt.Fprintf(stderr, "miebench run: %v\n", err)
		return exitConfig
	}
	plan, err := suite.Plan(func(ds bench.DatasetSpec) ([]string, error) {
		ds.CacheDir = *cache
		return bench.OpenModalities(ds)
	})
	if err != nil {
		fmt.Fprintf(stderr, "miebench run: %v\n", err)
		if _, data := errors.AsType[*bench.DataError](err); data {
			return exitFail
		}
		return exitConfig
	}
	ids := map[string]bool{}
	for _, s := range plan {
		ids[s.ID()] = true
	}
	todo := plan
	if *shard != "" {
		i, n, err := bench.ParseShard(*shard)
		if err != nil {
			fmt.Fprintf(stderr, "miebench run: %v\n", err)
			return exitConfig
		}
		todo = bench.Shard(plan, i, n)
	}
	if *estTime && !*dry {
		fmt.Fprintln(stderr, "miebench run: --estimate-time needs --dry-run")
		return exitConfig
	}
	if *dry {
		if err := sizing.Report(stdout, stderr, todo, sizing.Options{Workers: *workers, Time: *estTime, CacheDir: *cache}); err != nil {
			fmt.Fprintf(stderr, "miebench run: %v\n", err)
			return exitFail
		}
		return exitOK
	}
	if *out == "" {
		*out = filepath.Join("out", suite.Name)
	}
	store, err := bench.OpenStore(*out)
	if err == nil {
		err = store.CheckWritable()
	}
	if err != nil {
		fmt.Fprintf(stderr, "miebench run: %v\n", err)
		return exitFail
	}
	prog, err := chooseProgress(*progress, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "miebench run: %v\n", err)
		return exitConfig
	}
	r := bench.Runner{Store: store, Workers: *workers, RetryFailed: *retry, RetrainChangedData: *retrainData, Train: trainFunc, Progress: prog, CacheDir: *cache,
		Claims: bench.ClaimPolicy{StaleAfter: *claimTimeout}}
	if _, lines := prog.(*bench.LineProgress); lines {
		r.Log = stderr // claim and training lines, for logs of many processes
	}
	start := time.Now()
	sum, err := r.Run(ctx, todo)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "miebench run: interrupted after %d finished runs (%d abandoned); the records are in %s: run the same command again to resume\n",
				sum.Ran, sum.Abandoned, *out)
		} else {
			fmt.Fprintf(stderr, "miebench run: %v\n", err)
			if _, changed := errors.AsType[*bench.DataChangedError](err); changed {
				return exitConfig
			}
		}
		return exitFail
	}
	others := ""
	if sum.ByOthers > 0 || sum.TakenOver > 0 {
		others = fmt.Sprintf(", %d recorded by other processes, %d stale claims taken over", sum.ByOthers, sum.TakenOver)
	}
	fmt.Fprintf(stderr, "miebench run: %d runs planned, %d already recorded, %d trained (%d ok, %d failed)%s in %s; records in %s\n",
		sum.Planned, sum.Existing, sum.Ran, sum.OK, sum.Failed, others, time.Since(start).Round(time.Millisecond), *out)
	status := exitOK
	if sum.Failed > 0 || sum.FailedBefore > 0 {
		fmt.Fprintf(stderr, "miebench run: %d runs failed (see the table's notes; --retry-failed re-runs them)\n", sum.Failed+sum.FailedBefore)
		status = exitFail
	}
	if !*noTable {
		if st := renderTable([]string{*out}, tableConfig{format: "md", parsed: suite, ids: ids, allowEmpty: true}, stdout, stderr); st != exitOK {
			return st
		}
	}
	return status
}

// chooseProgress picks the progress output: a bar when stderr is a terminal
// (and not in CI), one line per finished run otherwise.
func chooseProgress(mode string, stderr io.Writer) (bench.Progress, error) {
	switch mode {
	case "auto":
		if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && os.Getenv("CI") == "" {
			return &bench.BarProgress{W: stderr}, nil
		}
		return &bench.LineProgress{W: stderr}, nil
	case "bar":
		return &bench.BarProgress{W: stderr}, nil
	case "lines":
		return &bench.LineProgress{W: stderr}, nil
	case "none":
		return nil, nil
	}
	return nil, fmt.Errorf("--progress %q: want auto, bar, lines or none", mode)
}
