package mmcosine_test

import (
	"testing"

	"github.com/miebench/miebench/methods"
	_ "github.com/miebench/miebench/methods/all"
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
