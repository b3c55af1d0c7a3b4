package report

import (
	"math"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
)

// The expected t, df and p values are computed by hand from the closed
// forms of Student's t CDF for 1, 2 and 4 degrees of freedom:
// F1(t) = 1/2 + atan(t)/π, F2(t) = 1/2 + t/(2√(2+t²)) and, with
// x = t²/(1+t²/4), F4(t) = 1/2 + (3/8)·(t/√(1+t²/4))·(1 − x/12).
func TestWelchAgainstHandComputedValues(t *testing.T) {
	const eps = 1e-9
	for _, tc := range []struct {
		name            string
		a, b            Cell
		lowerBetter     bool
		wantT, wantDF   float64
		wantP           float64
		wantSignificant bool
	}{
		{
			// a = {.9,.8,.85}, b = {.7,.8,.75}: v = .0025/3 each, t = .1/√(2v) = √6,
			// df = (2v)²/(2v²/2) = 4; F4(√6) = 1/2 + (3/8)(√6/√2.5)(1 − 2.4/12).
			name: "equal variances, df 4", a: Cell{Mean: 0.85, Std: 0.05, N: 3}, b: Cell{Mean: 0.75, Std: 0.05, N: 3},
			wantT: math.Sqrt(6), wantDF: 4, wantP: 0.5 - 0.375*math.Sqrt(6)/math.Sqrt(2.5)*0.8, wantSignificant: true,
		},
		{
			// a = {1, 3}: mean 2, s² = 2, v = 1; b without spread: df = n_a − 1 = 1,
			// t = 2; p = 1/2 − atan(2)/π ≈ 0.1476.
			name: "one spread-less sample, df 1", a: Cell{Mean: 2, Std: math.Sqrt2, N: 2}, b: Cell{Mean: 0, Std: 0, N: 4},
			wantT: 2, wantDF: 1, wantP: 0.5 - math.Atan(2)/math.Pi,
		},
		{
			// Gaps, lower is better: best a = 0.1 (s .1, n 3), b = 0.4 (s .1, n 3):
			// v = .01/3 each, t = .3/√(.02/3) = 3.674..., df 4 as above.
			name: "lower is better", a: Cell{Mean: 0.1, Std: 0.1, N: 3}, b: Cell{Mean: 0.4, Std: 0.1, N: 3}, lowerBetter: true,
			wantT: -0.3 / math.Sqrt(0.02/3), wantDF: 4,
			wantP: func() float64 {
				tt := 0.3 / math.Sqrt(0.02/3)
				x := tt * tt / (1 + tt*tt/4)
				return 0.5 - 0.375*tt/math.Sqrt(1+tt*tt/4)*(1-x/12)
			}(),
			wantSignificant: true,
		},
		{
			// n = 3 and 3 with s = .1 and .2, difference .05: v = .01/3, .04/3;
			// df = (.05/3)² / ((.01/3)²/2 + (.04/3)²/2) = 2·25/17 = 50/17.
			name: "unequal variances", a: Cell{Mean: 0.8, Std: 0.1, N: 3}, b: Cell{Mean: 0.75, Std: 0.2, N: 3},
			wantT: 0.05 / math.Sqrt(0.05/3), wantDF: 50.0 / 17,
			wantP: -1, // checked against the df-2 and df-4 bounds below
		},
	} {
		gotT, gotDF := welch(tc.a.Mean, tc.a.Std, tc.a.N, tc.b.Mean, tc.b.Std, tc.b.N)
		if math.Abs(gotT-math.Abs(tc.wantT)*sign(tc.a.Mean-tc.b.Mean)) > eps || math.Abs(gotDF-tc.wantDF) > eps {
			t.Errorf("%s: t %v df %v, want t %v df %v", tc.name, gotT, gotDF, tc.wantT, tc.wantDF)
		}
		p := pWorse(tc.a, tc.b, tc.lowerBetter)
		if tc.wantP >= 0 {
			if math.Abs(p-tc.wantP) > eps {
				t.Errorf("%s: p %v, want %v", tc.name, p, tc.wantP)
			}
			if (p < Alpha) != tc.wantSignificant {
				t.Errorf("%s: p %v significant %v, want %v", tc.name, p, p < Alpha, tc.wantSignificant)
			}
			continue
		}
		// df between 2 and 4: p lies between the df-4 and df-2 tails.
		tt := math.Abs(tc.wantT)
		p2 := 0.5 - tt/(2*math.Sqrt(2+tt*tt))
		x := tt * tt / (1 + tt*tt/4)
		p4 := 0.5 - 0.375*tt/math.Sqrt(1+tt*tt/4)*(1-x/12)
		if !(p4 < p && p < p2) {
			t.Errorf("%s: p %v outside (%v, %v)", tc.name, p, p4, p2)
		}
	}
	// Without spread: equal means are a tie, different ones significant.
	if p := pWorse(Cell{Mean: 0.5, N: 3}, Cell{Mean: 0.5, N: 3}, false); p != 1 {
		t.Errorf("identical spread-less samples: p %v, want 1", p)
	}
	if p := pWorse(Cell{Mean: 0.6, N: 3}, Cell{Mean: 0.5, N: 3}, false); p != 0 {
		t.Errorf("different spread-less samples: p %v, want 0", p)
	}
}

func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

func accRecords(label, ds string, accs ...float64) []*bench.Record {
	var out []*bench.Record
	for s, a := range accs {
		out = append(out, &bench.Record{ID: label + ds + string(rune('0'+s)), Label: label, Method: label, Dataset: ds,
			Seed: uint64(s), Status: "ok", Metrics: map[string]bench.Metrics{"test": {Acc: a}}})
	}
	return out
}

func TestBoldNotSignificantlyWorseAndRanks(t *testing.T) {
	var recs []*bench.Record
	recs = append(recs, accRecords("a", "d1", 0.85, 0.9, 0.8)...)  // best on d1
	recs = append(recs, accRecords("b", "d1", 0.8, 0.85, 0.75)...) // .05 lower, t = √1.5, df 4: p ≈ 0.144, bold
	recs = append(recs, accRecords("c", "d1", 0.75, 0.8, 0.7)...)  // the hand-computed p ≈ 0.035: not bold
	recs = append(recs, accRecords("x", "d1", 0.84)...)            // one seed: never tested
	recs = append(recs, accRecords("a", "d2", 0.5, 0.5)...)
	recs = append(recs, accRecords("b", "d2", 0.7, 0.7)...) // best on d2
	recs = append(recs, accRecords("c", "d2", 0.5, 0.5)...) // ties a
	tab, err := Build(recs, Options{Rows: []string{"a", "b", "c", "x"}, Datasets: []string{"d1", "d2"}})
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	for _, c := range tab.Columns {
		heads = append(heads, c.Header())
	}
	if got := strings.Join(heads, ","); got != "d1 Acc,d2 Acc,Avg. rank" {
		t.Fatalf("columns %s", got)
	}
	for _, tc := range []struct {
		row, col       int
		best, notWorse bool
		mean           float64
	}{
		{0, 0, true, false, 0.85},
		{1, 0, false, true, 0.8},
		{2, 0, false, false, 0.75},
		{3, 0, false, false, 0.84},
		{1, 1, true, false, 0.7},
		{0, 1, false, false, 0.5}, // no spread, lower: p = 0
		// Ranks: d1 a 1, x 2, b 3, c 4; d2 b 1, a and c 2.5.
		{0, 2, true, false, 1.75},
		{1, 2, false, false, 2},
		{2, 2, false, false, 3.25},
		{3, 2, false, false, 2},
	} {
		c := tab.Cells[tc.row][tc.col]
		if c.Best != tc.best || c.NotWorse != tc.notWorse || math.Abs(c.Mean-tc.mean) > 1e-12 {
			t.Errorf("cell %d,%d = %+v, want mean %v best %v not-worse %v", tc.row, tc.col, c, tc.mean, tc.best, tc.notWorse)
		}
	}
	if c := tab.Cells[3][2]; c.N != 1 || !math.IsNaN(c.P) {
		t.Errorf("x's rank: %+v, want 1 dataset and no test", c)
	}
	// b against a: t = .05/√(2·.0025/3) = √1.5, df 4.
	tt := math.Sqrt(1.5)
	want := 0.5 - 0.375*tt/math.Sqrt(1+tt*tt/4)*(1-tt*tt/(1+tt*tt/4)/12)
	if p := tab.Cells[1][0].P; math.Abs(p-want) > 1e-9 {
		t.Errorf("b's p value %v, want %v", p, want)
	}
	if !strings.Contains(strings.Join(tab.Notes, "\n"), "Avg. rank: the row's rank by Acc on each dataset") {
		t.Errorf("notes %q lack the rank note", tab.Notes)
	}
}

func TestRankColumnRenders(t *testing.T) {
	var recs []*bench.Record
	recs = append(recs, accRecords("a", "d1", 0.85, 0.9)...)
	recs = append(recs, accRecords("a", "d2", 0.5, 0.6)...)
	recs = append(recs, accRecords("b", "d1", 0.7, 0.72)...)
	tab, err := Build(recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for format, want := range map[string]string{
		"md":  "| a      | **87.50 ± 3.54** (2) | **55.00 ± 7.07** (2) | **1.00** (2) |",
		"tex": "a & \\textbf{87.50 $\\pm$ 3.54} (2) & \\textbf{55.00 $\\pm$ 7.07} (2) & \\textbf{1.00} (2) \\\\",
		"csv": "method,d1 Acc mean,d1 Acc std,d1 Acc n,d2 Acc mean,d2 Acc std,d2 Acc n,Avg. rank mean,Avg. rank std,Avg. rank n",
	} {
		var b strings.Builder
		if err := tab.Write(&b, format); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s lacks %q:\n%s", format, want, b.String())
		}
	}
}

func TestCostColumns(t *testing.T) {
	recs := accRecords("a", "d1", 0.8, 0.9)
	recs[0].Cost = &bench.Cost{Params: 2276, Steps: 78, TrainS: 1.5, EvalS: 0.25, StepsPerS: 52, PeakRSSMB: 80}
	recs[1].Cost = &bench.Cost{Params: 2276, Steps: 78, TrainS: 2.5, EvalS: 0.35, StepsPerS: 31.2, PeakRSSMB: 90}
	recs = append(recs, accRecords("b", "d1", 0.7)...) // a record without cost
	tab, err := Build(recs, Options{Metrics: []string{"acc", "params", "train_s", "peak_rss_mb"}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tab.Write(&b, "md"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"d1 Params", "d1 Train (s)", "d1 Peak RSS (MiB)", "| 2276 ± 0 (2) ", "| 2.00 ± 0.71 (2) ", "| 85 ± 7 (2) ", "Cost columns are measured"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	for j, c := range tab.Columns {
		if c.Kind == CostColumn && (tab.Cells[0][j].Bold() || tab.Cells[1][j].N != 0) {
			t.Errorf("cost column %s: %+v / %+v, want no bold and no value without a cost", c.Header(), tab.Cells[0][j], tab.Cells[1][j])
		}
	}
	if _, err := Build(recs, Options{Metrics: []string{"flops"}}); err == nil || !strings.Contains(err.Error(), "costs: params, steps") {
		t.Errorf("unknown column: %v", err)
	}
}
