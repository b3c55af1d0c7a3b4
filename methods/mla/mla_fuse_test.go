package mla

import (
	"testing"
)

func TestMLAParseWeights(t *testing.T) {
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
	} {
		w, err := mlaParseWeights(c.s, c.m)
		if c.bad {
			if err == nil {
				t.Errorf("mlaParseWeights(%q, %d): want an error", c.s, c.m)
			}
			continue
		}
		if err != nil {
			t.Errorf("mlaParseWeights(%q, %d): %v", c.s, c.m, err)
			continue
		}
		for i := range c.want {
			if w[i] != c.want[i] {
				t.Errorf("mlaParseWeights(%q, %d) = %v, want %v", c.s, c.m, w, c.want)
				break
			}
		}
	}
}
