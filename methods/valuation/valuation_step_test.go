package valuation

import (
	"testing"

	"github.com/miebench/miebench/methods/methodtest"
)

// TestCopyKeepsOneModality: rows that are copies keeping m0 give m1's
// encoder no gradient; the same batch as originals does.
func TestCopyKeepsOneModality(t *testing.T) {
	tests := []struct {
		name     string
		keep     []int
		wantGrad bool
	}{
		{"copies keeping m0", []int{0, 0}, false},
		{"originals", []int{-1, -1}, true},
		{"one original", []int{0, -1}, true},
	}
	for _, tt := range tests {
		v := &Valuation{Warmup: 1, FullValue: 2}
		r := methodtest.MLPRun(t, v, []int{4, 4}, 0, nil)
		b := methodtest.RandomBatch(2, 6, 7)
		b.Entry = []int{0, 0, 0, 1, 1, 1}
		v.keep = tt.keep
		if _, err := v.Step(r, b); err != nil {
			t.Fatal(err)
		}
		var norm float64
		for _, p := range r.Model.Encoders[1].Params() {
			for _, g := range p.Grad.Data {
				norm += float64(g * g)
			}
		}
		if (norm > 0) != tt.wantGrad {
			t.Errorf("%s: m1 encoder gradient norm^2 %v, want nonzero %v", tt.name, norm, tt.wantGrad)
		}
	}
}
