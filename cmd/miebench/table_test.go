package main

import (
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
	for _, want := range []string{"d Params", "d Train (s)", "d Steps/s", "1000 ± 0 (2)", "2.0 ± 0.7 (2)", "Cost columns are measured"} {
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
