package gblending

import (
	"math"
	"testing"
)

func TestWeights(t *testing.T) {
	cases := []struct {
		name     string
		ws       []Window
		want     []float64
		fallback bool
	}{
		{
			// Branch 0: dG = 0.8-1.0 = -0.2, dO = (0.8-0.4)-(1.0-0.9) = 0.3,
			// raw 0.2/0.09 = 2.2222. Branch 1: dG = -0.5,
			// dO = (0.5-0.0)-(1.0-1.0) = 0.5, raw 0.5/0.25 = 2. Branch 2
			// (fused): dG = -0.1, dO = (0.9-0.7)-(1.0-0.9) = 0.1, raw
			// 0.1/0.01 = 10. Total 14.2222: weights 0.15625, 0.140625, 0.703125.
			"three branches",
			[]Window{
				{TrainPre: 0.9, ValPre: 1.0, TrainNow: 0.4, ValNow: 0.8},
				{TrainPre: 1.0, ValPre: 1.0, TrainNow: 0.0, ValNow: 0.5},
				{TrainPre: 0.9, ValPre: 1.0, TrainNow: 0.7, ValNow: 0.9},
			},
			[]float64{0.15625, 0.140625, 0.703125},
			false,
		},
		{
			// A worsening validation loss counts by its magnitude (|dG|).
			"abs of the gain",
			[]Window{
				{TrainPre: 1, ValPre: 1, TrainNow: 0.5, ValNow: 1.5}, // dG 0.5, dO 1 -> 0.5
				{TrainPre: 1, ValPre: 1, TrainNow: 0.5, ValNow: 0.5}, // dG -0.5, dO 0 -> Inf
			},
			[]float64{0, 1}, true,
		},
		{
			"no gain anywhere",
			[]Window{{1, 1, 0.5, 1}, {1, 1, 0.2, 1}},
			[]float64{0.5, 0.5}, true,
		},
	}
	for _, c := range cases {
		got, fb, err := weights(c.ws)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if fb != c.fallback {
			t.Errorf("%s: fallback %v, want %v", c.name, fb, c.fallback)
		}
		var sum float64
		for k := range got {
			sum += got[k]
			if math.Abs(got[k]-c.want[k]) > 1e-9 {
				t.Errorf("%s: weight %d = %v, want %v", c.name, k, got[k], c.want[k])
			}
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("%s: weights sum to %v", c.name, sum)
		}
	}
	if _, _, err := weights(nil); err == nil {
		t.Error("weights accepted no branch")
	}
	if _, _, err := weights([]Window{{TrainPre: math.NaN()}}); err == nil {
		t.Error("weights accepted a NaN loss")
	}
}
