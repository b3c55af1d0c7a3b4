package mmcosine_test

import (
	"testing"

	"github.com/miebench/miebench/bench"
	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestMMCosineRaisesWeakModality checks the method's claim over 12 seeds:
// the weak modality's test accuracy from its own cosine term is higher
// than its partial-logit accuracy under joint training, and the true-class
// cosine terms of both modalities are logged every epoch.
func TestMMCosineRaisesWeakModality(t *testing.T) {
	methodtest.RaisesWeakModality(t, methodtest.JointComparison{
		Method: "mmcosine", Seeds: 12, Source: "partial",
		Check: func(_ uint64, rec *bench.Record) {
			methodtest.LoggedEveryEpoch(t, rec, "cos_y_m0", "cos_y_m1")
		},
	})
}
