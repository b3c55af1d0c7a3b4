package pmr

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/nn"
)

func TestPMRPrototypes(t *testing.T) {
	z := nn.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 3, 2)
	acc := newPMRProtoAccum(3, 2)
	acc.add(z, []int{0, 0, 1})
	// Without momentum (first computation): class means; class 2 has no
	// sample and is zero.
	c := acc.prototypes(nil, 0.2)
	want := []float32{2, 3, 5, 6, 0, 0}
	for i := range want {
		if c.Data[i] != want[i] {
			t.Fatalf("prototypes = %v, want %v", c.Data, want)
		}
	}
	// With momentum 0.2: 0.8*mean + 0.2*old; class 2 keeps its old value.
	old := nn.FromSlice([]float32{0, 0, 10, 10, 1, 1}, 3, 2)
	c = acc.prototypes(old, 0.2)
	want = []float32{1.6, 2.4, 6, 6.8, 1, 1}
	for i := range want {
		if math.Abs(float64(c.Data[i]-want[i])) > 1e-6 {
			t.Fatalf("prototypes with momentum = %v, want %v", c.Data, want)
		}
	}
	// Momentum 0 with an old prototype is the plain mean.
	c = acc.prototypes(old, 0)
	want = []float32{2, 3, 5, 6, 1, 1}
	for i := range want {
		if c.Data[i] != want[i] {
			t.Fatalf("prototypes with momentum 0 = %v, want %v", c.Data, want)
		}
	}
}

func TestPMRDistancesAreEuclidean(t *testing.T) {
	z := nn.FromSlice([]float32{0, 0, 3, 5}, 2, 2)
	c := nn.FromSlice([]float32{3, 4, 0, 1}, 2, 2)
	d := pmrDistances(z, c)
	want := [][]float64{{5, 1}, {1, 5}}
	for i := range want {
		for k := range want[i] {
			if math.Abs(d[i][k]-want[i][k]) > 1e-12 {
				t.Fatalf("distances = %v, want %v", d, want)
			}
		}
	}
}

func TestPMRProtoCEValues(t *testing.T) {
	// d = [5, 1], similarities [-5, -1]: p_1 = 1/(1+e^-4).
	z := nn.FromSlice([]float32{0, 0}, 1, 2)
	c := nn.FromSlice([]float32{3, 4, 0, 1}, 2, 2)
	loss, score, _ := pmrProtoCE(z, c, []int{1})
	p1 := 1 / (1 + math.Exp(-4))
	if math.Abs(score-p1) > 1e-12 || math.Abs(loss+math.Log(p1)) > 1e-12 {
		t.Fatalf("loss, score = %v, %v; want %v, %v", loss, score, -math.Log(p1), p1)
	}
}

// pmrCheckGrad compares an analytic gradient with central differences.
func pmrCheckGrad(t *testing.T, name string, f func(z *nn.Tensor) (float64, *nn.Tensor)) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 5))
	z := nn.NewTensor(4, 3)
	for i := range z.Data {
		z.Data[i] = float32(rng.NormFloat64())
	}
	_, g := f(z)
	const h = 1e-2
	for i := range z.Data {
		v := z.Data[i]
		z.Data[i] = v + h
		lp, _ := f(z)
		z.Data[i] = v - h
		lm, _ := f(z)
		z.Data[i] = v
		num := (lp - lm) / (2 * h)
		if math.Abs(num-float64(g.Data[i])) > 1e-3*(1+math.Abs(num)) {
			t.Errorf("%s: dL/dz[%d] = %v, finite difference %v", name, i, g.Data[i], num)
		}
	}
}

func TestPMRGradients(t *testing.T) {
	c := nn.FromSlice([]float32{1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3)
	y := []int{0, 2, 1, 1}
	pmrCheckGrad(t, "prototype CE", func(z *nn.Tensor) (float64, *nn.Tensor) {
		l, _, g := pmrProtoCE(z, c, y)
		return l, g
	})
	pmrCheckGrad(t, "prototype entropy", func(z *nn.Tensor) (float64, *nn.Tensor) {
		return pmrProtoEntropy(z, c)
	})
}

func TestPMRZeroDistanceHasZeroGradient(t *testing.T) {
	z := nn.FromSlice([]float32{1, 0}, 1, 2)
	c := nn.FromSlice([]float32{1, 0, 0, 1}, 2, 2)
	_, _, g := pmrProtoCE(z, c, []int{1})
	// Only prototype 1 (distance sqrt 2) contributes: with d = [0, sqrt2],
	// p = softmax([0, -sqrt2]); dL/dsim_1 = p_1 - 1 and
	// dL/dz = -(p_1 - 1) (z - c_1)/sqrt2.
	p1 := math.Exp(-math.Sqrt2) / (1 + math.Exp(-math.Sqrt2))
	want := []float64{-(p1 - 1) * 1 / math.Sqrt2, -(p1 - 1) * -1 / math.Sqrt2}
	for i := range want {
		if math.IsNaN(float64(g.Data[i])) || math.Abs(float64(g.Data[i])-want[i]) > 1e-6 {
			t.Fatalf("gradient at a prototype = %v, want %v", g.Data, want)
		}
	}
}

func TestPMRCoefficients(t *testing.T) {
	cases := []struct {
		name    string
		scores  []float64
		scaling bool
		want    []float64
	}{
		{"audio stronger: visual gets the term", []float64{3, 1}, false, []float64{0, 2}},
		{"visual stronger: audio gets the term", []float64{1, 3}, false, []float64{2, 0}},
		{"equal: neither", []float64{2, 2}, false, []float64{0, 0}},
		{"paper ratio scaling", []float64{3, 1}, true, []float64{0, 4}},
		{"three modalities", []float64{3, 1, 3}, false, []float64{0, 2, 0}},
	}
	for _, c := range cases {
		got := pmrCoefficients(c.scores, 2, c.scaling)
		for m := range c.want {
			if math.Abs(got[m]-c.want[m]) > 1e-12 {
				t.Errorf("%s: coefficients %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}
