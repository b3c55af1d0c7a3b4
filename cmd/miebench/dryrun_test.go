package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestDryRunSizing checks the dry run's sizing output: one line per planned
// run with its memory (and, with --estimate-time, its time), and the
// summary with the process's peak and request on standard error.
func TestDryRunSizing(t *testing.T) {
	line := regexp.MustCompile(`^[0-9a-f]{16}  synthetic  \S+  seed=[0-9]+  mem=[0-9.]+[KMG]iB$`)
	timed := regexp.MustCompile(`^[0-9a-f]{16}  synthetic  \S+  seed=[0-9]+  mem=[0-9.]+[KMG]iB  time=\S+$`)
	for _, tc := range []struct {
		args    []string
		lines   int
		re      *regexp.Regexp
		summary []string
	}{
		{[]string{"--dry-run", "--workers", "2"}, 24, line, []string{"sizing: 24 runs;", "peak resident memory with --workers 2:", "request 1G (Slurm --mem=1G, Kubernetes memory: 1Gi)"}},
		{[]string{"--dry-run", "--shard", "0/3", "--workers", "1"}, 8, line, []string{"sizing: 8 runs;", "with --workers 1:"}},
		{[]string{"--dry-run", "--estimate-time", "--set", "train.epochs=6"}, 24, timed, []string{"sizing: training time"}},
	} {
		args := append([]string{"run", "--suite", "quick"}, tc.args...)
		code, out, errs := cli(args...)
		if code != exitOK {
			t.Fatalf("miebench %s: exit %d\n%s", strings.Join(args, " "), code, errs)
		}
		got := strings.Split(strings.TrimSpace(out), "\n")
		if len(got) != tc.lines {
			t.Errorf("%v: %d lines, want %d:\n%s", tc.args, len(got), tc.lines, out)
		}
		for _, l := range got {
			if !tc.re.MatchString(l) {
				t.Errorf("%v: line %q does not match %s", tc.args, l, tc.re)
			}
		}
		for _, s := range tc.summary {
			if !strings.Contains(errs, s) {
				t.Errorf("%v: stderr lacks %q:\n%s", tc.args, s, errs)
			}
		}
	}
	if code, _, errs := cli("run", "--suite", "quick", "--estimate-time"); code != exitConfig || !strings.Contains(errs, "--estimate-time needs --dry-run") {
		t.Errorf("--estimate-time without --dry-run: exit %d, stderr %q", code, errs)
	}
}
