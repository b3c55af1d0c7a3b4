package cml_test

import (
	"testing"

	"github.com/miebench/miebench/methods"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestPlanTimeChecks: what cml accepts and refuses before training.
func TestPlanTimeChecks(t *testing.T) {
	methodtest.CheckPlanCases(t, "cml", []methodtest.PlanCase{
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, OK: true},
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "gated", Epochs: 20}, OK: true},
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v", "t"}, Fusion: "sum", Epochs: 20}, OK: true},
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "none", Epochs: 20}, OK: false},
		{Plan: methods.PlanInfo{Modalities: []string{"a"}, Fusion: "concat", Epochs: 20}, OK: false},
		{Params: map[string]any{"lambda": -1.0}, Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, OK: false},
	})
}

// TestConformanceOfSwitches runs the conformance suite with the switches
// and non-default settings (the defaults are covered in methods/all).
func TestConformanceOfSwitches(t *testing.T) {
	for _, params := range []map[string]any{
		{"per_sample_hinge": true, "resample_per_batch": true},
	} {
		methodtest.Conformance(t, "cml", params)
	}
}

// TestEveryFusionTrains: the rule zeroes features or distils encoder
// features, so it runs on every fusion head, with two and three
// modalities where the head allows.
func TestEveryFusionTrains(t *testing.T) {
	methodtest.EveryFusionTrains(t, "cml", "hinge")
}
