package report

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
)

func historyRecord(id, label, ds string, seed uint64, accs, losses []float64) *bench.Record {
	r := &bench.Record{ID: id, Label: label, Dataset: ds, Seed: seed, Status: "ok"}
	for e := range accs {
		r.History = append(r.History, bench.EpochRecord{Epoch: e, TrainLoss: losses[e],
			Test: bench.Metrics{Acc: accs[e], ModalityAcc: map[string]float64{"audio": accs[e] / 2}}})
	}
	return r
}

func TestCollectMeanAndBand(t *testing.T) {
	rs := []*bench.Record{
		historyRecord("a", "joint", "d", 0, []float64{0.2, 0.4, 0.9}, []float64{3, 2, 1}),
		historyRecord("b", "joint", "d", 1, []float64{0.4, 0.8}, []float64{5, 4}), // one epoch fewer
	}
	s := collect("x", rs, func(e bench.EpochRecord) (float64, bool) { return e.Test.Acc, true })
	want := series{name: "x", epochs: []float64{0, 1, 2},
		mean: []float64{0.3, 0.6, 0.9}, low: []float64{0.2, 0.4, 0.9}, high: []float64{0.4, 0.8, 0.9}}
	for k := range want.epochs {
		if s.epochs[k] != want.epochs[k] || abs(s.mean[k]-want.mean[k]) > 1e-12 || s.low[k] != want.low[k] || s.high[k] != want.high[k] {
			t.Errorf("epoch %d: got mean %g [%g, %g], want %g [%g, %g]", k, s.mean[k], s.low[k], s.high[k], want.mean[k], want.low[k], want.high[k])
		}
	}
	ss := accSeries(rs, PlotOptions{Metric: "acc", Split: "test"})
	if len(ss) != 2 || ss[0].name != "fused Acc" || ss[1].name != "audio acc" || abs(ss[1].mean[0]-0.15) > 1e-12 {
		t.Errorf("acc series: %+v", ss)
	}
}

func TestCurvesWritesImages(t *testing.T) {
	rs := []*bench.Record{
		historyRecord("a", "joint", "d", 0, []float64{0.2, 0.4, 0.9}, []float64{3, 2, 1}),
		historyRecord("b", "joint", "d", 1, []float64{0.4, 0.8, 0.7}, []float64{5, 4, 2}),
		historyRecord("c", "ogm", "d", 0, []float64{0.3, 0.5, 0.6}, []float64{3, 2, 1}),
	}
	var b bytes.Buffer
	if err := Curves(&b, "png", rs, PlotOptions{}); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	// 26 cm x (2 methods x 7 cm) at 120 dpi.
	if sz := img.Bounds().Size(); sz.X != 1228 || sz.Y != 661 {
		t.Errorf("png size %v", sz)
	}
	b.Reset()
	if err := Curves(&b, "svg", rs, PlotOptions{Split: "val", Metric: "map"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "<svg") || !strings.Contains(b.String(), "ogm on d (val, 1 seeds)") {
		t.Errorf("svg lacks the panel titles")
	}
	b.Reset()
	if err := Curves(&b, "svg", rs, PlotOptions{Only: []string{"ogm"}}); err != nil || strings.Contains(b.String(), "joint on d") {
		t.Errorf("Only ogm: %v", err)
	}
	two := append(rs, historyRecord("e", "joint", "other", 0, []float64{0.5}, []float64{1}))
	for _, tc := range []struct {
		opt    PlotOptions
		format string
		want   string
	}{
		{PlotOptions{}, "png", "several datasets (d, other): choose one"},
		{PlotOptions{Dataset: "x"}, "png", `no successful run with a history on dataset "x"`},
		{PlotOptions{Dataset: "d", Metric: "f1"}, "png", `unknown metric "f1"`},
		{PlotOptions{Dataset: "d"}, "gif", `unknown image format "gif"`},
		{PlotOptions{Dataset: "d", Only: []string{"ogm", "mla"}}, "png", `no successful run of "mla" on d (methods: joint, ogm)`},
	} {
		if err := Curves(&b, tc.format, two, tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.opt, err, tc.want)
		}
	}
}
