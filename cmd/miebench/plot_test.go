package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
)

// writeHistoryRecords writes one successful run with a two-epoch history
// per label into a new results directory.
func writeHistoryRecords(t *testing.T, labels ...string) string {
	t.Helper()
	dir := t.TempDir()
	st, err := bench.OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range labels {
		spec := bench.RunSpec{Suite: "s", Label: l, Method: "joint", Dataset: bench.DatasetSpec{Name: "d"}, Seed: uint64(i)}
		rec := &bench.Record{ID: spec.ID(), Suite: "s", Label: l, Method: "joint", Dataset: "d", Seed: spec.Seed, Status: "ok", Spec: spec,
			History: []bench.EpochRecord{{Epoch: 0, TrainLoss: 2, Test: bench.Metrics{Acc: 0.5}}, {Epoch: 1, TrainLoss: 1, Test: bench.Metrics{Acc: 0.7}}}}
		if err := st.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPlotWritesIntoTheResultsDirectory(t *testing.T) {
	dir := writeHistoryRecords(t, "joint", "mla")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"plot", dir}, filepath.Join(dir, "curves.png")},
		{[]string{"plot", dir, "--dataset", "d"}, filepath.Join(dir, "curves-d.png")},
	} {
		code, _, errs := cli(tc.args...)
		if code != exitOK || !strings.Contains(errs, "wrote "+tc.want) {
			t.Errorf("miebench %s: exit %d\n%s", strings.Join(tc.args, " "), code, errs)
			continue
		}
		if st, err := os.Stat(tc.want); err != nil || st.Size() == 0 {
			t.Errorf("miebench %s: %v", strings.Join(tc.args, " "), err)
		}
	}
}
