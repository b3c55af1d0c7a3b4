package latefusion

import (
	"math"
	"testing"

	"github.com/miebench/miebench/nn"
)

func close(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

func TestWeighted(t *testing.T) {
	ln3 := float32(math.Log(3))
	// Sample 0: audio confident (3/4, 1/4), visual uniform; sample 1 the
	// other way round. Batch-mean entropies are equal, so dynamic-batch
	// weighs 1/2 each; per sample the confident modality weighs more.
	a := nn.FromSlice([]float32{ln3, 0, 0, 0}, 2, 2)
	v := nn.FromSlice([]float32{0, 0, 0, ln3}, 2, 2)
	hc := -(0.75*math.Log(0.75) + 0.25*math.Log(0.25))
	wc := math.Exp(-hc) / (math.Exp(-hc) + math.Exp(-math.Ln2)) // confident modality's weight
	cases := []struct {
		mode string
		want []float64
	}{
		{Fixed, []float64{0.55 * float64(ln3), 0, 0, 0.45 * float64(ln3)}},
		{DynamicBatch, []float64{0.5 * float64(ln3), 0, 0, 0.5 * float64(ln3)}},
		{DynamicSample, []float64{wc * float64(ln3), 0, 0, wc * float64(ln3)}},
	}
	for _, c := range cases {
		f, err := Weighted([]*nn.Tensor{a, v}, c.mode, []float64{0.55, 0.45})
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range c.want {
			if !close(float64(f.Data[i]), w, 1e-6) {
				t.Errorf("%s: fused[%d] = %v, want %v", c.mode, i, f.Data[i], w)
			}
		}
	}
	for _, bad := range []struct {
		mode    string
		weights []float64
	}{{"vote", nil}, {Fixed, []float64{1}}} {
		if _, err := Weighted([]*nn.Tensor{a, v}, bad.mode, bad.weights); err == nil {
			t.Errorf("mode %q with weights %v: want an error", bad.mode, bad.weights)
		}
	}
}

func TestMeanSoftmaxLog(t *testing.T) {
	ln3 := float32(math.Log(3))
	// softmax (3/4, 1/4) and (1/2, 1/2) average to (5/8, 3/8).
	a := nn.FromSlice([]float32{ln3, 0}, 1, 2)
	v := nn.FromSlice([]float32{0, 0}, 1, 2)
	f := MeanSoftmaxLog([]*nn.Tensor{a, v})
	for i, want := range []float64{5.0 / 8, 3.0 / 8} {
		if got := math.Exp(float64(f.Data[i])); !close(got, want, 1e-6) {
			t.Errorf("exp(fused[%d]) = %v, want %v", i, got, want)
		}
	}
}
