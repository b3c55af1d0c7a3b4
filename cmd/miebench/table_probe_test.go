package main

import (
	"strings"
	"testing"
)

// TestTableProbeFlag: the records of a finished sweep hold probe
// accuracies, so --probe adds "Probe (m)" columns to an existing results
// directory's table, --probe=false removes those a suite's table: {probe:
// true} asks for, and without either there are none.
func TestTableProbeFlag(t *testing.T) {
	suite := writeSuite(t, tinySuite)
	out := t.TempDir()
	plain := mustRun(t, "run", "--suite", suite, "--out", out, "--progress", "none")
	if strings.Contains(plain, "Probe (") {
		t.Fatalf("table without probe option has probe columns:\n%s", plain)
	}
	withProbe := mustRun(t, "table", "--suite", suite, "--probe", out)
	for _, col := range []string{"Probe (m0)", "Probe (m1)", "Probe: accuracy of a linear head"} {
		if !strings.Contains(withProbe, col) {
			t.Errorf("--probe table lacks %q:\n%s", col, withProbe)
		}
	}
	probeSuite := writeSuite(t, strings.Replace(tinySuite, "gap: true}", "gap: true, probe: true}", 1))
	if got := mustRun(t, "table", "--suite", probeSuite, out); got != withProbe {
		t.Errorf("table: {probe: true} differs from --probe:\n%s\nvs\n%s", got, withProbe)
	}
	if got := mustRun(t, "table", "--suite", probeSuite, "--probe=false", out); got != plain {
		t.Errorf("--probe=false on a probe suite:\n%s\nwant\n%s", got, plain)
	}
}
