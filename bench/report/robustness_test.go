package report

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
)

func robRecord(label string, seed uint64, clean float64, missing map[string]float64, noise map[string][]float64) *bench.Record {
	return &bench.Record{ID: label + string(rune('0'+seed)), Label: label, Method: label, Dataset: "d", Seed: seed, Status: "ok",
		Metrics:    map[string]bench.Metrics{"test": {Acc: clean}},
		Robustness: &bench.Robustness{Missing: missing, Levels: []float64{0.5, 1, 2}, Noise: noise}}
}

func TestRobustnessMeasures(t *testing.T) {
	// (0, .9) (.5, .8) (1, .6) (2, .2): trapezoids .425 + .35 + .4 = 1.175, over 2.
	if got := relativeRobustness(0.9, []float64{0.5, 1, 2}, []float64{0.8, 0.6, 0.2}); math.Abs(got-0.5875) > 1e-12 {
		t.Errorf("relative robustness %v, want 0.5875", got)
	}
	// Drops -.1 -.3 -.7 against the reference's -.05 -.2 -.5: mean(-.05, -.1, -.2).
	if got := effectiveRobustness(0.9, []float64{0.8, 0.6, 0.2}, 0.8, []float64{0.75, 0.6, 0.3}); math.Abs(got-(-0.35/3)) > 1e-12 {
		t.Errorf("effective robustness %v, want %v", got, -0.35/3)
	}
	recs := []*bench.Record{
		robRecord("joint", 0, 0.8, map[string]float64{"a": 0.5, "v": 0.6}, map[string][]float64{"a": {0.75, 0.6, 0.3}, "v": {0.8, 0.8, 0.7}}),
		robRecord("joint", 1, 0.8, map[string]float64{"a": 0.5, "v": 0.6}, map[string][]float64{"a": {0.75, 0.6, 0.3}, "v": {0.8, 0.8, 0.7}}),
		robRecord("mla", 0, 0.9, map[string]float64{"a": 0.7, "v": 0.8}, map[string][]float64{"a": {0.8, 0.6, 0.2}, "v": {0.9, 0.85, 0.8}}),
		robRecord("mla", 1, 0.9, map[string]float64{"a": 0.7, "v": 0.8}, map[string][]float64{"a": {0.8, 0.6, 0.2}, "v": {0.9, 0.85, 0.8}}),
		{ID: "x", Label: "mla", Dataset: "d", Seed: 2, Status: "ok", Metrics: map[string]bench.Metrics{"test": {Acc: 0.1}}}, // no robustness: left out
	}
	tab, err := BuildRobustness(recs, Options{Rows: []string{"joint", "mla"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	for _, c := range tab.Columns {
		heads = append(heads, c.Name())
	}
	want := "Clean,no a,no v,a σ×0.5,a σ×1,a σ×2,v σ×0.5,v σ×1,v σ×2,Rel. rob. (a),Rel. rob. (v),Eff. rob. (a),Eff. rob. (v)"
	if got := strings.Join(heads, ","); got != want {
		t.Fatalf("columns\n got %s\nwant %s", got, want)
	}
	for _, tc := range []struct {
		col  int
		want float64
	}{{0, 0.9}, {1, 0.7}, {5, 0.2}, {9, 0.5875}, {11, -0.35 / 3}} {
		if c := tab.Cells[1][tc.col]; math.Abs(c.Mean-tc.want) > 1e-12 || c.N != 2 {
			t.Errorf("mla %s: %+v, want %v over 2 seeds", heads[tc.col], c, tc.want)
		}
	}
	if c := tab.Cells[0][11]; c.Mean != 0 || c.N != 2 {
		t.Errorf("the reference row's effective robustness %+v, want 0", c)
	}
	// Without the reference row there are no effective-robustness columns.
	tab, err = BuildRobustness(recs[2:], Options{}, "")
	if err != nil || tab.hasRob(robEffective) || !tab.hasRob(robRelative) {
		t.Errorf("without joint: %v, columns %v", err, tab.Columns)
	}
	if _, err := BuildRobustness(recs[4:], Options{}, ""); err == nil || !strings.Contains(err.Error(), "no successful run has a robustness evaluation") {
		t.Errorf("no robustness: %v", err)
	}
	for _, f := range PlotFormats {
		var a, b bytes.Buffer
		if err := RobustnessCurves(&a, f, recs, PlotOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := RobustnessCurves(&b, f, recs, PlotOptions{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) || a.Len() == 0 {
			t.Errorf("%s: renderings differ or are empty", f)
		}
	}
}

func TestRobustnessCorruptionColumns(t *testing.T) {
	rec := func(label string, seed uint64, clean float64, snr, occ []float64) *bench.Record {
		r := robRecord(label, seed, clean, map[string]float64{"a": 0.5}, nil)
		r.Robustness.Levels = nil
		r.Robustness.Corruptions = []bench.CorruptionCurve{
			{Modality: "a", Name: "snr_db", Levels: []float64{20, 10, 0}, Acc: snr},
			{Modality: "v", Name: "occlusion", Levels: []float64{0.25, 0.5}, Acc: occ},
		}
		return r
	}
	recs := []*bench.Record{
		rec("joint", 0, 0.8, []float64{0.75, 0.6, 0.3}, []float64{0.7, 0.5}),
		rec("mla", 0, 0.9, []float64{0.8, 0.6, 0.2}, []float64{0.9, 0.8}),
	}
	tab, err := BuildRobustness(recs, Options{Rows: []string{"joint", "mla"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	for _, c := range tab.Columns {
		heads = append(heads, c.Name())
	}
	want := "Clean,no a,a snr_db=20,a snr_db=10,a snr_db=0,v occlusion=0.25,v occlusion=0.5,Rel. rob. (a snr_db),Rel. rob. (v occlusion),Eff. rob. (a snr_db),Eff. rob. (v occlusion)"
	if got := strings.Join(heads, ","); got != want {
		t.Fatalf("columns\n got %s\nwant %s", got, want)
	}
	// mla's SNR curve (clean .9, then .8 .6 .2) on equal steps: trapezoids
	// .85 + .7 + .4 over 3 steps. Its drops -.1 -.3 -.7 against joint's
	// -.05 -.2 -.5. Occlusion: (.9 .9 .8): (.9 + .85)/2; drops 0, -.1
	// against -.1, -.3.
	for _, tc := range []struct {
		col  int
		want float64
	}{{2, 0.8}, {6, 0.8}, {7, 1.95 / 3}, {8, 0.875}, {9, -0.35 / 3}, {10, 0.15}} {
		if c := tab.Cells[1][tc.col]; math.Abs(c.Mean-tc.want) > 1e-12 || c.N != 1 {
			t.Errorf("mla %s: %+v, want %v", heads[tc.col], c, tc.want)
		}
	}
	bad := rec("mla", 1, 0.9, []float64{0.8, 0.6, 0.2}, []float64{0.9, 0.8})
	bad.Robustness.Corruptions[0].Levels = []float64{30, 10, 0}
	if _, err := BuildRobustness(append(recs, bad), Options{}, ""); err == nil || !strings.Contains(err.Error(), "different a.snr_db levels") {
		t.Errorf("mixed levels: %v", err)
	}
	if err := RobustnessCurves(&bytes.Buffer{}, "png", append(recs, bad), PlotOptions{}); err == nil || !strings.Contains(err.Error(), "different a.snr_db levels") {
		t.Errorf("plot of mixed levels: %v", err)
	}
	// Corruption panels alone, and after the noise panels.
	withNoise := rec("ume", 0, 0.85, []float64{0.8, 0.7, 0.5}, []float64{0.8, 0.6})
	withNoise.Robustness.Levels, withNoise.Robustness.Noise = []float64{1, 2}, map[string][]float64{"a": {0.7, 0.5}, "v": {0.8, 0.6}}
	for _, rs := range [][]*bench.Record{recs, append(recs, withNoise)} {
		var a, b bytes.Buffer
		if err := RobustnessCurves(&a, "svg", rs, PlotOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := RobustnessCurves(&b, "svg", rs, PlotOptions{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) || !strings.Contains(a.String(), "a snr_db on d") || !strings.Contains(a.String(), "v occlusion on d") {
			t.Errorf("%d records: renderings differ or lack the corruption panels", len(rs))
		}
		if len(rs) == 3 && !strings.Contains(a.String(), "ume on d") {
			t.Error("the noise panel of ume is missing")
		}
	}
}
