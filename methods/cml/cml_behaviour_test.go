package cml_test

import (
	"testing"

	"github.com/miebench/miebench/bench"
	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestCMLRaisesWeakModality checks the method's effect over 12 seeds: the
// reduced outputs train each modality to predict through the head alone,
// so the weak modality's partial-logit test accuracy is higher than under
// joint training; the hinge and the CE terms are logged every epoch.
func TestCMLRaisesWeakModality(t *testing.T) {
	methodtest.RaisesWeakModality(t, methodtest.JointComparison{
		Method: "cml", Seeds: 12, Source: "partial",
		Check: func(_ uint64, rec *bench.Record) {
			methodtest.LoggedEveryEpoch(t, rec, "ce_full", "ce_reduced", "hinge", "removed_m0", "removed_m1")
		},
	})
}
