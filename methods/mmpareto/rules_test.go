package mmpareto

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

func TestMinNormWeight(t *testing.T) {
	for _, c := range []struct {
		name   string
		g1, g2 []float32
		want   float64
	}{
		{"orthogonal, equal norms", []float32{1, 0}, []float32{0, 1}, 0.5},
		// (2,0) and (-1,1): c = (2 + 2) / (4 + 2 + 4) = 0.4, point (0.2, 0.6)
		{"conflict", []float32{2, 0}, []float32{-1, 1}, 0.4},
		{"g1 is the min-norm end", []float32{1, 0}, []float32{2, 0}, 0.999},
		{"g2 is the min-norm end", []float32{2, 0}, []float32{1, 0}, 0.001},
	} {
		aa, ab, bb := Dots([][]float32{c.g1}, [][]float32{c.g2})
		if got := MinNormWeight(aa, ab, bb); !near(got, c.want) {
			t.Errorf("%s: MinNormWeight = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestWeights(t *testing.T) {
	for _, c := range []struct {
		name      string
		g1, g2    [][]float32
		wmm, wuni float64
		conflict  bool
	}{
		{"agree", [][]float32{{1, 2}, {3}}, [][]float32{{1, 0}, {1}}, 0.5, 0.5, false},
		{"conflict", [][]float32{{2}, {0}}, [][]float32{{-1}, {1}}, 0.4, 0.6, true},
		// cosine exactly 0 is not > 0: the min-norm branch
		{"orthogonal", [][]float32{{1, 0}}, [][]float32{{0, 1}}, 0.5, 0.5, true},
	} {
		aa, ab, bb := Dots(c.g1, c.g2)
		wmm, wuni, conflict := Weights(aa, ab, bb)
		if !near(wmm, c.wmm) || !near(wuni, c.wuni) || conflict != c.conflict {
			t.Errorf("%s: Weights = (%v, %v, %v), want (%v, %v, %v)", c.name, wmm, wuni, conflict, c.wmm, c.wuni, c.conflict)
		}
	}
}

func TestCosine(t *testing.T) {
	aa, ab, bb := Dots([][]float32{{3, 4}}, [][]float32{{4, 3}})
	if got := Cosine(aa, ab, bb); !near(got, 24.0/25) {
		t.Errorf("Cosine = %v, want 0.96", got)
	}
	if got := Cosine(0, 0, 1); got != 0 {
		t.Errorf("Cosine of a zero gradient = %v, want 0", got)
	}
}

func TestCombine(t *testing.T) {
	for _, c := range []struct {
		name         string
		gmm, guni    [][]float32
		wmm, wuni    float64
		want         [][]float64
		wantRescaled int
	}{
		{
			// g = 2 (0.4 (2,0) + 0.6 (-1,1)) = (0.4, 1.2), |g|^2 = 1.6 < |(1,1)|^2 = 2:
			// rescaled to sqrt(2), then times gamma 1.5
			name: "conflict rescaled", gmm: [][]float32{{2, 0}}, guni: [][]float32{{-1, 1}}, wmm: 0.4, wuni: 0.6,
			want:         [][]float64{{1.5 * math.Sqrt(1.25) * 0.4, 1.5 * math.Sqrt(1.25) * 1.2}},
			wantRescaled: 1,
		},
		{
			// equal weights give g = gmm + guni exactly: never rescaled
			name: "agree", gmm: [][]float32{{1, 0}, {2}}, guni: [][]float32{{1, 1}, {-1}}, wmm: 0.5, wuni: 0.5,
			want:         [][]float64{{3, 1.5}, {1.5}},
			wantRescaled: 0,
		},
		{
			// per tensor: the first is rescaled, the second (zero) stays zero
			name: "per tensor", gmm: [][]float32{{2, 0}, {0}}, guni: [][]float32{{-1, 1}, {0}}, wmm: 0.4, wuni: 0.6,
			want:         [][]float64{{1.5 * math.Sqrt(1.25) * 0.4, 1.5 * math.Sqrt(1.25) * 1.2}, {0}},
			wantRescaled: 1,
		},
	} {
		dst := make([][]float32, len(c.gmm))
		for i := range dst {
			dst[i] = make([]float32, len(c.gmm[i]))
		}
		n := Combine(dst, c.gmm, c.guni, c.wmm, c.wuni, 1.5)
		if n != c.wantRescaled {
			t.Errorf("%s: %d tensors rescaled, want %d", c.name, n, c.wantRescaled)
		}
		for i := range c.want {
			for j := range c.want[i] {
				if !near(float64(dst[i][j]), c.want[i][j]) {
					t.Errorf("%s: g[%d][%d] = %v, want %v", c.name, i, j, dst[i][j], c.want[i][j])
				}
			}
		}
	}
}
