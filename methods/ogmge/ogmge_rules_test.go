package ogmge

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestOGMCoefficients(t *testing.T) {
	kTanh16 := 1 - 0.9216685544064713 // 1 - tanh(1.6)
	kTanh08 := 1 - 0.664036770267849  // 1 - tanh(0.8)
	cases := []struct {
		name          string
		scores        []float64
		alpha, offset float64
		k, ratio      []float64
	}{
		{"visual stronger", []float64{2, 4}, 0.8, 0, []float64{1, kTanh16}, []float64{1, 2}},
		{"audio stronger", []float64{4, 2}, 0.8, 0, []float64{kTanh16, 1}, []float64{2, 1}},
		// At ratio exactly 1 the released else-branch suppresses audio by
		// 1 - tanh(alpha * 1).
		{"ratio exactly 1", []float64{3, 3}, 0.8, 0, []float64{kTanh08, 1}, []float64{1, 1}},
		{"paper offset, ratio 2", []float64{2, 4}, 0.8, 1, []float64{1, kTanh08}, []float64{1, 2}},
		{"paper offset, ratio 1", []float64{3, 3}, 0.8, 1, []float64{1, 1}, []float64{1, 1}},
		{"paper offset, ratio 0.5", []float64{4, 2}, 0.8, 1, []float64{kTanh08, 1}, []float64{2, 1}},
		{"three modalities", []float64{1, 2, 4}, 0.5, 0,
			[]float64{1, 1 - 0.7615941559557649, 1 - 0.9640275800758169}, []float64{1, 2, 4}},
		{"zero weakest score", []float64{0, 1}, 0.8, 0, []float64{1, 0}, []float64{1, math.Inf(1)}},
		{"all zero", []float64{0, 0}, 0.8, 0, []float64{1, 1}, []float64{1, 1}},
	}
	for _, c := range cases {
		k, ratio := ogmCoefficients(c.scores, c.alpha, c.offset)
		for m := range c.k {
			if math.Abs(k[m]-c.k[m]) > 1e-12 || !(ratio[m] == c.ratio[m] || math.Abs(ratio[m]-c.ratio[m]) < 1e-12) {
				t.Errorf("%s: modality %d: k = %v ratio = %v, want k = %v ratio = %v", c.name, m, k[m], ratio[m], c.k[m], c.ratio[m])
			}
		}
	}
}

func TestOGMStd(t *testing.T) {
	// mean 2.5, sum of squared deviations 5, unbiased variance 5/3.
	if got, want := ogmStd([]float32{1, 2, 3, 4}), math.Sqrt(5.0/3); math.Abs(got-want) > 1e-12 {
		t.Fatalf("ogmStd = %v, want %v", got, want)
	}
	if got := ogmStd([]float32{7}); got != 0 {
		t.Fatalf("ogmStd of one element = %v, want 0", got)
	}
}

func TestOGMModulateWithoutNoise(t *testing.T) {
	g := []float32{1, 2, 3, 4}
	ogmModulate(g, 0.5, false, nil)
	want := []float32{0.5, 1, 1.5, 2}
	for i := range g {
		if g[i] != want[i] {
			t.Fatalf("g = %v, want %v", g, want)
		}
	}
}

func TestOGMModulateNoiseUsesUnmodulatedStd(t *testing.T) {
	for _, k := range []float64{0, 0.25, 1} {
		g := []float32{1, 2, 3, 4}
		ogmModulate(g, k, true, rand.New(rand.NewPCG(7, 11)))
		// The same stream drawn by hand: noise std is the std of the
		// original gradient (sqrt(5/3) + 1e-8) whatever k is; with k = 0 a
		// rule using the modulated gradient's std would add no noise.
		z := rand.New(rand.NewPCG(7, 11))
		sigma := math.Sqrt(5.0/3) + 1e-8
		for i, v := range []float64{1, 2, 3, 4} {
			want := float32(k*v + sigma*z.NormFloat64())
			if g[i] != want {
				t.Fatalf("k=%v: g[%d] = %v, want %v", k, i, g[i], want)
			}
		}
	}
}
