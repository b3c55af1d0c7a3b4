package mie

import (
	"github.com/miebench/miebench/methods/methodtest"
	"math"
	"testing"

	"github.com/miebench/miebench/nn"
)

func mieSAMParams() []*nn.Param {
	a := nn.NewParam("a", 2)
	copy(a.Value.Data, []float32{1, 1})
	copy(a.Grad.Data, []float32{3, 4}) // ||g_a|| = 5
	b := nn.NewParam("b", 2)
	copy(b.Value.Data, []float32{-1, 0.5})
	copy(b.Grad.Data, []float32{0, 2}) // ||g_b|| = 2
	z := nn.NewParam("z", 1)           // zero gradient: zero perturbation
	return []*nn.Param{a, b, z}
}

func TestMIESAMPerturb(t *testing.T) {
	const rho = 0.1
	s29 := math.Sqrt(29)
	cases := []struct {
		name      string
		perTensor bool
		want      [][]float64
	}{
		// eps_a = 0.1 (3, 4)/5, eps_b = 0.1 (0, 2)/2.
		{"per-tensor", true, [][]float64{{1.06, 1.08}, {-1, 0.6}, {0}}},
		// eps = 0.1 g / sqrt(29) for every tensor.
		{"global", false, [][]float64{{1 + 0.3/s29, 1 + 0.4/s29}, {-1, 0.5 + 0.2/s29}, {0}}},
	}
	for _, c := range cases {
		ps := mieSAMParams()
		orig, norm := mieSAMPerturb(ps, rho, c.perTensor)
		if !methodtest.Close(norm, s29, 1e-12) {
			t.Errorf("%s: gradient norm %v, want sqrt(29)", c.name, norm)
		}
		for i, p := range ps {
			for j, w := range c.want[i] {
				if math.Abs(float64(p.Value.Data[j])-w) > 1e-6 {
					t.Errorf("%s: %s[%d] = %v, want %v", c.name, p.Name, j, p.Value.Data[j], w)
				}
			}
		}
		mieSAMUndo(ps, orig)
		for i, p := range mieSAMParams() {
			for j, v := range p.Value.Data {
				if ps[i].Value.Data[j] != v {
					t.Errorf("%s: undo left %s[%d] = %v, want %v", c.name, p.Name, j, ps[i].Value.Data[j], v)
				}
			}
		}
	}
}
