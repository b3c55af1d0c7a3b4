package amss

import (
	"github.com/miebench/miebench/methods/methodtest"
	"github.com/miebench/miebench/methods/modulation"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/miebench/miebench/nn"
)

func TestAMSSLabelTerm(t *testing.T) {
	cases := []struct {
		y       []int
		classes int
		want    float64
	}{
		// p = [.5, .5]: softmax uniform, HY = ln 2.
		{[]int{0, 0, 1, 1}, 2, math.Ln2},
		// p = [.75, .25]: HY = log(e^.75 + e^.25) - (.75^2 + .25^2).
		{[]int{0, 0, 0, 1}, 2, math.Log(math.Exp(.75)+math.Exp(.25)) - 0.625},
		// p = [1, 0 x 9]: HY = log(e + 9) - 1 = 1.46..., not the label entropy 0.
		{[]int{0, 0}, 10, math.Log(math.E+9) - 1},
	}
	for _, c := range cases {
		if got := amssLabelTerm(c.y, c.classes); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("amssLabelTerm(%v, %d) = %v, want %v", c.y, c.classes, got, c.want)
		}
	}
}

func TestAMSSFeatureEntropyAndScore(t *testing.T) {
	z := nn.FromSlice([]float32{0, 0, 0, 0}, 1, 4)
	if got := amssFeatureEntropy(z); math.Abs(got-math.Log(4)) > 1e-6 {
		t.Errorf("entropy of a uniform feature row = %v, want ln 4", got)
	}
	// Rows [0, ln3] (p = .25, .75) and [0, 0] (ln 2): mean of the two.
	z = nn.FromSlice([]float32{0, float32(math.Log(3)), 0, 0}, 2, 2)
	h1 := -(.25*math.Log(.25) + .75*math.Log(.75))
	if got, want := amssFeatureEntropy(z), (h1+math.Ln2)/2; math.Abs(got-want) > 1e-6 {
		t.Errorf("feature entropy = %v, want %v", got, want)
	}
	// score = -mean CE: labels 1 and 0 -> (ln .75 + ln .5)/2.
	if got, want := amssScore(z, []int{1, 0}), (math.Log(.75)+math.Log(.5))/2; math.Abs(got-want) > 1e-6 {
		t.Errorf("score = %v, want %v", got, want)
	}
}

func TestAMSSCoefficients(t *testing.T) {
	e := math.E
	cases := []struct {
		name string
		num  []float64
		want []float64
	}{
		{"balanced", []float64{1, 1}, []float64{0.5, 0.5}},
		// r_a = 1, r_v = 0.8, T = 0.2: coeff_a = e^4/(e^4+e^5) = 1/(1+e).
		{"audio stronger keeps fewer", []float64{1, 0.8}, []float64{1 / (1 + e), e / (1 + e)}},
		// coeff_a = 1/(1+e^5) = 0.0067 -> 0.1; coeff_v -> 0.9.
		{"clamped", []float64{2, 1}, []float64{0.1, 0.9}},
		{"negative numerator", []float64{1, -0.1}, []float64{0.5, 0.5}},
		{"zero numerator", []float64{0, 1}, []float64{0.5, 0.5}},
		// r/T = 100 and 95: both exponentials overflow float32, Inf/Inf.
		{"NaN from double overflow", []float64{20, 19}, []float64{0.5, 0.5}},
		// e_v = Inf: coeff_a = Inf/Inf = NaN and coeff_v = 1 - NaN.
		{"NaN from visual overflow", []float64{1, 20}, []float64{0.5, 0.5}},
		// e_a = Inf: coeff_a = e^5/Inf = 0 -> 0.1, coeff_v = 1 -> 0.9.
		{"audio overflow clamps", []float64{20, 1}, []float64{0.1, 0.9}},
		{"three balanced", []float64{1, 1, 1}, []float64{2.0 / 3, 2.0 / 3, 2.0 / 3}},
		// e = e^5, e^4, e^3: coeff_m = (total - e_m) / total; the last
		// (0.90997) is clamped to 0.9.
		{"three unequal", []float64{1, 0.8, 0.6}, []float64{
			(math.Exp(4) + math.Exp(3)) / (math.Exp(5) + math.Exp(4) + math.Exp(3)),
			(math.Exp(5) + math.Exp(3)) / (math.Exp(5) + math.Exp(4) + math.Exp(3)),
			0.9}},
		{"three, one non-positive", []float64{1, 1, 0}, []float64{2.0 / 3, 2.0 / 3, 2.0 / 3}},
	}
	for _, c := range cases {
		h := make([]float64, len(c.num))
		for i := range h {
			h[i] = 1
		}
		got := amssCoefficients(c.num, h, 0.2)
		for m := range c.want {
			if math.Abs(got[m]-c.want[m]) > 1e-6 {
				t.Errorf("%s: coefficients %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
	// The feature entropy divides the numerator: num 1 and 1 with H 1 and
	// 1.25 give r = 1 and 0.8, the "audio stronger" case.
	got := amssCoefficients([]float64{1, 1}, []float64{1, 1.25}, 0.2)
	if math.Abs(got[0]-1/(1+e)) > 1e-6 {
		t.Errorf("coefficients with entropies = %v, want coeff_a %v", got, 1/(1+e))
	}
}

func TestAMSSKeepCount(t *testing.T) {
	cases := []struct {
		n     int
		coeff float64
		want  int
	}{
		{64, 0.3, 20}, {10, 0.25, 3}, {64, 0.5, 32}, {8, 0.1, 1}, {3, 0.9, 3}, {4, 0.01, 1},
	}
	for _, c := range cases {
		if got := amssKeepCount(c.n, c.coeff); got != c.want {
			t.Errorf("amssKeepCount(%d, %v) = %d, want %d", c.n, c.coeff, got, c.want)
		}
	}
}

func TestAMSSImportance(t *testing.T) {
	g := nn.FromSlice([]float32{1, 2, 3, 0}, 2, 1, 1, 2)
	if got := amssImportance(g); !slices.Equal(got, []float64{5, 9}) {
		t.Fatalf("importance = %v, want [5 9]", got)
	}
}

func TestAMSSSampleWithoutReplacement(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// Only two filters have weight: p = 2 must take exactly those.
	for range 100 {
		got := amssSample([]float64{0, 1, 0, 3}, 2, rng)
		slices.Sort(got)
		if !slices.Equal(got, []int{1, 3}) {
			t.Fatalf("sample = %v, want [1 3]", got)
		}
	}
	// More draws than positive weights: the rest is uniform, still distinct.
	got := amssSample([]float64{0, 0, 5, 0}, 3, rng)
	if !slices.Contains(got, 2) || len(got) != 3 {
		t.Fatalf("sample = %v, want 3 distinct indices including 2", got)
	}
	slices.Sort(got)
	if len(slices.Compact(got)) != 3 {
		t.Fatalf("sample has repeated indices: %v", got)
	}
	// Seeded: the same stream gives the same draws.
	a := amssSample([]float64{1, 2, 3, 4, 5}, 3, rand.New(rand.NewPCG(9, 9)))
	b := amssSample([]float64{1, 2, 3, 4, 5}, 3, rand.New(rand.NewPCG(9, 9)))
	if !slices.Equal(a, b) {
		t.Fatalf("same seed gave %v and %v", a, b)
	}
}

func TestAMSSSampleInclusionProbabilities(t *testing.T) {
	// q = [.5, .3, .2]. One draw: P(f) = q_f. Two draws without
	// replacement: P(f in sample) = q_f + sum_{j != f} q_j q_f / (1 - q_j):
	// 0.5 + .3*.5/.7 + .2*.5/.8, 0.3 + .5*.3/.5 + .2*.3/.8,
	// 0.2 + .5*.2/.5 + .3*.2/.7.
	w := []float64{5, 3, 2}
	want := [][]float64{
		1: {0.5, 0.3, 0.2},
		2: {0.5 + .3*.5/.7 + .2*.5/.8, 0.3 + .5*.3/.5 + .2*.3/.8, 0.2 + .5*.2/.5 + .3*.2/.7},
	}
	const trials = 40000
	rng := rand.New(rand.NewPCG(4, 4))
	for p, probs := range want {
		if probs == nil {
			continue
		}
		counts := make([]float64, 3)
		for range trials {
			for _, f := range amssSample(w, p, rng) {
				counts[f]++
			}
		}
		for f, pr := range probs {
			// Binomial standard error is at most 0.0025; allow 4 of them.
			if got := counts[f] / trials; math.Abs(got-pr) > 0.01 {
				t.Errorf("p=%d: filter %d included with frequency %v, want %v", p, f, got, pr)
			}
		}
	}
}

func TestAMSSMask(t *testing.T) {
	imp := []float64{1, 1, 2} // q = .25, .25, .5; N = 3
	if got := amssMask(imp, []int{0, 2}, false); !slices.Equal(got, []float64{1, 0, 1}) {
		t.Errorf("AMSS mask = %v, want [1 0 1]", got)
	}
	got := amssMask(imp, []int{0, 2}, true)
	want := []float64{1 / (.25 + 1.0/3), 0, 1 / (.5 + 1.0/3)}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("AMSS+ mask = %v, want %v", got, want)
			break
		}
	}
	g := nn.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 3, 2)
	amssApplyMask(g, []float64{1, 0, 0.5})
	if !slices.Equal(g.Data, []float32{1, 2, 0, 0, 2.5, 3}) {
		t.Errorf("masked gradient = %v, want [1 2 0 0 2.5 3]", g.Data)
	}
}

func TestAMSSScope(t *testing.T) {
	mk := func(name string, shape ...int) *nn.Param { return &nn.Param{Name: name, Grad: nn.NewTensor(shape...)} }
	stem := mk("enc.audio.conv1.weight", 8, 1, 7, 7)
	c1 := mk("enc.audio.layer1.0.conv1.weight", 8, 8, 3, 3)
	c2 := mk("enc.audio.layer1.0.conv2.weight", 8, 8, 3, 3)
	down := mk("enc.audio.layer2.0.downsample.0.weight", 16, 8, 1, 1)
	bn := mk("enc.audio.layer1.0.bn1.weight", 8)
	fc := mk("enc.audio.fc.weight", 4, 8)
	got := amssScope([]*nn.Param{stem, bn, c1, c2, down, fc})
	if len(got) != 2 || got[0] != c1 || got[1] != c2 {
		t.Errorf("ResNet scope = %v, want the two residual convolutions", methodtest.ParamNames(got))
	}
	cnn := mk("enc.audio.block0.conv.weight", 8, 1, 3, 3)
	if got := amssScope([]*nn.Param{cnn, bn}); len(got) != 1 || got[0] != cnn {
		t.Errorf("CNN scope = %v, want the conv weight", methodtest.ParamNames(got))
	}
	if got := amssScope([]*nn.Param{fc, bn}); len(got) != 1 || got[0] != fc {
		t.Errorf("MLP scope = %v, want the linear weight", methodtest.ParamNames(got))
	}
}

func TestScopesOnResNet18(t *testing.T) {
	enc := nn.NewResNet18("enc.audio", 1, rand.New(rand.NewPCG(1, 1)))
	params := enc.Params()
	// AMSS: the two convolutions of each of the 8 basic blocks.
	amss := amssScope(params)
	if len(amss) != 16 {
		t.Fatalf("AMSS scope has %d tensors, want 16: %v", len(amss), methodtest.ParamNames(amss))
	}
	for _, p := range amss {
		if !amssResidualConv.MatchString(p.Name) || strings.Contains(p.Name, "downsample") || p.Name == "enc.audio.conv1.weight" {
			t.Errorf("AMSS scope includes %s", p.Name)
		}
	}
	// OGM-GE's scope: every convolution weight: stem, 16 in blocks, 3 downsample.
	if ogm := modulation.ConvOrLinearWeights(params); len(ogm) != 20 {
		t.Fatalf("OGM-GE scope has %d tensors, want 20: %v", len(ogm), methodtest.ParamNames(ogm))
	}
}
