package amco_test

import (
	"testing"

	"github.com/miebench/miebench/methods"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestPlanTimeChecks: what amco accepts and refuses before training.
func TestPlanTimeChecks(t *testing.T) {
	cases := []struct {
		params map[string]any
		plan   methods.PlanInfo
		ok     bool
	}{
		{nil, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, true},
		{nil, methods.PlanInfo{Modalities: []string{"a", "v", "t"}, Fusion: "sum", Epochs: 20}, true},
		{nil, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "gated", Epochs: 20}, false},
		{map[string]any{"sigma": 1.5}, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, false},
		{map[string]any{"eps": 0.0}, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, false},
	}
	spec, err := methods.Lookup("amco")
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
		{"sigma": 0.3, "eps": 1.0},
	} {
		methodtest.Conformance(t, "amco", params)
	}
}
