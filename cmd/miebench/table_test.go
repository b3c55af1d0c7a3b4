package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
)

func TestTableCostColumns(t *testing.T) {
	dir := t.TempDir()
	st, err := bench.OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	for seed, train := range []float64{1.5, 2.5} {
		spec := bench.RunSpec{Suite: "s", Label: "joint", Method: "joint", Dataset: bench.DatasetSpec{Name: "d"}, Seed: uint64(seed)}
		rec := &bench.Record{ID: spec.ID(), Suite: "s", Label: "joint", Method: "joint", Dataset: "d", Seed: spec.Seed, Status: "ok", Spec: spec,
			Metrics: map[string]bench.Metrics{"test": {Acc: 0.5}},
			Cost:    &bench.Cost{Params: 1000, Steps: 10, TrainS: train, EvalS: 0.5, StepsPerS: 10 / train, PeakRSSMB: 64}}
		if err := st.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	out := mustRun(t, "table", dir, "--metric", "acc,params,train_s,steps_per_s")
	for _, want := range []string{"d Params", "d Train (s)", "d Steps/s", "1000 ± 0 (2)", "2.00 ± 0.71 (2)", "Cost columns are measured"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if out := mustRun(t, "table", dir); strings.Contains(out, "Params") || strings.Contains(out, "Cost columns") {
		t.Errorf("the default table shows costs:\n%s", out)
	}
	if code, _, errs := cli("table", dir, "--metric", "flops"); code != exitConfig || !strings.Contains(errs, "costs: params") {
		t.Errorf("--metric flops: exit %d\n%s", code, errs)
	}
}

const searchSuite = `name: tiny-search
seeds: [0, 1]
datasets:
  - name: synthetic
    params: {train: 200, val: 50, test: 100}
methods:
  - name: joint
  - name: ogm-ge
    search: {alpha: {log_uniform: [0.05, 2.0]}}
    trials: 2
train: {epochs: 2, batch_size: 32, lr: 0.05, momentum: 0.9}
model:
  encoders: {m0: {kind: mlp, dim: 8}, m1: {kind: mlp, dim: 8}}
`

func TestRunAndTableWithSearch(t *testing.T) {
	suite := writeSuite(t, searchSuite)
	dir := t.TempDir()
	out := mustRun(t, "run", "--suite", suite, "--out", dir, "--progress", "none")
	if !strings.Contains(out, "| ogm-ge ¶") || !strings.Contains(out, "¶ ogm-ge on synthetic: trial ") || !strings.Contains(out, " of 2 of a random search, selected by mean validation acc over 2 seeds") {
		t.Errorf("run's table:\n%s", out)
	}
	if got := mustRun(t, "table", dir); got != out {
		t.Errorf("table differs from run's:\n%s\nvs\n%s", got, out)
	}
	all := mustRun(t, "table", dir, "--trials")
	if !strings.Contains(all, "ogm-ge [trial 0: alpha=") || !strings.Contains(all, "ogm-ge [trial 1: alpha=") || !strings.Contains(all, "Every trial of a hyperparameter search") {
		t.Errorf("table --trials:\n%s", all)
	}
	// The records of both trials stay: 2 joint + 2 trials x 2 seeds.
	if m, _ := filepath.Glob(filepath.Join(dir, "runs", "*.json")); len(m) != 6 {
		t.Errorf("%d records, want 6", len(m))
	}
}

func TestRobustnessTableAndPlot(t *testing.T) {
	suite := writeSuite(t, strings.Replace(searchSuite, "train: {", "robustness: {missing: true, noise: [1, 3]}\ntrain: {", 1))
	dir := t.TempDir()
	mustRun(t, "run", "--suite", suite, "--out", dir, "--progress", "none", "--no-table")
	out := mustRun(t, "table", dir, "--robustness")
	for _, want := range []string{"synthetic no m0", "synthetic m1 σ×3", "Rel. rob. (m1)", "Eff. rob. (m0)", "| ogm-ge ¶"} {
		if !strings.Contains(out, want) {
			t.Errorf("robustness table lacks %q:\n%s", want, out)
		}
	}
	code, _, errs := cli("plot", dir, "--robustness")
	if code != exitOK || !strings.Contains(errs, "wrote "+filepath.Join(dir, "robustness.png")) {
		t.Errorf("plot --robustness: exit %d\n%s", code, errs)
	}
	plain := t.TempDir()
	mustRun(t, "run", "--suite", writeSuite(t, searchSuite), "--out", plain, "--progress", "none", "--no-table")
	if code, _, errs := cli("table", plain, "--robustness"); code != exitConfig || !strings.Contains(errs, "no successful run has a robustness evaluation") {
		t.Errorf("table --robustness without evaluations: exit %d\n%s", code, errs)
	}
}
