package umt_test

import (
	"testing"

	"github.com/miebench/miebench/methods"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestPlanTimeChecks: what umt accepts and refuses before training.
func TestPlanTimeChecks(t *testing.T) {
	cases := []struct {
		params map[string]any
		plan   methods.PlanInfo
		ok     bool
	}{
		{nil, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, true},
		{nil, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "film", Epochs: 20}, true},
		{nil, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "none", Epochs: 20}, false},
		{map[string]any{"teacher_epochs": 20}, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, false},
		{map[string]any{"teacher_epochs": 19}, methods.PlanInfo{Modalities: []string{"a", "v", "t"}, Fusion: "concat", Epochs: 20}, true},
		{map[string]any{"lambda": -1.0}, methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, false},
	}
	spec, err := methods.Lookup("umt")
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
		{"teacher_epochs": 1, "lambda": 1.0},
	} {
		methodtest.Conformance(t, "umt", params)
	}
}

// TestEveryFusionTrains: the rule zeroes features or distils encoder
// features, so it runs on every fusion head, with two and three
// modalities where the head allows.
func TestEveryFusionTrains(t *testing.T) {
	for _, fusion := range []string{"concat", "sum", "film", "gated"} {
		rec := methodtest.Train(t, methodtest.SyntheticSpec("umt", nil, 0, 2, methodtest.Imbalanced(2), fusion))
		if rec.History[1].Method["mse_m1"].N == 0 {
			t.Errorf("%s: nothing logged in epoch 1", fusion)
		}
	}
	methodtest.Train(t, methodtest.SyntheticSpec("umt", nil, 0, 2, methodtest.Imbalanced(3), "sum"))
}
