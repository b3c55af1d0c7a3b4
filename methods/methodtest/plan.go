package methodtest

import (
	"testing"

	"github.com/miebench/miebench/methods"
)

// PlanCase is one plan-time check of a method: Params (nil: the
// defaults) resolved over the method's declared parameters and checked
// against Plan; OK says whether CheckPlan must accept them.
type PlanCase struct {
	Params map[string]any
	Plan   methods.PlanInfo
	OK     bool
}

// CheckPlanCases looks method up, resolves every case's Params (failing
// the test when the method is not registered or a parameter does not
// resolve) and reports an error for every case whose CheckPlan outcome is
// not the case's OK.
func CheckPlanCases(t *testing.T, method string, cases []PlanCase) {
	t.Helper()
	spec, err := methods.Lookup(method)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		h, err := methods.Resolve(spec.Params, c.Params)
		if err != nil {
			t.Fatalf("%s %v: %v", method, c.Params, err)
		}
		if err := spec.CheckPlan(h, c.Plan); (err == nil) != c.OK {
			t.Errorf("%s %v %+v: CheckPlan error %v, want ok=%v", method, c.Params, c.Plan, err, c.OK)
		}
	}
}

// EveryFusionTrains trains method with its defaults for 2 epochs on
// Imbalanced(2) with each fusion head (concat, sum, film, gated), reporting
// an error when nothing is logged under key in epoch 1, and then on
// Imbalanced(3) with a sum head; every run must finish with status ok.
func EveryFusionTrains(t *testing.T, method, key string) {
	t.Helper()
	for _, fusion := range []string{"concat", "sum", "film", "gated"} {
		rec := Train(t, SyntheticSpec(method, nil, 0, 2, Imbalanced(2), fusion))
		if rec.History[1].Method[key].N == 0 {
			t.Errorf("%s: nothing logged in epoch 1", fusion)
		}
	}
	Train(t, SyntheticSpec(method, nil, 0, 2, Imbalanced(3), "sum"))
}
