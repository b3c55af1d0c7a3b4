package mmcosine

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/methods/gradcheck"
	"github.com/miebench/miebench/nn"
)

func TestCosineLogits(t *testing.T) {
	cases := []struct {
		name  string
		z, w  []float32
		n, c  int
		d     int
		scale float64
		want  []float64
	}{
		// z = (3, 4) -> (0.6, 0.8); w rows (1, 0) and (0, 2) -> unit axes.
		{"unit axes", []float32{3, 4}, []float32{1, 0, 0, 2}, 1, 2, 2, 10, []float64{6, 8}},
		// Scale multiplies; a row opposite to z gives -scale.
		{"opposite row", []float32{1, 1}, []float32{-2, -2, 1, 0}, 1, 2, 2, 15, []float64{-15, 15 / math.Sqrt2}},
		// A zero feature stays zero (divided by eps, not by 0): logits 0.
		{"zero feature", []float32{0, 0}, []float32{1, 0, 0, 1}, 1, 2, 2, 10, []float64{0, 0}},
		// Two samples, magnitudes do not matter.
		{"scale invariance", []float32{1, 0, 100, 0}, []float32{5, 0, 0, 5}, 2, 2, 2, 10, []float64{10, 0, 10, 0}},
	}
	for _, c := range cases {
		k, err := newCosine(c.z, c.w, c.n, c.c, c.d, c.scale)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range c.want {
			if got := float64(k.logits.Data[i]); math.Abs(got-want) > 1e-5 {
				t.Errorf("%s: logit %d = %v, want %v", c.name, i, got, want)
			}
		}
	}
}

func TestCosineShapeError(t *testing.T) {
	if _, err := newCosine([]float32{1, 2, 3}, []float32{1, 0, 0, 1}, 1, 2, 2, 10); err == nil {
		t.Fatal("newCosine accepted 3 feature values for a 1 x 2 batch")
	}
}

// TestCosineGradient checks the analytic gradient of L = sum_ij g_ij *
// logits_ij against central differences in both z and w.
func TestCosineGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, c, d := 3, 4, 5
	z := make([]float32, n*d)
	w := make([]float32, c*d)
	g := make([]float32, n*c)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	for i := range w {
		w[i] = float32(rng.NormFloat64())
	}
	for i := range g {
		g[i] = float32(rng.NormFloat64())
	}
	loss := func(z, w []float32) float64 {
		k, err := newCosine(z, w, n, c, d, 10)
		if err != nil {
			t.Fatal(err)
		}
		var s float64
		for i, v := range k.logits.Data {
			s += float64(g[i]) * float64(v)
		}
		return s
	}
	k, _ := newCosine(z, w, n, c, d, 10)
	dz, dw := k.backward(g)
	const h = 1e-2
	check := func(name string, x []float32, grad []float64, f func() float64) {
		for i, num := range gradcheck.Numerical(x, h, f) {
			if math.Abs(num-grad[i]) > 2e-2*math.Max(1, math.Abs(num)) {
				t.Errorf("d%s[%d] = %v, numerical %v", name, i, grad[i], num)
			}
		}
	}
	check("z", z, dz, func() float64 { return loss(z, w) })
	check("w", w, dw, func() float64 { return loss(z, w) })
}

func TestHeadSumsModalityTerms(t *testing.T) {
	// W [2 classes, 2+1 columns]: audio slice columns 0-1, visual column 2.
	w := nn.NewParam("head.fc.weight", 2, 3)
	copy(w.Value.Data, []float32{1, 0, 1, 0, 1, -1})
	h, err := NewHead(w, []int{2, 1}, 10)
	if err != nil {
		t.Fatal(err)
	}
	za := nn.FromSlice([]float32{3, 4}, 1, 2)
	zv := nn.FromSlice([]float32{-2}, 1, 1)
	out := h.Forward([]*nn.Tensor{za, zv}, true)
	part := h.Partial([]*nn.Tensor{za, zv})
	// audio: (0.6, 0.8) . unit rows (1,0), (0,1) -> 6, 8;
	// visual: -1 against rows 1 and -1 -> -10, +10.
	want := []float64{-4, 18}
	wantA, wantV := []float64{6, 8}, []float64{-10, 10}
	for k := range want {
		if math.Abs(float64(out.Data[k])-want[k]) > 1e-5 ||
			math.Abs(float64(part[0].Data[k])-wantA[k]) > 1e-5 ||
			math.Abs(float64(part[1].Data[k])-wantV[k]) > 1e-5 {
			t.Fatalf("fused %v audio %v visual %v, want %v %v %v", out.Data, part[0].Data, part[1].Data, want, wantA, wantV)
		}
	}
	// The visual feature is 1-D: its unit vector is constant, so no
	// gradient flows to it; the weight gradient lands in W's columns.
	dz := h.Backward(nn.FromSlice([]float32{1, 0}, 1, 2))
	if dz[1].Data[0] != 0 {
		t.Fatalf("gradient of a 1-D feature = %v, want 0", dz[1].Data[0])
	}
	// d logit_0 / d za at za = (3,4) with w row (1,0): 10 * (e1 - u u.e1)/5
	// = 10 * ((1,0) - 0.6*(0.6,0.8))/5 = (1.28, -0.96).
	if math.Abs(float64(dz[0].Data[0])-1.28) > 1e-5 || math.Abs(float64(dz[0].Data[1])+0.96) > 1e-5 {
		t.Fatalf("audio feature gradient = %v, want [1.28 -0.96]", dz[0].Data)
	}
	if w.Grad.Data[1] == 0 {
		t.Fatalf("weight gradient not accumulated: %v", w.Grad.Data)
	}
}

func TestNewHeadRejectsWidth(t *testing.T) {
	w := nn.NewParam("head.fc.weight", 2, 3)
	if _, err := NewHead(w, []int{2, 2}, 10); err == nil {
		t.Fatal("NewHead accepted a weight of width 3 for features 2+2")
	}
}
