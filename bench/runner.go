package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/miebench/miebench/nn"
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
// Sharing: several processes (on one or many hosts, with or without
// shards) may run plans into one store. Each run is claimed (Store.TryClaim)
// before it trains and the record is re-checked after the claim, so no run
// trains twice; a process that has nothing left to claim waits for the runs
// other processes hold (polling ClaimPolicy.Poll) and takes over those whose
// claim turns stale, so Run returns once every run of its plan is recorded.
//
// Faults: a failed run (status "failed", or a panic inside training) is
// recorded and the sweep goes on. When ctx is cancelled (SIGINT, SIGTERM),
// no new run starts, runs in progress are abandoned without a record (and
// their claims released), every finished record stays on disk, and Run
// returns ctx's error; running the same plan again resumes.
type Runner struct {
	Store       *Store
	Workers     int // runs trained concurrently; <= 0 means DefaultWorkers()
	RetryFailed bool
	// RetrainChangedData moves records of the plan's configurations made
	// on other data (another fingerprint) to DIR/superseded/ and trains
	// those runs again; without it such records are a *DataChangedError.
	RetrainChangedData bool
	Train              TrainFunc   // nil means Train
	Progress           Progress    // nil means no progress output
	CacheDir           string      // the loaders' feature cache, passed to Train
	Claims             ClaimPolicy // zero means the defaults
	// Log, if set, gets one line per claim event and per training start
	// and end (see runLog), for logs of many processes on one store.
	Log io.Writer
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
	// ByOthers counts runs recorded by other processes while this one ran.
	ByOthers int
	// TakenOver counts stale claims of other processes this one took over.
	TakenOver int
}

// DefaultWorkers is the default number of concurrent runs: the number of
// CPUs. Runs are independent, while the threads inside one run (the GEMM
// kernels) only pay off on large layers; each run gets ThreadsPerRun of
// them. Measured on the default suite (81 runs of MLPs on av-digits, 2
// cores, nothing else running): 3m47s with one worker, 2m02s with two
// (1.86x).
func DefaultWorkers() int { return runtime.NumCPU() }

// ThreadsPerRun is the goroutines each run's layers use (nn.SetThreads)
// when workers runs train at once: an equal share of GOMAXPROCS, at least
// one. Nested parallelism (every run's GEMMs on every core) made runs wait
// for goroutines that another run had descheduled. Results do not depend
// on it.
func ThreadsPerRun(workers int) int { return max(1, runtime.GOMAXPROCS(0)/max(1, workers)) }

// Pending returns the runs of plan that have no usable record in the store,
// in plan order, with duplicate ids removed, and the number of failed records
// that were kept (not retried). Records of the plan's configurations made
// on other data are a *DataChangedError, or, with RetrainChangedData, moved
// to DIR/superseded (their runs are then pending).
func (r *Runner) Pending(plan []RunSpec) (pending []RunSpec, existing, failedKept int, err error) {
	pending, existing, failedKept, _, err = r.pending(plan)
	return pending, existing, failedKept, err
}

// pending is Pending that also returns the failed records it will retry,
// encoded, so that a retry by another process can be told apart.
func (r *Runner) pending(plan []RunSpec) (pending []RunSpec, existing, failedKept int, retried map[string][]byte, err error) {
	recs, bad := r.Store.Scan()
	if len(bad) > 0 {
		return nil, 0, 0, nil, errors.Join(bad...)
	}
	retried = map[string][]byte{}
	byConfig := map[string][]*Record{}
	for _, rec := range recs {
		k := rec.Spec.ConfigKey()
		byConfig[k] = append(byConfig[k], rec)
	}
	planned := map[string]bool{}
	for _, s := range plan {
		planned[s.ID()] = true
	}
	var changed []DataConflict
	seen := map[string]bool{}
	for _, s := range plan {
		id := s.ID()
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, ok := recs[id]; !ok {
			for _, old := range byConfig[s.ConfigKey()] {
				if !planned[old.ID] {
					changed = append(changed, DataConflict{Spec: s, Old: old})
				}
			}
		}
		if rec, ok := recs[id]; ok {
			if rec.Status == "ok" || !r.RetryFailed {
				existing++
				if rec.Status != "ok" {
					failedKept++
				}
				continue
			}
			b, err := EncodeRecord(rec)
			if err != nil {
				return nil, 0, 0, nil, fmt.Errorf("record %s: %w", id, err)
			}
			retried[id] = b
		}
		pending = append(pending, s)
	}
	if len(changed) > 0 {
		if !r.RetrainChangedData {
			return nil, 0, 0, nil, &DataChangedError{Dir: r.Store.Dir, Conflicts: changed}
		}
		for _, c := range changed {
			if err := r.Store.Supersede(c.Old.ID); err != nil {
				return nil, 0, 0, nil, err
			}
		}
	}
	return pending, existing, failedKept, retried, nil
}

// DataConflict is a planned run whose configuration was recorded on other
// data.
type DataConflict struct {
	Spec RunSpec
	Old  *Record
}

// DataChangedError reports records of the plan's configurations made on
// other data than the plan's: the data changed since (or another tree is
// used). The CLI exits 2: the user chooses a new results directory or
// retraining.
type DataChangedError struct {
	Dir       string
	Conflicts []DataConflict
}

func (e *DataChangedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s holds %d records of this plan's runs made on other data (same configuration, another data fingerprint):", e.Dir, len(e.Conflicts))
	type group struct {
		c DataConflict
		n int
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, c := range e.Conflicts {
		old := ""
		if c.Old.Data != nil {
			old = c.Old.Data.Hash
		}
		k := c.Spec.Dataset.Name + "\x00" + c.Spec.Dataset.Fingerprint + "\x00" + old
		g := byKey[k]
		if g == nil {
			g = &group{c: c}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.n++
	}
	for _, g := range groups {
		root := g.c.Spec.Dataset.Root
		if root == "" {
			root = "the shipped data"
		}
		fmt.Fprintf(&b, "\n  dataset %s (%s): %s; %d runs, e.g. %s seed %d (%s)", g.c.Spec.Dataset.Name, root,
			g.c.Old.Data.Diff(g.c.Spec.Dataset.Data), g.n, g.c.Spec.Label, g.c.Spec.Seed, filepath.Join("runs", g.c.Old.ID+".json"))
	}
	fmt.Fprintf(&b, "\nto keep both, run into a new --out; to train these runs again on this data (moving the old records to %s), add --retrain-changed-data",
		filepath.Join(e.Dir, "superseded"))
	return b.String()
}

// job is a claimed run on its way to a worker.
type job struct {
	spec  RunSpec
	claim *Claim
}

type result struct {
	spec    RunSpec
	claim   *Claim
	rec     *Record
	err     error
	elapsed time.Duration
	// dispatcher events (no training): the run was recorded by another
	// process, a stale claim was taken over, or claiming failed.
	byOthers, takeover bool
	fatal              error
}

// Run trains the pending runs of plan. It returns a non-nil error if the
// store holds corrupt records (nothing is run), if a record or claim cannot
// be written (the sweep stops), or if ctx was cancelled.
func (r *Runner) Run(ctx context.Context, plan []RunSpec) (SweepSummary, error) {
	sum := SweepSummary{Planned: len(plan)}
	pending, existing, failedKept, retried, err := r.pending(plan)
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
	// Each concurrent run gets its share of the cores for its layers.
	nn.SetThreads(ThreadsPerRun(workers))
	defer nn.SetThreads(0)
	pol := r.Claims.withDefaults()
	log := &runLog{w: r.Log}
	prog := newSyncProgress(r.Progress)
	prog.Start(len(plan), existing)
	defer prog.Stop()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan job)
	results := make(chan result)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				spec := j.spec
				prog.Started(spec)
				me := self()
				log.printf("train start %s suite=%s dataset=%s label=%s seed=%d worker=%d host=%s pid=%d",
					spec.ID(), spec.Suite, spec.Dataset.Name, spec.Label, spec.Seed, w, me.Host, me.PID)
				t0 := time.Now()
				rec, err := safeTrain(ctx, train, spec, TrainOptions{
					Progress: func(e, n int) { prog.Epoch(spec, e, n) },
					CacheDir: r.CacheDir,
				})
				results <- result{spec: spec, claim: j.claim, rec: rec, err: err, elapsed: time.Since(t0)}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		r.dispatch(ctx, pending, retried, pol, log, jobs, results)
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	var stopErr error
	for res := range results {
		switch {
		case res.fatal != nil:
			if stopErr == nil {
				stopErr = res.fatal
			}
			cancel()
			continue
		case res.byOthers:
			sum.ByOthers++
			continue
		case res.takeover:
			sum.TakenOver++
			continue
		}
		if res.err != nil || res.rec == nil || stopErr != nil {
			sum.Abandoned++
			res.claim.Release()
			log.printf("train abandoned %s", res.spec.ID())
			continue
		}
		rec := finishRecord(res.rec, res.spec)
		err := r.Store.Write(rec)
		res.claim.Release() // after the record: a later claimer finds it
		if err != nil {
			stopErr = err
			sum.Abandoned++
			cancel() // the disk is unusable: stop the sweep
			continue
		}
		log.printf("train done %s status=%s elapsed=%.1fs", rec.ID, rec.Status, res.elapsed.Seconds())
		sum.Ran++
		if rec.Status == "ok" {
			sum.OK++
		} else {
			sum.Failed++
		}
		prog.Finished(res.spec, rec, res.elapsed)
	}
	if stopErr != nil {
		return sum, stopErr
	}
	if err := ctx.Err(); err != nil {
		if cerr := context.Cause(ctx); cerr != nil && !errors.Is(cerr, context.Canceled) {
			return sum, cerr
		}
		return sum, err
	}
	return sum, nil
}

// dispatch claims the pending runs in plan order and hands them to the
// workers; runs held by other processes are looked at again every poll
// until they are recorded or their claim turns stale.
func (r *Runner) dispatch(ctx context.Context, pending []RunSpec, retried map[string][]byte, pol ClaimPolicy, log *runLog,
	jobs chan<- job, results chan<- result) {
	send := func(res result) bool {
		select {
		case results <- res:
			return true
		case <-ctx.Done():
			return false
		}
	}
	reported := map[string]bool{} // held runs already logged
	for round := 0; len(pending) > 0; round++ {
		if round > 0 {
			select {
			case <-time.After(pol.Poll):
			case <-ctx.Done():
				return
			}
		}
		var held []RunSpec
		for _, s := range pending {
			if ctx.Err() != nil {
				return
			}
			id := s.ID()
			done, err := r.recorded(id, retried[id])
			if err == nil && done {
				log.printf("skip %s: recorded by another process", id)
				if !send(result{spec: s, byOthers: true}) {
					return
				}
				continue
			}
			var c *Claim
			var holder *ClaimInfo
			if err == nil {
				c, holder, err = r.Store.TryClaim(id, pol)
			}
			if err != nil {
				send(result{spec: s, fatal: err})
				return
			}
			if c == nil {
				if !reported[id] {
					reported[id] = true
					log.printf("claim held %s by %s", id, holder)
				}
				held = append(held, s)
				continue
			}
			if c.Taken != nil {
				log.printf("claim takeover %s from %s (stale)", id, c.Taken)
				if !send(result{spec: s, takeover: true}) {
					c.Release()
					return
				}
			}
			// Recorded between our look and our claim?
			if done, err := r.recorded(id, retried[id]); err != nil || done {
				c.Release()
				if err != nil {
					send(result{spec: s, fatal: err})
					return
				}
				log.printf("skip %s: recorded by another process", id)
				if !send(result{spec: s, byOthers: true}) {
					return
				}
				continue
			}
			select {
			case jobs <- job{spec: s, claim: c}:
			case <-ctx.Done():
				c.Release()
				return
			}
		}
		pending = held
	}
}

// recorded reports whether run id needs no training: its record exists and
// is ok, or failed and is not to be retried, or differs from the failed
// record this sweep meant to retry (another process retried it). A corrupt
// record is an error.
func (r *Runner) recorded(id string, retrying []byte) (bool, error) {
	rec, err := ReadRecord(r.Store.Path(id))
	if err != nil {
		if ce, ok := errors.AsType[*CorruptError](err); ok && errors.Is(ce.Err, os.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	if rec.Status == "ok" || !r.RetryFailed || retrying == nil {
		return true, nil
	}
	b, err := EncodeRecord(rec)
	if err != nil {
		return false, fmt.Errorf("record %s: %w", id, err)
	}
	return !bytes.Equal(b, retrying), nil
}

// runLog writes the runner's log lines, one at a time, each prefixed with
// "miebench: " and the UTC time:
//
//	miebench: 2026-12-01T12:00:00Z train start 4f0c... suite=default dataset=av-digits label=joint seed=0 worker=1 host=n1 pid=4242
//	miebench: 2026-12-01T12:00:09Z train done 4f0c... status=ok elapsed=9.1s
//	miebench: 2026-12-01T12:00:00Z claim held 77aa... by host=n2 pid=17 since=...
//	miebench: 2026-12-01T12:10:05Z claim takeover 77aa... from host=n2 pid=17 since=... (stale)
//	miebench: 2026-12-01T12:10:05Z skip 77aa...: recorded by another process
//	miebench: 2026-12-01T12:10:05Z train abandoned 77aa...
type runLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *runLog) printf(format string, args ...any) {
	if l.w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "miebench: %s "+format+"\n", append([]any{time.Now().UTC().Format(time.RFC3339)}, args...)...)
}

// safeTrain turns a panic inside training into a failed record, so that
// one broken run does not stop the sweep.
func safeTrain(ctx context.Context, train TrainFunc, spec RunSpec, opt TrainOptions) (rec *Record, err error) {
	defer func() {
		if p := recover(); p != nil {
			rec = &Record{Status: "failed", Error: fmt.Sprintf("panic: %v", p), Stack: string(debug.Stack())}
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
	rec.Data = spec.Dataset.Data
	rec.Table = spec.Layout
	rec.Search = spec.Search
	if rec.Status != "ok" && rec.Status != "failed" {
		rec.Error = fmt.Sprintf("training returned status %q; %s", rec.Status, rec.Error)
		rec.Status = "failed"
	}
	if rec.Status == "failed" && rec.Error == "" {
		rec.Error = "failed without a reason"
	}
	rec.Warnings = append(rec.Warnings, DegenerateWarnings(rec, datasetClasses(spec.Dataset))...)
	if rec.Version.Go == "" {
		rec.Version = buildVersion()
	}
	return rec
}
