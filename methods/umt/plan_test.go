package umt_test

import (
	"testing"

	"github.com/miebench/miebench/methods"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestPlanTimeChecks: what umt accepts and refuses before training.
func TestPlanTimeChecks(t *testing.T) {
	methodtest.CheckPlanCases(t, "umt", []methodtest.PlanCase{
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, OK: true},
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "film", Epochs: 20}, OK: true},
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "none", Epochs: 20}, OK: false},
		{Params: map[string]any{"teacher_epochs": 20}, Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, OK: false},
		{Params: map[string]any{"teacher_epochs": 19}, Plan: methods.PlanInfo{Modalities: []string{"a", "v", "t"}, Fusion: "concat", Epochs: 20}, OK: true},
		{Params: map[string]any{"lambda": -1.0}, Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, OK: false},
	})
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
	methodtest.EveryFusionTrains(t, "umt", "mse_m1")
}
