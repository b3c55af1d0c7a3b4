package amco_test

import (
	"testing"

	"github.com/miebench/miebench/methods"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestPlanTimeChecks: what amco accepts and refuses before training.
func TestPlanTimeChecks(t *testing.T) {
	methodtest.CheckPlanCases(t, "amco", []methodtest.PlanCase{
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, OK: true},
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v", "t"}, Fusion: "sum", Epochs: 20}, OK: true},
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "gated", Epochs: 20}, OK: false},
		{Params: map[string]any{"sigma": 1.5}, Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, OK: false},
		{Params: map[string]any{"eps": 0.0}, Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, OK: false},
	})
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
