package report

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
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

// sixModalities is a two-method figure over six modalities, each modality
// at its own accuracy level so that every style is visible.
func sixModalities() []*bench.Record {
	mods := []string{"audio", "depth", "imu", "text", "thermal", "visual"}
	var rs []*bench.Record
	for i, label := range []string{"joint", "unimodal-text"} {
		for seed := range 2 {
			r := &bench.Record{ID: label + string(rune('0'+seed)), Label: label, Dataset: "d", Seed: uint64(seed), Status: "ok", SelectedEpoch: 9 - seed}
			for e := range 12 {
				acc := map[string]float64{}
				for k, m := range mods {
					if i == 0 || m == "text" {
						acc[m] = (0.2 + 0.12*float64(k)) * (1 - math.Exp(-float64(e+1)/3)) * (1 - 0.02*float64(seed))
					}
				}
				fused := 0.95 * (1 - math.Exp(-float64(e+1)/2))
				if i == 1 {
					fused = acc["text"]
				}
				r.History = append(r.History, bench.EpochRecord{Epoch: e, TrainLoss: 2 * math.Exp(-float64(e)/4),
					Test: bench.Metrics{Acc: fused, ModalityAcc: acc}})
			}
			rs = append(rs, r)
		}
	}
	return rs
}

func TestCurvesStylesAndDeterminism(t *testing.T) {
	rs := sixModalities()
	sty := newCurveStyles(modalitiesOf(map[string][]*bench.Record{"joint": rs[:2], "unimodal-text": rs[2:]}, []string{"joint", "unimodal-text"}, PlotOptions{}))
	seen := map[string]string{}
	for _, m := range sty.mods {
		ls := sty.line(modalitySeries(m))
		key := fmt.Sprint(ls.Color, ls.Dashes)
		if prev, dup := seen[key]; dup {
			t.Errorf("modalities %s and %s share a style", prev, m)
		}
		seen[key] = m
		if len(ls.Dashes) == 0 {
			t.Errorf("modality %s is solid like the fused line", m)
		}
	}
	if got := strings.Join(sty.mods, ","); got != "audio,depth,imu,text,thermal,visual" {
		t.Errorf("modalities %s", got)
	}
	if pts := selectedPoints(rs[:2], PlotOptions{Metric: "acc"}); len(pts) != 2 || pts[0].X != 9 || pts[1].X != 8 {
		t.Errorf("selected points %v, want epochs 9 and 8", pts)
	}
	for _, f := range PlotFormats {
		var a, b bytes.Buffer
		if err := Curves(&a, f, rs, PlotOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := Curves(&b, f, rs, PlotOptions{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two renderings differ", f)
		}
	}
}

func TestEpochTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		labels string
		n      int // ticks, labelled or not
	}{
		{0, 19, "0,2,4,6,8,10,12,14,16,18", 20},
		{0, 9, "0,1,2,3,4,5,6,7,8,9", 10},
		{0, 3, "0,1,2,3", 4},
		{0.5, 2.5, "1,2", 2},
		{0, 99, "0,10,20,30,40,50,60,70,80,90", 10},
		{0, 199, "0,20,40,60,80,100,120,140,160,180", 10},
		{0.2, 0.8, "", 0},
	} {
		ticks := epochTicks{}.Ticks(tc.lo, tc.hi)
		var labels []string
		for _, k := range ticks {
			if k.Label != "" {
				labels = append(labels, k.Label)
			}
		}
		if got := strings.Join(labels, ","); got != tc.labels || len(ticks) != tc.n {
			t.Errorf("[%v, %v]: labels %s (%d ticks), want %s (%d)", tc.lo, tc.hi, got, len(ticks), tc.labels, tc.n)
		}
	}
}
