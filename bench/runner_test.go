package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// dirContents returns every file under dir/runs by name.
func dirContents(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "runs"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, "runs", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func sameContents(t *testing.T, a, b map[string][]byte) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d files vs %d", len(a), len(b))
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			t.Errorf("%s differs", k)
		}
	}
}

func runSweep(t *testing.T, dir string, plan []RunSpec, r Runner) SweepSummary {
	t.Helper()
	st, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	r.Store = st
	if r.Train == nil {
		r.Train = fakeTrain
	}
	sum, err := r.Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestRunnerWorkersShardsAndResume(t *testing.T) {
	plan := planOf(t, testSuite, "methods.t-ogm.beta=[1, 13]")
	one := t.TempDir()
	sum := runSweep(t, one, plan, Runner{Workers: 1})
	if sum.Ran != 12 || sum.OK != 8 || sum.Failed != 4 || sum.Existing != 0 {
		t.Errorf("1 worker: %+v", sum)
	}
	want := dirContents(t, one)
	if len(want) != 12 {
		t.Fatalf("%d records, want 12", len(want))
	}

	two := t.TempDir()
	runSweep(t, two, plan, Runner{Workers: 2})
	sameContents(t, want, dirContents(t, two))

	// Three shards into one directory, as a job array would.
	shared := t.TempDir()
	for i := range 3 {
		runSweep(t, shared, Shard(plan, i, 3), Runner{Workers: 2})
	}
	sameContents(t, want, dirContents(t, shared))

	// Interrupt after 5 finished runs, then resume.
	resumed := t.TempDir()
	st, _ := OpenStore(resumed)
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	r := Runner{Store: st, Workers: 2, Train: func(ctx context.Context, s RunSpec, o TrainOptions) (*Record, error) {
		if calls.Add(1) > 5 {
			cancel()
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return fakeTrain(ctx, s, o)
	}}
	sum, err := r.Run(ctx, plan)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted sweep: err %v", err)
	}
	if sum.Ran != 5 || sum.Abandoned == 0 {
		t.Errorf("interrupted: %+v", sum)
	}
	if got := len(dirContents(t, resumed)); got != 5 {
		t.Errorf("%d records after interruption, want 5", got)
	}
	sum = runSweep(t, resumed, plan, Runner{Workers: 2})
	if sum.Existing != 5 || sum.Ran != 7 {
		t.Errorf("resume: %+v", sum)
	}
	sameContents(t, want, dirContents(t, resumed))

	// Failed runs are kept unless asked to retry.
	sum = runSweep(t, resumed, plan, Runner{})
	if sum.Ran != 0 || sum.Existing != 12 || sum.FailedBefore != 4 {
		t.Errorf("rerun: %+v", sum)
	}
	var retried []string
	sum = runSweep(t, resumed, plan, Runner{RetryFailed: true, Train: func(ctx context.Context, s RunSpec, o TrainOptions) (*Record, error) {
		retried = append(retried, s.Label)
		return fakeTrain(ctx, s, o)
	}, Workers: 1})
	if sum.Ran != 4 || len(retried) != 4 || !strings.Contains(retried[0], "beta=13") {
		t.Errorf("retry-failed: %+v, retried %v", sum, retried)
	}
}

func TestRunnerFaults(t *testing.T) {
	plan := planOf(t, testSuite)
	dir := t.TempDir()
	var n atomic.Int32
	sum := runSweep(t, dir, plan, Runner{Workers: 2, Train: func(ctx context.Context, s RunSpec, o TrainOptions) (*Record, error) {
		if s.Label == "uni-m1" {
			panic("index out of range")
		}
		n.Add(1)
		return fakeTrain(ctx, s, o)
	}})
	if sum.Ran != 12 || sum.Failed != 2 {
		t.Errorf("a panicking run must be recorded as failed and the sweep go on: %+v", sum)
	}
	st := &Store{Dir: dir}
	rec, err := ReadRecord(st.Path(plan[2].ID()))
	if err != nil || rec.Status != "failed" || rec.Error != "panic: index out of range" || rec.Label != "uni-m1" {
		t.Errorf("panicked run's record: %+v, %v", rec, err)
	}

	// A corrupt record stops the sweep before anything runs, and is kept.
	bad := st.Path(plan[0].ID())
	if err := os.WriteFile(bad, []byte(`{"id": "trunc`), 0o644); err != nil {
		t.Fatal(err)
	}
	ran := false
	_, err = (&Runner{Store: st, RetryFailed: true, Train: func(ctx context.Context, s RunSpec, o TrainOptions) (*Record, error) {
		ran = true
		return fakeTrain(ctx, s, o)
	}}).Run(context.Background(), plan)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Path != bad || ran {
		t.Fatalf("corrupt record: err %v, ran %v", err, ran)
	}
	if b, _ := os.ReadFile(bad); string(b) != `{"id": "trunc` {
		t.Error("corrupt record was overwritten")
	}
	if _, err := LoadRecords(dir); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("LoadRecords over a corrupt record: %v", err)
	}
}

func TestStore(t *testing.T) {
	dir := t.TempDir()
	st, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	plan := planOf(t, testSuite)
	rec, _ := fakeTrain(context.Background(), plan[0], TrainOptions{})
	rec = finishRecord(rec, plan[0])
	if err := st.Write(rec); err != nil {
		t.Fatal(err)
	}
	// A leftover temporary file of a killed writer is ignored.
	os.WriteFile(filepath.Join(dir, "runs", "."+rec.ID+".json.tmp123"), []byte("{"), 0o644)
	recs, errs := st.Scan()
	if len(errs) != 0 || len(recs) != 1 || recs[rec.ID].Label != "t-joint" {
		t.Fatalf("scan: %v %v", recs, errs)
	}
	// A record whose id does not match its file name is corrupt.
	b, _ := EncodeRecord(rec)
	other := filepath.Join(dir, "runs", "0000000000000000.json")
	os.WriteFile(other, b, 0o644)
	if _, errs := st.Scan(); len(errs) != 1 || !strings.Contains(errs[0].Error(), other) {
		t.Errorf("mismatched id: %v", errs)
	}
	os.Remove(other)

	// Merging: the same record twice is kept once (elapsed time may
	// differ); a conflicting one is an error naming both files.
	dir2 := t.TempDir()
	st2, _ := OpenStore(dir2)
	twin := *rec
	twin.ElapsedS = 99
	twin.Spec.Dataset.Root = "/mnt/elsewhere" // the same data mounted at another path
	st2.Write(&twin)
	got, err := LoadRecords(dir, dir2)
	if err != nil || len(got) != 1 {
		t.Fatalf("merge of identical records: %d, %v", len(got), err)
	}
	twin.Metrics = map[string]Metrics{"test": {Acc: 0.5}}
	st2.Write(&twin)
	_, err = LoadRecords(dir, dir2)
	if err == nil || !strings.Contains(err.Error(), st.Path(rec.ID)) || !strings.Contains(err.Error(), st2.Path(rec.ID)) {
		t.Errorf("conflict: %v", err)
	}
	// A failed record and an ok one (a retry elsewhere): the ok one wins.
	twin.Status, twin.Error = "failed", "x"
	st2.Write(&twin)
	got, err = LoadRecords(dir2, dir)
	if err != nil || len(got) != 1 || got[0].Status != "ok" {
		t.Errorf("failed+ok merge: %v %v", got, err)
	}
	if _, err := LoadRecords(filepath.Join(dir, "nope")); err == nil {
		t.Error("a directory without runs/ must be an error")
	}
}

func TestLineProgress(t *testing.T) {
	plan := planOf(t, testSuite)
	var b bytes.Buffer
	lp := &LineProgress{W: &b}
	lp.Start(12, 3)
	rec, _ := fakeTrain(context.Background(), plan[0], TrainOptions{})
	rec = finishRecord(rec, plan[0])
	acc := fmt.Sprintf("%.4f", rec.Metrics["test"].Acc)
	lp.Finished(plan[0], rec, 1500*time.Millisecond)
	rec.Status, rec.Error = "failed", "diverged\nmore"
	lp.Finished(plan[0], rec, time.Second)
	want := "3 of 12 runs already recorded; resuming\n" +
		"[ 4/12] ok     t-joint              seed=0   t-ds  test_acc=" + acc +
		"  1.5s  id=" + plan[0].ID() + "\n" +
		"[ 5/12] failed t-joint              seed=0   t-ds  test_acc=-  1.0s  id=" + plan[0].ID() + "  error: diverged\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestBarProgress(t *testing.T) {
	plan := planOf(t, testSuite)
	var b bytes.Buffer
	bp := &BarProgress{W: &b}
	bp.Start(3, 1)
	bp.Started(plan[0])
	bp.Epoch(plan[0], 1, 3)
	rec, _ := fakeTrain(context.Background(), plan[0], TrainOptions{})
	rec = finishRecord(rec, plan[0])
	rec.Status, rec.Error = "failed", "diverged"
	bp.Finished(plan[0], rec, time.Second)
	bp.Started(plan[1])
	rec.Status = "ok"
	bp.Finished(plan[1], rec, time.Second)
	bp.Stop()
	out := b.String()
	// The failed run is printed in full above the bar; the finished bar
	// counts every run.
	if !strings.Contains(out, "(1/3)") || !strings.Contains(out, "[2/3] failed t-joint") ||
		!strings.Contains(out, "error: diverged") || !strings.Contains(out, "100% |") || !strings.Contains(out, "(3/3)") {
		t.Errorf("bar output:\n%q", out)
	}
}
