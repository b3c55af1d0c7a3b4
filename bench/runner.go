package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// TrainFunc trains one run; Train is the real one.
type TrainFunc func(ctx context.Context, spec RunSpec, opt TrainOptions) (*Record, error)

// Runner runs planned runs with a pool of workers, writing each finished
// run's record to a Store.
//
// Resume: a run whose record already exists is skipped; one whose record
// has status "failed" is re-run only with RetryFailed. Corrupt records are
// never overwritten or skipped: Run refuses to start and reports every
// corrupt file by path (move or delete them, then re-run).
//
// Faults: a failed run (status "failed", or a panic inside training) is
// recorded and the sweep goes on. When ctx is cancelled (SIGINT, SIGTERM),
// no new run starts, runs in progress are abandoned without a record, every
// finished record stays on disk, and Run returns ctx's error; running the
// same plan again resumes.
type Runner struct {
	Store       *Store
	Workers     int // runs trained concurrently; <= 0 means DefaultWorkers()
	RetryFailed bool
	Train       TrainFunc // nil means Train
	Progress    Progress  // nil means no progress output
	CacheDir    string    // the loaders' feature cache, passed to Train
}

// SweepSummary counts what a sweep did.
type SweepSummary struct {
	Planned   int // runs in the plan (after sharding)
	Existing  int // skipped: already recorded (ok, or failed without RetryFailed)
	Ran       int // trained and recorded by this invocation
	OK        int // of Ran: status ok
	Failed    int // of Ran: status failed
	Abandoned int // started but cancelled: not recorded
	// FailedBefore counts runs skipped because of an earlier failed record.
	FailedBefore int
}

// DefaultWorkers is the default number of concurrent runs: the number of
// CPUs. Runs are independent, while the threads inside one run (the GEMM
// kernels) only pay off on large layers. Measured on the default suite (27
// runs of MLPs on av-digits, 2 cores, other jobs light): one worker keeps
// about one core busy and takes 48-49 s; two workers take 26-28 s (1.8x).
func DefaultWorkers() int { return runtime.NumCPU() }

// Pending returns the runs of plan that have no usable record in the store,
// in plan order, with duplicate ids removed, and the number of failed records
// that were kept (not retried).
func (r *Runner) Pending(plan []RunSpec) (pending []RunSpec, existing, failedKept int, err error) {
	recs, bad := r.Store.Scan()
	if len(bad) > 0 {
		return nil, 0, 0, errors.Join(bad...)
	}
	seen := map[string]bool{}
	for _, s := range plan {
		id := s.ID()
		if seen[id] {
			continue
		}
		seen[id] = true
		if rec, ok := recs[id]; ok {
			if rec.Status == "ok" || !r.RetryFailed {
				existing++
				if rec.Status != "ok" {
					failedKept++
				}
				continue
			}
		}
		pending = append(pending, s)
	}
	return pending, existing, failedKept, nil
}

type result struct {
	spec    RunSpec
	rec     *Record
	err     error
	elapsed time.Duration
}

// Run trains the pending runs of plan. It returns a non-nil error if the
// store holds corrupt records (nothing is run), if a record cannot be
// written (the sweep stops), or if ctx was cancelled.
func (r *Runner) Run(ctx context.Context, plan []RunSpec) (SweepSummary, error) {
	sum := SweepSummary{Planned: len(plan)}
	pending, existing, failedKept, err := r.Pending(plan)
	if err != nil {
		return sum, err
	}
	sum.Existing, sum.FailedBefore = existing, failedKept
	train := r.Train
	if train == nil {
		train = Train
	}
	workers := r.Workers
	if workers <= 0 {
		workers = DefaultWorkers()
	}
	workers = max(1, min(workers, len(pending)))
	prog := newSyncProgress(r.Progress)
	prog.Start(len(plan), existing)
	defer prog.Stop()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan RunSpec)
	results := make(chan result)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for spec := range jobs {
				prog.Started(spec)
				t0 := time.Now()
				rec, err := safeTrain(ctx, train, spec, TrainOptions{
					Progress: func(e, n int) { prog.Epoch(spec, e, n) },
					CacheDir: r.CacheDir,
				})
				results <- result{spec: spec, rec: rec, err: err, elapsed: time.Since(t0)}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, s := range pending {
			select {
			case jobs <- s:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	var writeErr error
	for res := range results {
		if res.err != nil || res.rec == nil {
			sum.Abandoned++
			continue
		}
		rec := finishRecord(res.rec, res.spec)
		if writeErr == nil {
			if err := r.Store.Write(rec); err != nil {
				writeErr = err
				cancel() // the disk is unusable: stop the sweep
				continue
			}
		} else {
			sum.Abandoned++
			continue
		}
		sum.Ran++
		if rec.Status == "ok" {
			sum.OK++
		} else {
			sum.Failed++
		}
		prog.Finished(res.spec, rec, res.elapsed)
	}
	if writeErr != nil {
		return sum, writeErr
	}
	if err := ctx.Err(); err != nil {
		if cerr := context.Cause(ctx); cerr != nil && !errors.Is(cerr, context.Canceled) {
			return sum, cerr
		}
		return sum, err
	}
	return sum, nil
}

// safeTrain turns a panic inside training into a failed record, so that
// one broken run does not stop the sweep.
func safeTrain(ctx context.Context, train TrainFunc, spec RunSpec, opt TrainOptions) (rec *Record, err error) {
	defer func() {
		if p := recover(); p != nil {
			rec = &Record{Status: "failed", Error: fmt.Sprintf("panic: %v", p)}
			err = nil
		}
	}()
	rec, err = train(ctx, spec, opt)
	if err == nil && ctx.Err() != nil && rec == nil {
		err = ctx.Err()
	}
	return rec, err
}

// finishRecord sets the identity fields of a record from its spec: the
// runner, not the training code, decides which file a record lands in.
func finishRecord(rec *Record, spec RunSpec) *Record {
	rec.ID = spec.ID()
	rec.Suite = spec.Suite
	rec.Dataset = spec.Dataset.Name
	rec.Method = spec.Method
	rec.Label = spec.Label
	rec.Seed = spec.Seed
	rec.Params = spec.Params
	rec.Spec = spec
	rec.Table = spec.Layout
	rec.Search = spec.Search
	if rec.Status != "ok" && rec.Status != "failed" {
		rec.Error = fmt.Sprintf("training returned status %q; %s", rec.Status, rec.Error)
		rec.Status = "failed"
	}
	if rec.Status == "failed" && rec.Error == "" {
		rec.Error = "failed without a reason"
	}
	if rec.Version.Go == "" {
		rec.Version = buildVersion()
	}
	return rec
}
