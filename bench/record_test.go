package bench

import (
	"encoding/json"
	"testing"
)

func TestComparableDropsMeasurementsOnly(t *testing.T) {
	base := func() *Record {
		return &Record{ID: "x", Status: "ok", ElapsedS: 3, Metrics: map[string]Metrics{"test": {Acc: 0.5}},
			Table: &TableLayout{Metrics: []string{"acc"}},
			Cost:  &Cost{Params: 100, Steps: 10, TrainS: 1.5, EvalS: 0.5, StepsPerS: 6.67, PeakRSSMB: 80}}
	}
	same := func(a, b *Record) bool {
		x, _ := json.Marshal(a.Comparable())
		y, _ := json.Marshal(b.Comparable())
		return string(x) == string(y)
	}
	for _, tc := range []struct {
		name   string
		change func(r *Record)
		same   bool
	}{
		{"elapsed time", func(r *Record) { r.ElapsedS = 9 }, true},
		{"wall times, rate and memory", func(r *Record) { r.Cost.TrainS, r.Cost.EvalS, r.Cost.StepsPerS, r.Cost.PeakRSSMB = 9, 9, 9, 9 }, true},
		{"table layout", func(r *Record) { r.Table = &TableLayout{Gap: true} }, true},
		{"parameter count", func(r *Record) { r.Cost.Params = 101 }, false},
		{"steps", func(r *Record) { r.Cost.Steps = 11 }, false},
		{"no cost", func(r *Record) { r.Cost = nil }, false},
		{"a metric", func(r *Record) { r.Metrics["test"] = Metrics{Acc: 0.6} }, false},
	} {
		r := base()
		tc.change(r)
		if got := same(base(), r); got != tc.same {
			t.Errorf("%s changed: comparable-equal %v, want %v", tc.name, got, tc.same)
		}
	}
	r := base()
	_ = r.Comparable()
	if r.ElapsedS != 3 || r.Cost.TrainS != 1.5 || r.Table == nil {
		t.Error("Comparable modified its record")
	}
}
