package valuation_test

import (
	"testing"

	_ "github.com/miebench/miebench/datasets"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// TestValuationEnhancesWeakModality: over three seeds, both levels give
// the weak modality m1 more extra copies than m0 and raise its in-model
// accuracy above joint training's, the fused accuracy not worse.
func TestValuationEnhancesWeakModality(t *testing.T) {
	jw, jf := methodtest.WeakAccuracy(t, "joint", nil, 3)
	for _, level := range []string{"sample", "modality"} {
		params := map[string]any{"warmup": 2, "level": level}
		w, f := methodtest.WeakAccuracy(t, "sample-valuation", params, 3)
		var c0, c1 float64
		for seed := range uint64(3) {
			rec := methodtest.Train(t, methodtest.SyntheticSpec("sample-valuation", params, seed, 8, methodtest.Imbalanced(2), "concat"))
			for _, h := range rec.History {
				c0 += h.Method["copies_m0"].Mean
				c1 += h.Method["copies_m1"].Mean
			}
		}
		t.Logf("%s: m1 accuracy joint %.3f, valuation %.3f; fused joint %.3f, valuation %.3f; copies m0 %.0f, m1 %.0f", level, jw, w, jf, f, c0, c1)
		if c1 <= c0 {
			t.Errorf("%s: %v copies keeping m1, %v keeping m0: want more for the weak m1", level, c1, c0)
		}
		if w < jw+0.05 {
			t.Errorf("%s: m1 accuracy %.3f, want at least joint's %.3f + 0.05", level, w, jw)
		}
		if f < jf-0.03 {
			t.Errorf("%s: fused accuracy %.3f, want no worse than joint's %.3f - 0.03", level, f, jf)
		}
	}
}

// TestValuationAnyFusionAndThreeModalities: subsets are valued through a
// gated head too (per-modality accuracy then from the run loop's probe),
// and with three modalities every modality gets copies logged.
func TestValuationAnyFusionAndThreeModalities(t *testing.T) {
	rec := methodtest.Train(t, methodtest.SyntheticSpec("sample-valuation", map[string]any{"warmup": 1}, 2, 3, methodtest.Imbalanced(2), "gated"))
	if src := rec.Metrics["test"].ModalitySource["m1"]; src != "probe" {
		t.Errorf("gated: m1 accuracy source %q, want probe", src)
	}
	rec = methodtest.Train(t, methodtest.SyntheticSpec("sample-valuation", map[string]any{"warmup": 1}, 2, 3, methodtest.Imbalanced(3), "concat"))
	for _, m := range []string{"m0", "m1", "m2"} {
		if _, ok := rec.History[0].Method["copies_"+m]; !ok {
			t.Errorf("three modalities: no copies_%s logged", m)
		}
	}
	if n := rec.History[1].Method["epoch_samples"].Mean; n <= 400 {
		t.Errorf("epoch_samples %v, want more than the 400 training samples", n)
	}
}
