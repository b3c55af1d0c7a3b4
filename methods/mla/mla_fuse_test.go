package mla

import (
	"testing"

	"github.com/miebench/miebench/methods/permodal"
)

func TestMLAWeights(t *testing.T) {
	for _, c := range []struct {
		s    string
		m    int
		want []float64
		bad  bool
	}{
		{"", 2, []float64{0.55, 0.45}, false},
		{"", 4, []float64{0.25, 0.25, 0.25, 0.25}, false},
		{"0.3, 0.7", 2, []float64{0.3, 0.7}, false},
		{"1,2,3", 2, nil, true},
		{"a,b", 2, nil, true},
		{"-1,2", 2, nil, true},
		{"0,0", 2, nil, true},
		{"m1:0.2,m0:0.8", 2, []float64{0.8, 0.2}, false},
		{"m0:1", 2, nil, true},
	} {
		mods := []string{"m0", "m1", "m2", "m3"}[:c.m]
		var w []float64
		l, err := permodal.List{}.ConvertFrom(c.s)
		if err == nil {
			w, err = mlaWeights(l.(permodal.List), mods)
		}
		if c.bad {
			if err == nil {
				t.Errorf("weights %q for %d modalities: want an error", c.s, c.m)
			}
			continue
		}
		if err != nil {
			t.Errorf("weights %q for %d modalities: %v", c.s, c.m, err)
			continue
		}
		for i := range c.want {
			if w[i] != c.want[i] {
				t.Errorf("weights %q for %d modalities = %v, want %v", c.s, c.m, w, c.want)
				break
			}
		}
	}
}
