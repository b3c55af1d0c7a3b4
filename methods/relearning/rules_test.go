package relearning

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestPurityHandComputed(t *testing.T) {
	tests := []struct {
		name             string
		labels, clusters []int
		want             float64
	}{
		// cluster 0 holds labels 0,0,1 (2 right), cluster 1 holds 1,2 (tie,
		// label 1: 1 right), cluster 2 holds 2 (1 right): 4/6.
		{"ties to smaller label", []int{0, 0, 1, 1, 2, 2}, []int{0, 0, 0, 1, 1, 2}, 4.0 / 6},
		{"perfect", []int{1, 1, 0}, []int{5, 5, 7}, 1},
		{"one cluster", []int{0, 1, 1, 2}, []int{0, 0, 0, 0}, 0.5},
	}
	for _, tt := range tests {
		if got := Purity(tt.labels, tt.clusters); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: Purity = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAlphaAndSoftReinit(t *testing.T) {
	tests := []struct{ tr, val, lambda, want float64 }{
		{0.9, 0.8, 3, math.Tanh(0.3)}, // 0.29131...
		{0.5, 0.7, 3, math.Tanh(0.6)},
		{0.6, 0.6, 3, 0},
	}
	for _, tt := range tests {
		if got := Alpha(tt.tr, tt.val, tt.lambda); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Alpha(%v, %v, %v) = %v, want %v", tt.tr, tt.val, tt.lambda, got, tt.want)
		}
	}
	theta := []float32{2, -4, 1}
	SoftReinit(theta, []float32{0, 4, 1}, 0.25)
	for i, want := range []float32{1.5, -2, 1} {
		if theta[i] != want {
			t.Errorf("SoftReinit[%d] = %v, want %v", i, theta[i], want)
		}
	}
}

func TestMinMaxScale(t *testing.T) {
	got := MinMaxScale([][]float64{{0, 5, 3}, {2, 5, 1}, {1, 5, 2}})
	want := [][]float64{{-1, -1, 1}, {1, -1, -1}, {0, -1, 0}}
	for i := range want {
		for j := range want[i] {
			if math.Abs(got[i][j]-want[i][j]) > 1e-12 {
				t.Errorf("row %d col %d: %v, want %v", i, j, got[i][j], want[i][j])
			}
		}
	}
}

func TestKMeansSeparatesBlobs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var x [][]float64
	var y []int
	centres := [][]float64{{0, 0}, {10, 0}, {0, 10}}
	for i := range 60 {
		c := i % 3
		x = append(x, []float64{centres[c][0] + rng.NormFloat64(), centres[c][1] + rng.NormFloat64()})
		y = append(y, c)
	}
	for seed := range uint64(5) {
		got := KMeans(x, 3, 3, 300, 1e-4, rand.New(rand.NewPCG(seed, 9)))
		if p := Purity(y, got); p != 1 {
			t.Errorf("seed %d: purity %v of well-separated blobs, want 1", seed, p)
		}
	}
	a := KMeans(x, 3, 2, 300, 1e-4, rand.New(rand.NewPCG(4, 4)))
	b := KMeans(x, 3, 2, 300, 1e-4, rand.New(rand.NewPCG(4, 4)))
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("same stream, different clusterings")
		}
	}
}
