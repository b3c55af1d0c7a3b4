package bench

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

const searchSuite = `name: s
seeds: [0, 1]
datasets:
  - name: t-ds
methods:
  - name: t-joint
  - name: t-ogm
    params: {on: [false, true]}
    search: {alpha: {log_uniform: [0.05, 2.0]}, beta: {int_uniform: [1, 5]}}
    trials: 3
train: {epochs: 2, batch_size: 8, lr: 0.1}
model:
  encoders: {m0: {kind: mlp, dim: 4}, m1: {kind: mlp, dim: 4}}
`

func TestSearchPlan(t *testing.T) {
	runs := planOf(t, searchSuite)
	// 2 joint runs; t-ogm: 2 grid points x 3 trials x 2 seeds.
	if len(runs) != 2+2*3*2 {
		t.Fatalf("%d runs", len(runs))
	}
	var got []string
	ids := map[string]bool{}
	for _, r := range runs[2:] {
		ids[r.ID()] = true
		if r.Search == nil || r.Search.Trials != 3 || r.Params["alpha"] != r.Search.Values["alpha"] || r.Params["beta"] != r.Search.Values["beta"] {
			t.Fatalf("run %s: search %+v params %v", r.Label, r.Search, r.Params)
		}
		a, b := r.Params["alpha"].(float64), r.Params["beta"].(int)
		if a < 0.05 || a > 2 || b < 1 || b > 5 || a != round4(a) {
			t.Errorf("sampled alpha %v beta %v outside the distributions or unrounded", a, b)
		}
		got = append(got, fmt.Sprintf("%s/t%d/s%d", r.Label, r.Search.Trial, r.Seed))
	}
	want := []string{
		"t-ogm(on=false)/t0/s0", "t-ogm(on=false)/t0/s1", "t-ogm(on=false)/t1/s0", "t-ogm(on=false)/t1/s1", "t-ogm(on=false)/t2/s0", "t-ogm(on=false)/t2/s1",
		"t-ogm(on=true)/t0/s0", "t-ogm(on=true)/t0/s1", "t-ogm(on=true)/t1/s0", "t-ogm(on=true)/t1/s1", "t-ogm(on=true)/t2/s0", "t-ogm(on=true)/t2/s1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("plan order\n got %v\nwant %v", got, want)
	}
	if len(ids) != 12 {
		t.Errorf("%d distinct ids of 12 runs", len(ids))
	}
	// Both grid points share the trials; the plan is the same every time;
	// more trials keep the first ones.
	if runs[2].Search.Values["alpha"] != runs[8].Search.Values["alpha"] {
		t.Errorf("grid points sampled different trials: %v vs %v", runs[2].Search.Values, runs[8].Search.Values)
	}
	again := planOf(t, searchSuite)
	for i := range runs {
		if runs[i].ID() != again[i].ID() {
			t.Fatalf("run %d: the plan is not deterministic", i)
		}
	}
	more := planOf(t, searchSuite, "methods.1.trials=5")
	if len(more) != 2+2*5*2 || more[2].ID() != runs[2].ID() || more[4].ID() != runs[4].ID() {
		t.Errorf("5 trials do not start with the 3 trials' runs")
	}
	other := planOf(t, strings.Replace(searchSuite, "name: s\n", "name: s2\n", 1))
	if other[2].Params["alpha"] == runs[2].Params["alpha"] {
		t.Errorf("another suite sampled the same alpha %v", runs[2].Params["alpha"])
	}
	s, err := ParseSuite("t.yaml", []byte(searchSuite), nil)
	if err != nil {
		t.Fatal(err)
	}
	if l := s.Labels(); strings.Join(l, ",") != "t-joint,t-ogm(on=false),t-ogm(on=true)" {
		t.Errorf("labels %v", l)
	}
}

func TestSearchDistributions(t *testing.T) {
	// Many trials: every distribution stays in range and covers it.
	m := SuiteMethod{Name: "t-ogm", Trials: 400, Search: map[string]SearchDist{
		"u": {Uniform: []float64{0.2, 0.6}}, "l": {LogUniform: []float64{0.05, 2}},
		"i": {IntUniform: []int{1, 5}}, "c": {Choice: []any{10, 15}},
	}}
	trials, err := m.SampleTrials("x")
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := map[string]float64{}, map[string]float64{}
	seen := map[string]map[any]bool{"i": {}, "c": {}}
	belowGeoMean := 0
	for _, tr := range trials {
		for k, v := range tr {
			f, _ := v.(float64)
			if i, ok := v.(int); ok {
				f = float64(i)
				seen[k][i] = true
			}
			if _, ok := lo[k]; !ok {
				lo[k], hi[k] = f, f
			}
			lo[k], hi[k] = math.Min(lo[k], f), math.Max(hi[k], f)
		}
		if tr["l"].(float64) < math.Sqrt(0.05*2) {
			belowGeoMean++
		}
	}
	if lo["u"] < 0.2 || hi["u"] > 0.6 || hi["u"]-lo["u"] < 0.35 || lo["l"] < 0.05 || hi["l"] > 2 || lo["l"] > 0.1 || hi["l"] < 1.5 {
		t.Errorf("ranges: u [%v, %v], l [%v, %v]", lo["u"], hi["u"], lo["l"], hi["l"])
	}
	if len(seen["i"]) != 5 || !seen["c"][10] || !seen["c"][15] || len(seen["c"]) != 2 {
		t.Errorf("integers %v, choices %v", seen["i"], seen["c"])
	}
	// Log-uniform: half the mass below the geometric mean of the bounds.
	if belowGeoMean < 160 || belowGeoMean > 240 {
		t.Errorf("%d of 400 log-uniform samples below the geometric mean", belowGeoMean)
	}
}

func TestSearchErrors(t *testing.T) {
	for _, tc := range []struct {
		edit, want string
	}{
		{"trials: 3", "t.yaml:7: key \"methods.1.trials\": a search needs trials >= 1, got 0"},
		{"alpha: {log_uniform: [0.05, 2.0]}", "log_uniform wants [lo, hi] with 0 < lo < hi, got [0 2]"},
		{"beta: {int_uniform: [1, 5]}", "want exactly one of uniform, log_uniform, int_uniform, choice, got 2"},
		{"params: {on: [false, true]}", "\"alpha\" is both searched and set in params"},
		{"search: {alpha: {log_uniform: [0.05, 2.0]}, beta: {int_uniform: [1, 5]}}", "trials without a search: block"},
		{"alpha: {log_uniform", "key \"methods.1.search.gamma\": method t-ogm: unknown"},
	} {
		var text string
		switch tc.edit {
		case "trials: 3":
			text = strings.Replace(searchSuite, "    trials: 3\n", "", 1)
		case "alpha: {log_uniform: [0.05, 2.0]}":
			text = strings.Replace(searchSuite, "[0.05, 2.0]", "[0, 2.0]", 1)
		case "beta: {int_uniform: [1, 5]}":
			text = strings.Replace(searchSuite, "{int_uniform: [1, 5]}", "{int_uniform: [1, 5], choice: [1]}", 1)
		case "params: {on: [false, true]}":
			text = strings.Replace(searchSuite, "params: {on: [false, true]}", "params: {alpha: 0.3}", 1)
		case "search: {alpha: {log_uniform: [0.05, 2.0]}, beta: {int_uniform: [1, 5]}}":
			text = strings.Replace(searchSuite, "    search: {alpha: {log_uniform: [0.05, 2.0]}, beta: {int_uniform: [1, 5]}}\n", "", 1)
		default:
			text = strings.Replace(searchSuite, "beta: {int_uniform", "gamma: {int_uniform", 1)
		}
		s, err := ParseSuite("t.yaml", []byte(text), nil)
		if err == nil {
			_, err = s.Plan(nil)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.edit, err, tc.want)
		}
	}
}
