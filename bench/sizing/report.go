package sizing

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/datasets"
	"github.com/miebench/miebench/nn"
)

// Options configure Report.
type Options struct {
	// Workers is the number of runs one process trains at once.
	Workers int
	// Time measures one warm-up step per distinct model, dataset and batch
	// size and prints time estimates.
	Time bool
	// CacheDir is the feature cache the datasets were opened with.
	CacheDir string
}

// Report writes the plan to w, one line per run: id, dataset, label, seed,
// the run's estimated live heap and, with opt.Time, its estimated training
// time. It then writes to summary the process's estimated peak resident
// memory with opt.Workers workers, the memory request that covers it
// (whole GiB, as Slurm's --mem and a Kubernetes memory request take it)
// and, with opt.Time, the total training time. Call it after planning,
// which has opened the datasets: their memory is part of the base.
func Report(w, summary io.Writer, runs []bench.RunSpec, opt Options) error {
	// Convolution scratch grows with the goroutines of a run: size it for
	// the share of the cores a run gets with opt.Workers workers.
	nn.SetThreads(bench.ThreadsPerRun(max(1, min(opt.Workers, len(runs)))))
	defer nn.SetThreads(0)
	mems, err := Estimates(runs, opt.CacheDir)
	if err != nil {
		return err
	}
	times := make([]time.Duration, len(runs))
	warm := map[string]Timing{}
	for i, s := range runs {
		line := fmt.Sprintf("%s  %s  %s  seed=%d  mem=%s", s.ID(), s.Dataset.Name, s.Label, s.Seed, Bytes(mems[i].Live()))
		if opt.Time {
			key, err := warmupKey(s)
			if err != nil {
				return err
			}
			t, ok := warm[key]
			if !ok {
				d, err := open(s, opt.CacheDir)
				if err != nil {
					return err
				}
				if t, err = Warmup(s, d); err != nil {
					return err
				}
				warm[key] = t
			}
			t.Epochs = s.Train.Epochs
			times[i] = t.Run()
			line += "  time=" + times[i].Round(time.Second).String()
		}
		fmt.Fprintln(w, line)
	}
	workers := max(1, min(opt.Workers, len(runs)))
	p := Measure()
	peak := p.Peak(mems, workers)
	fmt.Fprintf(summary, "sizing: %d runs; base %s (binary, runtime, opened datasets)", len(runs), Bytes(p.Base))
	if len(runs) > 0 {
		fmt.Fprintf(summary, "; largest run %s live", Bytes(Largest(mems, 1)))
	}
	fmt.Fprintln(summary)
	if peak < 0 {
		fmt.Fprintf(summary, "sizing: peak memory with --workers %d is unbounded: GOGC=off and no GOMEMLIMIT\n", workers)
	} else {
		gib := RequestGiB(peak)
		fmt.Fprintf(summary, "sizing: peak resident memory with --workers %d: %s (GOGC=%d); request %dG (Slurm --mem=%dG, Kubernetes memory: %dGi)\n",
			workers, Bytes(peak), p.GCPercent, gib, gib, gib)
	}
	if opt.Time {
		var sum, longest time.Duration
		for _, t := range times {
			sum += t
			longest = max(longest, t)
		}
		fmt.Fprintf(summary, "sizing: training time %s one run after another; with %d workers about %s (steps measured with one run on this machine)\n",
			sum.Round(time.Second), workers, max(sum/time.Duration(workers), longest).Round(time.Second))
	}
	return nil
}

// Estimates estimates the memory of every run, opening each run's dataset
// (once per process: bench.OpenDataset) with the feature cache cacheDir.
func Estimates(runs []bench.RunSpec, cacheDir string) ([]Memory, error) {
	mems := make([]Memory, len(runs))
	for i, s := range runs {
		d, err := open(s, cacheDir)
		if err != nil {
			return nil, err
		}
		if mems[i], err = Estimate(s, d.Info()); err != nil {
			return nil, err
		}
	}
	return mems, nil
}

func open(s bench.RunSpec, cacheDir string) (datasets.Dataset, error) {
	ds := s.Dataset
	ds.CacheDir = cacheDir
	d, err := bench.OpenDataset(ds)
	if err != nil {
		return nil, fmt.Errorf("sizing %s: %w", s.Label, err)
	}
	return d, nil
}

// RequestGiB is the memory request, in whole GiB, that covers peak bytes.
func RequestGiB(peak int64) int64 { return (peak + 1<<30 - 1) >> 30 }

// warmupKey identifies what a warm-up step's time depends on: the data,
// the model, the batch sizes and the optimizer, not the method or seed.
func warmupKey(s bench.RunSpec) (string, error) {
	b, err := json.Marshal(struct {
		D bench.DatasetSpec
		M bench.ModelSpec
		B [2]int
		O string
	}{s.Dataset, s.Model, [2]int{s.Train.BatchSize, s.Train.EvalBatchSize}, s.Train.Optimizer})
	if err != nil {
		return "", fmt.Errorf("sizing %s: %w", s.Label, err)
	}
	return string(b), nil
}

// Bytes formats a byte count with a binary unit: 512B, 12.3MiB, 9.87GiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	v, u := float64(n)/unit, 0
	for v >= unit && u < 3 {
		v /= unit
		u++
	}
	return fmt.Sprintf("%.3g%ciB", v, "KMGT"[u])
}
