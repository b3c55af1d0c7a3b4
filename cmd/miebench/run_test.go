package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miebench/miebench/bench"
)

// TestMain doubles as the miebench binary for the kill and signal tests:
// with MIEBENCH_TEST_CLI=1 the test binary runs the CLI on its arguments;
// MIEBENCH_TEST_SLOW adds a pause after each run so that a sweep can be
// interrupted in the middle.
func TestMain(m *testing.M) {
	if os.Getenv("MIEBENCH_TEST_CLI") == "1" {
		if d, err := time.ParseDuration(os.Getenv("MIEBENCH_TEST_SLOW")); err == nil {
			trainFunc = func(ctx context.Context, s bench.RunSpec, o bench.TrainOptions) (*bench.Record, error) {
				rec, err := bench.Train(ctx, s, o)
				select {
				case <-time.After(d):
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				return rec, err
			}
		}
		os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// tinySuite is a fast suite over the synthetic dataset: 8 runs.
const tinySuite = `name: tiny
seeds: [0, 1]
datasets:
  - name: synthetic
    params: {train: 200, val: 50, test: 100}
methods:
  - name: joint
  - name: unimodal
    label: unimodal-m1
    params: {modality: m1}
  - name: ogm-ge
    params: {alpha: [0.1, 0.8]}
train: {epochs: 3, batch_size: 32, lr: 0.05, momentum: 0.9}
model:
  encoders: {m0: {kind: mlp, dim: 8}, m1: {kind: mlp, dim: 8}}
table: {metrics: [acc, macro_f1], modality_acc: true, gap: true}
`

func writeSuite(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tiny.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// cli runs the CLI in-process and returns its exit status, stdout and stderr.
func cli(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := dispatch(args, &out, &errb)
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := cli(args...)
	if code != exitOK {
		t.Fatalf("miebench %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

func TestRunDeterministicAcrossWorkersAndShards(t *testing.T) {
	suite := writeSuite(t, tinySuite)
	one := t.TempDir()
	want := mustRun(t, "run", "--suite", suite, "--out", one, "--workers", "1", "--progress", "none")
	if !strings.Contains(want, "| joint ") || !strings.Contains(want, "ogm-ge(alpha=0.8)") {
		t.Fatalf("table:\n%s", want)
	}
	if got := mustRun(t, "table", "--suite", suite, one); got != want {
		t.Errorf("miebench table differs from run's table:\n%s\nvs\n%s", got, want)
	}
	two := t.TempDir()
	if got := mustRun(t, "run", "--suite", suite, "--out", two, "--workers", "2", "--progress", "none"); got != want {
		t.Errorf("2 workers:\n%s\n1 worker:\n%s", got, want)
	}
	// Two shards in two directories, merged by table; and two shards
	// sharing one directory.
	a, b, shared := t.TempDir(), t.TempDir(), t.TempDir()
	mustRun(t, "run", "--suite", suite, "--out", a, "--shard", "0/2", "--progress", "none")
	mustRun(t, "run", "--suite", suite, "--out", b, "--shard", "1/2", "--progress", "none")
	if got := mustRun(t, "table", "--suite", suite, a, b); got != want {
		t.Errorf("merged shards:\n%s\nsingle run:\n%s", got, want)
	}
	mustRun(t, "run", "--suite", suite, "--out", shared, "--shard", "1/2", "--progress", "none", "--no-table")
	if got := mustRun(t, "run", "--suite", suite, "--out", shared, "--shard", "0/2", "--progress", "none"); got != want {
		t.Errorf("shards in one directory:\n%s\nsingle run:\n%s", got, want)
	}
	for _, f := range []string{"tex", "csv"} {
		x := mustRun(t, "table", "--format", f, "--suite", suite, one)
		if y := mustRun(t, "table", "--format", f, "--suite", suite, a, b); x != y {
			t.Errorf("%s: merged shards differ", f)
		}
	}
	// Flags may follow the directories; the plot is written.
	png := filepath.Join(t.TempDir(), "curves.svg")
	if code, _, errs := cli("plot", one, "--suite", suite, "-o", png); code != exitOK {
		t.Errorf("plot: exit %d\n%s", code, errs)
	} else if b, err := os.ReadFile(png); err != nil || !bytes.Contains(b, []byte("ogm-ge(alpha=0.8) on synthetic (test, 2 seeds)")) {
		t.Errorf("plot output: %v", err)
	}
	if code, _, errs := cli("plot", one, "-o", "x.gif"); code != exitConfig || !strings.Contains(errs, "want a .png or .svg file") {
		t.Errorf("plot -o x.gif: exit %d\n%s", code, errs)
	}
	// Resuming a finished sweep trains nothing.
	code, got, errs := cli("run", "--suite", suite, "--out", one, "--progress", "lines")
	if code != exitOK || got != want || !strings.Contains(errs, "8 already recorded, 0 trained") {
		t.Errorf("rerun: exit %d\n%s", code, errs)
	}
}

func helper(t *testing.T, slow string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "MIEBENCH_TEST_CLI=1", "MIEBENCH_TEST_SLOW="+slow)
	return cmd
}

// waitRecords waits until dir holds at least n records.
func waitRecords(t *testing.T, dir string, n int) int {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		m, _ := filepath.Glob(filepath.Join(dir, "runs", "*.json"))
		if len(m) >= n {
			return len(m)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %d records in %s after 60 s", n, dir)
	return 0
}

func TestResumeAfterSIGKILL(t *testing.T) {
	suite := writeSuite(t, tinySuite)
	want := mustRun(t, "run", "--suite", suite, "--out", t.TempDir(), "--progress", "none")

	dir := t.TempDir()
	cmd := helper(t, "300ms", "run", "--suite", suite, "--out", dir, "--workers", "2", "--progress", "none")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := waitRecords(t, dir, 2)
	cmd.Process.Kill() // SIGKILL: no chance to clean up
	cmd.Wait()
	m, _ := filepath.Glob(filepath.Join(dir, "runs", "*.json"))
	if len(m) >= 8 {
		t.Fatalf("the sweep finished (%d records) before it was killed", len(m))
	}
	t.Logf("killed with %d (then %d) of 8 records", n, len(m))
	code, got, errs := cli("run", "--suite", suite, "--out", dir, "--progress", "lines")
	if code != exitOK {
		t.Fatalf("resume: exit %d\n%s", code, errs)
	}
	if got != want {
		t.Errorf("resumed table:\n%s\nuninterrupted:\n%s", got, want)
	}
	if !strings.Contains(errs, "runs already recorded; resuming") {
		t.Errorf("resume did not skip finished runs:\n%s", errs)
	}
}

func TestSIGTERMStopsCleanly(t *testing.T) {
	suite := writeSuite(t, tinySuite)
	dir := t.TempDir()
	cmd := helper(t, "2s", "run", "--suite", suite, "--out", dir, "--workers", "1", "--progress", "lines")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// runs/ is created after the signal handler is installed; the first run
	// takes 2 s.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Join(dir, "runs")); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != exitFail {
		t.Fatalf("exit: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "run the same command again to resume") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	m, _ := filepath.Glob(filepath.Join(dir, "runs", "*"))
	for _, f := range m {
		if _, err := bench.ReadRecord(f); err != nil {
			t.Errorf("after SIGTERM: %v", err)
		}
	}
}

func TestRunAndTableErrors(t *testing.T) {
	suite := writeSuite(t, tinySuite)
	bad := writeSuite(t, strings.Replace(tinySuite, "epochs: 3", "epochs: 3, epoch: 4", 1))
	unknown := writeSuite(t, strings.Replace(tinySuite, "name: joint", "name: jiont", 1))
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"run"}, exitConfig, "Usage: miebench run"},
		{[]string{"run", "--suite", "nosuch"}, exitConfig, `no built-in suite or file "nosuch" (built-in: default,`},
		{[]string{"run", "--suite", bad, "--dry-run"}, exitConfig, bad + `:13: key "train.epoch": unknown key (valid: epochs,`},
		{[]string{"run", "--suite", unknown, "--dry-run"}, exitConfig, unknown + `:7: key "methods.0.name": unknown method "jiont" (valid: [`},
		{[]string{"run", "--suite", suite, "--shard", "2/2", "--dry-run"}, exitConfig, "0-based index I in 0..N-1"},
		{[]string{"run", "--suite", suite, "--set", "train.epochs", "--dry-run"}, exitConfig, "want key=value"},
		{[]string{"run", "--suite", suite, "--workers", "0"}, exitConfig, "want at least 1"},
		{[]string{"run", "--suite", suite, "--set", "train.lr=.inf", "--dry-run"}, exitConfig, `--set train.lr=.inf: key "train.lr": want a finite number, got +Inf`},
		{[]string{"run", "--suite", suite, "--set", "methods.ogm-ge.alpha=.nan", "--dry-run"}, exitConfig, `key "methods.2.params.alpha": want a finite number, got NaN`},
		{[]string{"run", "--suite", suite, "--set", "datasets.0.params.train=.inf", "--dry-run"}, exitConfig, `want a finite number, got +Inf`},
		{[]string{"run", "--suite", suite, "--set", "name=../../x", "--dry-run"}, exitConfig, `suite name "../../x" is not a plain name`},
		{[]string{"run", "--suite", suite, "--claim-timeout", "0s"}, exitConfig, "want a positive duration"},
		{[]string{"run", "--help"}, exitOK, "--retry-failed"},
		{[]string{"table"}, exitConfig, "Usage: miebench table"},
		{[]string{"table", t.TempDir()}, exitFail, "not a results directory"},
		{[]string{"table", "--format", "html", t.TempDir()}, exitConfig, `unknown format "html"`},
	} {
		code, _, errs := cli(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("miebench %s: exit %d, want %d with %q; stderr:\n%s", strings.Join(tc.args, " "), code, tc.code, tc.msg, errs)
		}
	}
	out := mustRun(t, "run", "--suite", suite, "--dry-run", "--shard", "1/3")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.Contains(lines[0], "joint  seed=1") || !strings.Contains(lines[2], "ogm-ge(alpha=0.8)  seed=1") {
		t.Errorf("dry run of shard 1/3:\n%s", out)
	}
}

// Data errors found while planning exit 1, configuration errors 2.
func TestRunDataErrorExitsOne(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"a.npy", "b.npy", "labels.npy"} {
		if err := os.WriteFile(filepath.Join(root, f), []byte("\x93NUMPY garbage"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	suite := writeSuite(t, `name: feat
datasets:
  - name: features
    root: `+root+`
methods:
  - name: joint
train: {epochs: 1, batch_size: 8, lr: 0.05}
model:
  encoders: {a: {kind: mlp}, b: {kind: mlp}}
`)
	code, _, errs := cli("run", "--suite", suite, "--dry-run")
	if code != exitFail || !strings.Contains(errs, "data error in dataset features ("+root+")") {
		t.Errorf("corrupt .npy files: exit %d\n%s", code, errs)
	}
	code, _, errs = cli("run", "--suite", suite, "--dry-run", "--set", "dataset.root="+filepath.Join(root, "nope"))
	if code != exitConfig {
		t.Errorf("missing data root: exit %d\n%s", code, errs)
	}
}

// An unwritable results directory is reported before any run trains.
func TestRunChecksOutWritable(t *testing.T) {
	suite := writeSuite(t, tinySuite)
	out := t.TempDir()
	// claims/ cannot be created: a file is in the way.
	if err := os.WriteFile(filepath.Join(out, "claims"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := cli("run", "--suite", suite, "--out", out, "--progress", "lines")
	if code != exitFail || !strings.Contains(errs, "results directory "+out+" is not writable") || strings.Contains(errs, "train start") {
		t.Errorf("claims/ blocked: exit %d\n%s", code, errs)
	}
	if os.Getuid() == 0 {
		t.Log("running as root: file modes do not stop writes; the read-only runs/ case is skipped")
		return
	}
	ro := t.TempDir()
	if err := os.Mkdir(filepath.Join(ro, "runs"), 0o555); err != nil {
		t.Fatal(err)
	}
	code, _, errs = cli("run", "--suite", suite, "--out", ro, "--progress", "lines")
	if code != exitFail || !strings.Contains(errs, "is not writable") || strings.Contains(errs, "train start") {
		t.Errorf("read-only runs/: exit %d\n%s", code, errs)
	}
}
