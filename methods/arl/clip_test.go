package arl

import (
	"math"
	"testing"

	"github.com/miebench/miebench/nn"
)

func TestClipGradNorm(t *testing.T) {
	for _, c := range []struct {
		name    string
		grads   [][]float32
		max     float64
		norm    float64
		clipped bool
		want    [][]float32
	}{
		{"below", [][]float32{{3}, {4}}, 10, 5, false, [][]float32{{3}, {4}}},
		{"above", [][]float32{{3}, {4}}, 1, 5, true, [][]float32{{0.6}, {0.8}}},
		{"off", [][]float32{{30}, {40}}, 0, 50, false, [][]float32{{30}, {40}}},
	} {
		var ps []*nn.Param
		for _, g := range c.grads {
			p := nn.NewParam("p", len(g))
			copy(p.Grad.Data, g)
			ps = append(ps, p)
		}
		norm, clipped := clipGradNorm(ps, c.max)
		if math.Abs(norm-c.norm) > 1e-9 || clipped != c.clipped {
			t.Errorf("%s: norm %v clipped %v, want %v %v", c.name, norm, clipped, c.norm, c.clipped)
		}
		for i, p := range ps {
			for j, v := range p.Grad.Data {
				if math.Abs(float64(v-c.want[i][j])) > 1e-6 {
					t.Errorf("%s: grad[%d][%d] = %v, want %v", c.name, i, j, v, c.want[i][j])
				}
			}
		}
	}
}
