package ume_test

import (
	"testing"

	"github.com/miebench/miebench/bench"
	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestUMERaisesWeakModality checks the method's effect over 12 seeds: each
// modality is trained alone, so the weak modality's accuracy from its own
// head is well above its partial-logit accuracy under joint training, and
// the fused (averaged) prediction is not worse than the strong modality
// alone; the per-modality CEs are logged every epoch.
func TestUMERaisesWeakModality(t *testing.T) {
	got, _ := methodtest.RaisesWeakModality(t, methodtest.JointComparison{
		Method: "ume", Seeds: 12, Source: "head",
		Check: func(_ uint64, rec *bench.Record) {
			methodtest.LoggedEveryEpoch(t, rec, "ce_m0", "ce_m1")
		},
	})
	t.Logf("ume: fused %.3f strong %.3f", got.Fused, got.Strong)
	if !(got.Fused >= got.Strong) {
		t.Errorf("ume: ensemble accuracy %.3f is below its strong modality's %.3f", got.Fused, got.Strong)
	}
}
