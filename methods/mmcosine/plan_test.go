package mmcosine_test

import (
	"testing"

	"github.com/miebench/miebench/methods"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestPlanTimeChecks: what mmcosine accepts and refuses before training.
func TestPlanTimeChecks(t *testing.T) {
	cases := []struct {
		params map[string]any
		plan   methods.PlanInfo
		ok     bool
	}{
		{nil, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, true},
		{nil, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "sum", Epochs: 20}, false},
		{nil, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "film", Epochs: 20}, false},
		{nil, methods.PlanInfo{Modalities: []string{"a", "v", "t"}, Fusion: "concat", Epochs: 20}, true},
		{map[string]any{"scale": 0.0}, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, false},
	}
	spec, err := methods.Lookup("mmcosine")
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
		{"scale": 15.0},
	} {
		methodtest.Conformance(t, "mmcosine", params)
	}
}
