package lfm_test

import (
	"testing"

	"github.com/miebench/miebench/methods"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestPlanTimeChecks: what lfm accepts and refuses before training.
func TestPlanTimeChecks(t *testing.T) {
	cases := []struct {
		params map[string]any
		plan   methods.PlanInfo
		ok     bool
	}{
		{nil, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, true},
		{nil, methods.PlanInfo{Modalities: []string{"a", "v", "t"}, Fusion: "sum", Epochs: 20}, true},
		{nil, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "gated", Epochs: 20}, false},
		{map[string]any{"weights": "fitted"}, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, false},
		{map[string]any{"init_align": 0.99}, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, false},
		{map[string]any{"held_out": 0}, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, false},
	}
	spec, err := methods.Lookup("lfm")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		h, err := methods.Resolve(spec.Params, c.params)
		if err != nil {
			t.Fatal(err)
		}
		if err := spec.CheckPlan(h, c.plan); (err == nil) != c.ok {
			t.Errorf("%v %+v: CheckPlan error %v, want ok=%v", c.params, c.plan, err, c.ok)
		}
	}
}

// TestConformanceOfSwitches runs the conformance suite with the switches
// and non-default settings (the defaults are covered in methods/all).
func TestConformanceOfSwitches(t *testing.T) {
	for _, params := range []map[string]any{
		{"weights": "learned"},
		{"paper_js": true, "ce_on_sum": true},
	} {
		methodtest.Conformance(t, "lfm", params)
	}
}
