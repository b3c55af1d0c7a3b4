package nn

import (
	"math"
	"testing"
)

// moments returns the mean and standard deviation of t's elements.
func moments(t *Tensor) (mean, std float64) {
	for _, v := range t.Data {
		mean += float64(v)
	}
	mean /= float64(len(t.Data))
	for _, v := range t.Data {
		std += (float64(v) - mean) * (float64(v) - mean)
	}
	return mean, math.Sqrt(std / float64(len(t.Data)))
}

func TestInitialisers(t *testing.T) {
	rng := newTestRNG(61)
	l := NewLinear("fc", 300, 100, rng)
	conv := NewConv2D("conv", 16, 32, 3, 3, 1, 1, true, rng)
	bn := NewBatchNorm2D("bn", 8)
	for _, tc := range []struct {
		name string
		t    *Tensor
		std  float64
	}{
		{"linear weight, Xavier normal sqrt(2/(in+out))", l.W.Value, math.Sqrt(2.0 / 400)},
		{"conv weight, Kaiming normal fan_out sqrt(2/(outC·kH·kW))", conv.W.Value, math.Sqrt(2.0 / (32 * 9))},
	} {
		mean, std := moments(tc.t)
		// With n ≥ 4608 draws, the sample std is within 3% and the mean
		// within 0.05 std with overwhelming probability.
		if math.Abs(std/tc.std-1) > 0.03 || math.Abs(mean) > 0.05*tc.std {
			t.Errorf("%s: mean %.4g std %.4g, want 0 and %.4g", tc.name, mean, std, tc.std)
		}
	}
	for _, z := range []*Tensor{l.B.Value, conv.B.Value, bn.Beta.Value, bn.RunningMean.Value} {
		for _, v := range z.Data {
			if v != 0 {
				t.Fatalf("bias or running mean not zero: %v", z.Data)
			}
		}
	}
	for _, o := range []*Tensor{bn.Gamma.Value, bn.RunningVar.Value} {
		for _, v := range o.Data {
			if v != 1 {
				t.Fatalf("batch-norm weight or running variance not one: %v", o.Data)
			}
		}
	}
	if bn.Momentum != 0.1 || bn.Eps != 1e-5 {
		t.Errorf("batch-norm momentum %g eps %g, want PyTorch's 0.1 and 1e-5", bn.Momentum, bn.Eps)
	}
}
