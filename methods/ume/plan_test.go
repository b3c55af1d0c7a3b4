package ume_test

import (
	"testing"

	"github.com/miebench/miebench/methods"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestPlanTimeChecks: what ume accepts and refuses before training.
func TestPlanTimeChecks(t *testing.T) {
	methodtest.CheckPlanCases(t, "ume", []methodtest.PlanCase{
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v"}, Fusion: "concat", Epochs: 20}, OK: true},
		{Plan: methods.PlanInfo{Modalities: []string{"a", "v", "t"}, Fusion: "none", Epochs: 20}, OK: true},
		{Plan: methods.PlanInfo{Modalities: []string{"a"}, Fusion: "concat", Epochs: 20}, OK: false},
	})
}
