package mmcosine_test

import (
	"testing"

	"github.com/miebench/miebench/methods"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestPlanTimeChecks: what mmcosine accepts and refuses before training.
func TestPlanTimeChecks(t *testing.T) {
	methodtest.CheckPlanCases(t, "mmcosine", []methodtest.PlanCase{
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, OK: true},
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "sum", Epochs: 20}, OK: false},
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "film", Epochs: 20}, OK: false},
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v", "t"}, Fusion: "concat", Epochs: 20}, OK: true},
		{Params: map[string]any{"scale": 0.0}, Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, OK: false},
	})
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
