package mbsd_test

import (
	"testing"

	"github.com/miebench/miebench/bench"
	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestMBSDRaisesWeakModality checks the method's effect over 12 seeds: with
// its own CE and the distillation towards the other modality, the weak
// modality's partial-logit test accuracy is higher than under joint
// training; the terms are logged every epoch.
func TestMBSDRaisesWeakModality(t *testing.T) {
	methodtest.RaisesWeakModality(t, methodtest.JointComparison{
		Method: "mbsd", Seeds: 12, Source: "partial",
		Check: func(_ uint64, rec *bench.Record) {
			methodtest.LoggedEveryEpoch(t, rec, "ce_m0", "ce_m1", "kl", "rs", "w")
		},
	})
}
