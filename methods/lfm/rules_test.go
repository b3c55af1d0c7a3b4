package lfm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/methods/gradcheck"
	"github.com/miebench/miebench/nn"
)

func TestAlignmentValues(t *testing.T) {
	ln3 := float32(math.Log(3))
	// p = (0.5, 0.5), q = (0.75, 0.25), m = (0.625, 0.375).
	a := nn.FromSlice([]float32{0, 0}, 1, 2)
	b := nn.FromSlice([]float32{ln3, 0}, 1, 2)
	klMP := 0.625*math.Log(0.625/0.5) + 0.375*math.Log(0.375/0.5)
	klMQ := 0.625*math.Log(0.625/0.75) + 0.375*math.Log(0.375/0.25)
	klPM := 0.5*math.Log(0.5/0.625) + 0.5*math.Log(0.5/0.375)
	klQM := 0.75*math.Log(0.75/0.625) + 0.25*math.Log(0.25/0.375)
	cases := []struct {
		name  string
		paper bool
		want  float64
	}{
		{"released KL(m||.)", false, 0.5 * (klMP + klMQ)}, // 0.0348412
		{"paper JS", true, 0.5 * (klPM + klQM)},           // 0.0338221
	}
	for _, c := range cases {
		got, _, _, err := alignment(a, b, c.paper)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.want) > 1e-7 {
			t.Errorf("%s = %v, want %v", c.name, got, c.want)
		}
		same, da, _, _ := alignment(b, b, c.paper)
		if math.Abs(same) > 1e-12 || da.Data[0] != 0 {
			t.Errorf("%s of identical predictions = %v (gradient %v), want 0", c.name, same, da.Data)
		}
	}
	if _, _, _, err := alignment(a, nn.NewTensor(1, 3), false); err == nil {
		t.Error("alignment accepted logits of different widths")
	}
}

func TestAlignmentGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n, c := 3, 4
	for _, paper := range []bool{false, true} {
		a, b := nn.NewTensor(n, c), nn.NewTensor(n, c)
		for i := range a.Data {
			a.Data[i] = float32(rng.NormFloat64())
			b.Data[i] = float32(rng.NormFloat64())
		}
		_, da, db, _ := alignment(a, b, paper)
		f := func() float64 { v, _, _, _ := alignment(a, b, paper); return v }
		const h = 1e-3
		for _, x := range []struct {
			v, g *nn.Tensor
		}{{a, da}, {b, db}} {
			for i, num := range gradcheck.Numerical(x.v.Data, h, f) {
				if math.Abs(num-float64(x.g.Data[i])) > 1e-3 {
					t.Errorf("paper %v: gradient %d = %v, numerical %v", paper, i, x.g.Data[i], num)
				}
			}
		}
	}
}

func TestSchedule(t *testing.T) {
	cases := []struct {
		epoch int
		cls   float64
	}{{0, 0.204623704}, {10, 0.24775889655095}, {100, 0.5391551959999998}, {199, 0.9159887524162471}}
	for _, c := range cases {
		got := schedule(c.epoch)
		if math.Abs(got[0]-c.cls) > 1e-9 || math.Abs(got[0]+got[1]-1) > 1e-9 {
			t.Errorf("schedule(%d) = %v, want (%v, %v)", c.epoch, got, c.cls, 1-c.cls)
		}
	}
}

func TestLearnedStep(t *testing.T) {
	cases := []struct {
		name   string
		alpha  [2]float64
		lr     float64
		epoch  int
		g      float64
		want   [2]float64
		wantLR float64
	}{
		{"plain step", [2]float64{0.05, 0.95}, 1e-4, 0, 100, [2]float64{0.06, 0.94}, 1e-4},
		{"halved at 20", [2]float64{0.5, 0.5}, 1e-4, 20, 1000, [2]float64{0.55, 0.45}, 5e-5},
		{"not halved at 21", [2]float64{0.5, 0.5}, 1e-4, 21, 1000, [2]float64{0.6, 0.4}, 1e-4},
		{"clipped high", [2]float64{0.5, 0.5}, 1e-4, 1, -1e6, [2]float64{0.05, 0.95}, 1e-4},
		{"clipped low", [2]float64{0.5, 0.5}, 1e-4, 1, 1e6, [2]float64{0.95, 0.05}, 1e-4},
	}
	for _, c := range cases {
		got, lr := learnedStep(c.alpha, c.lr, c.epoch, c.g)
		if math.Abs(got[0]-c.want[0]) > 1e-12 || math.Abs(got[1]-c.want[1]) > 1e-12 || math.Abs(lr-c.wantLR) > 1e-18 {
			t.Errorf("%s: learnedStep = %v lr %v, want %v lr %v", c.name, got, lr, c.want, c.wantLR)
		}
	}
}

func TestHVPMeanOnQuadratic(t *testing.T) {
	// f = 0.5 x^T A x: grad = A x, so the central difference is exact:
	// A v = (2*1 + 1*(-1), 1*1 + 3*(-1)) = (1, -2), mean -0.5.
	grad := func(x []float64) []float32 {
		return []float32{float32(2*x[0] + x[1]), float32(x[0] + 3*x[1])}
	}
	x, v, r := []float64{0.3, -0.2}, []float64{1, -1}, 0.01
	plus := []float64{x[0] + r*v[0], x[1] + r*v[1]}
	minus := []float64{x[0] - r*v[0], x[1] - r*v[1]}
	got, err := hvpMean(grad(plus), grad(minus), r)
	if err != nil || math.Abs(got+0.5) > 1e-4 {
		t.Fatalf("hvpMean = %v, %v; want -0.5", got, err)
	}
	if _, err := hvpMean(nil, nil, r); err == nil {
		t.Fatal("hvpMean accepted empty gradients")
	}
}
