package agm

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func nearAll(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !near(got[i], want[i]) {
			t.Errorf("%s[%d] = %.15g, want %.15g", what, i, got[i], want[i])
		}
	}
}

func TestShapleyWeight(t *testing.T) {
	for _, c := range []struct {
		s, m int
		want float64
	}{
		{0, 2, 0.5}, {1, 2, 0.5},
		{0, 3, 1.0 / 3}, {1, 3, 1.0 / 6}, {2, 3, 1.0 / 3},
		{0, 4, 0.25}, {1, 4, 1.0 / 12}, {2, 4, 1.0 / 12}, {3, 4, 0.25},
	} {
		if got := ShapleyWeight(c.s, c.m); !near(got, c.want) {
			t.Errorf("ShapleyWeight(%d, %d) = %v, want %v", c.s, c.m, got, c.want)
		}
	}
}

func TestShapleyLogitsTwoModalities(t *testing.T) {
	// Coalition masks: bit 0 audio, bit 1 visual; one sample, two classes.
	out := [][]float64{
		{0.5, -0.5}, // f(0, 0)
		{2, 0},      // f(a, 0)
		{0, 1},      // f(0, v)
		{3, 2},      // f(a, v)
	}
	for _, c := range []struct {
		empty  string
		wa, wv []float64
	}{
		// released: 0.5*(f(a,v) - f(0,v) + f(a,0)); the two sum to f(a,v)
		{EmptyZero, []float64{2.5, 0.5}, []float64{0.5, 1.5}},
		// paper: the exact Shapley value, - f(0,0)/2 each
		{EmptySubtract, []float64{2.25, 0.75}, []float64{0.25, 1.75}},
		// BalanceBenchmark: 0.5*(f(a,v) - f(0,v)) only
		{EmptySkip, []float64{1.5, 0.5}, []float64{0.5, 1}},
	} {
		pa, err := ShapleyLogits(out, 0, 2, c.empty)
		if err != nil {
			t.Fatal(err)
		}
		pv, err := ShapleyLogits(out, 1, 2, c.empty)
		if err != nil {
			t.Fatal(err)
		}
		nearAll(t, c.empty+" phi_a", pa, c.wa)
		nearAll(t, c.empty+" phi_v", pv, c.wv)
	}
}

func TestShapleyLogitsThreeModalities(t *testing.T) {
	// Bits: a 1, v 2, t 4. Values chosen so that every term is distinct.
	out := [][]float64{{1}, {2}, {3}, {7}, {5}, {11}, {13}, {17}}
	for _, c := range []struct {
		empty string
		want  []float64 // phi_a, phi_v, phi_t
	}{
		// 1/3 (f(avt) - f(vt)) + 1/6 (f(av) - f(v) + f(at) - f(t)) + 1/3 f(a):
		// BalanceBenchmark's Modality_Audio, the released code's rule for M = 3
		{EmptyZero, []float64{11.0 / 3, 31.0 / 6, 49.0 / 6}},
		{EmptySubtract, []float64{10.0 / 3, 29.0 / 6, 47.0 / 6}},
		{EmptySkip, []float64{3, 25.0 / 6, 39.0 / 6}},
	} {
		var sum float64
		for m := range 3 {
			phi, err := ShapleyLogits(out, m, 3, c.empty)
			if err != nil {
				t.Fatal(err)
			}
			nearAll(t, c.empty, phi, c.want[m:m+1])
			sum += phi[0]
		}
		if c.empty == EmptyZero && !near(sum, 17) {
			t.Errorf("zero: phi sum to %v, want f(avt) = 17", sum)
		}
	}
}

func TestShapleyLogitsErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		out   [][]float64
		m     int
		empty string
	}{
		{"wrong count", [][]float64{{1}, {2}, {3}}, 0, EmptyZero},
		{"modality out of range", [][]float64{{1}, {2}, {3}, {4}}, 2, EmptyZero},
		{"ragged", [][]float64{{1}, {2, 3}, {3}, {4}}, 0, EmptyZero},
		{"unknown convention", [][]float64{{1}, {2}, {3}, {4}}, 0, "half"},
	} {
		if _, err := ShapleyLogits(c.out, c.m, 2, c.empty); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

func TestScore(t *testing.T) {
	for _, c := range []struct {
		name   string
		logits []float64
		y      []int
		want   float64
	}{
		{"uniform", []float64{0, 0}, []int{0}, math.Ln2},
		{"mean over batch", []float64{0, 0, math.Log(3), 0}, []int{0, 0}, (math.Ln2 + math.Log(4.0/3)) / 2},
		{"floored at 1e-8", []float64{0, 100}, []int{0}, -math.Log(1e-8)},
	} {
		if got := Score(c.logits, c.y, 2); !near(got, c.want) {
			t.Errorf("%s: Score = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCoefficients(t *testing.T) {
	e := math.Exp
	for _, c := range []struct {
		name         string
		s, target    []float64
		alpha, clip  float64
		bb           bool
		wantK, wantR []float64
		wantRbar     []float64
	}{
		{
			// released two-modality code: ratio_a = exp(s_v - s_a),
			// optimal_ratio_a = exp(t_v - t_a), k = exp(alpha*min(opt - ratio, 10))
			name: "released M=2", s: []float64{1.0, 0.5}, target: []float64{0.8, 0.6}, alpha: 0.5, clip: 10,
			wantR:    []float64{e(-0.5), e(0.5)},
			wantRbar: []float64{e(-0.2), e(0.2)},
			wantK:    []float64{e(0.5 * (e(-0.2) - e(-0.5))), e(0.5 * (e(0.2) - e(0.5)))},
		},
		{
			name: "clipped", s: []float64{3, 0}, target: []float64{0, 3}, alpha: 1, clip: 0.1,
			wantR:    []float64{e(-3), e(3)},
			wantRbar: []float64{e(3), e(-3)},
			wantK:    []float64{e(0.1), e(e(-3) - e(3))},
		},
		{
			name: "BalanceBenchmark sign", s: []float64{1.0, 0.5}, target: []float64{0.8, 0.6}, alpha: 0.5, clip: 7, bb: true,
			wantR:    []float64{e(0.5), e(-0.5)},
			wantRbar: []float64{e(0.2), e(-0.2)},
			wantK:    []float64{e(0.5 * (e(0.2) - e(0.5))), e(0.5 * (e(-0.2) - e(-0.5)))},
		},
		{
			// M = 3: r_m = exp(3/2 * (mean(s) - s_m)), mean 1
			name: "M=3", s: []float64{0.5, 1, 1.5}, target: []float64{1, 1, 1}, alpha: 1, clip: 10,
			wantR:    []float64{e(0.75), 1, e(-0.75)},
			wantRbar: []float64{1, 1, 1},
			wantK:    []float64{e(1 - e(0.75)), 1, e(1 - e(-0.75))},
		},
	} {
		k, r, rbar := Coefficients(c.s, c.target, c.alpha, c.clip, c.bb)
		nearAll(t, c.name+" k", k, c.wantK)
		nearAll(t, c.name+" r", r, c.wantR)
		nearAll(t, c.name+" rbar", rbar, c.wantRbar)
	}
}

func TestUpdateTarget(t *testing.T) {
	target := []float64{0, 0}
	UpdateTarget(target, []float64{1, 2}, 1)
	nearAll(t, "t=1", target, []float64{1, 2})
	UpdateTarget(target, []float64{3, 4}, 2)
	nearAll(t, "t=2", target, []float64{2, 3})
	UpdateTarget(target, []float64{5, 0}, 3)
	nearAll(t, "t=3", target, []float64{3, 2})
}

func TestMeanCoefficient(t *testing.T) {
	if got := MeanCoefficient([]float64{0.5, 1.5, 4}); !near(got, 2) {
		t.Errorf("MeanCoefficient = %v, want 2", got)
	}
}
