package valuation

import (
	"math"
	"testing"
)

func TestShapleyTwoModalitiesAsReleased(t *testing.T) {
	// correct[s]: s = 1 audio only, 2 visual only, 3 both.
	tests := []struct {
		a, v, all  bool
		phiA, phiV float64
		cA, cV     int
	}{
		{true, false, true, 1.5, 0.5, 0, 1}, // (1 + 2 - 0)/2, (0 + 2 - 1)/2
		{false, false, true, 1, 1, 0, 0},
		{false, true, false, -0.5, 0.5, 3, 1},
		{false, false, false, 0, 0, 2, 2},
		{true, true, true, 1, 1, 0, 0},
		{true, false, false, 0.5, -0.5, 1, 3},
	}
	for _, tt := range tests {
		phi := Shapley([]bool{false, tt.a, tt.v, tt.all}, 2, 2)
		if phi[0] != tt.phiA || phi[1] != tt.phiV {
			t.Errorf("a %v v %v all %v: phi %v, want (%v, %v)", tt.a, tt.v, tt.all, phi, tt.phiA, tt.phiV)
		}
		if ca, cv := Copies(phi[0]), Copies(phi[1]); ca != tt.cA || cv != tt.cV {
			t.Errorf("a %v v %v all %v: copies (%d, %d), want (%d, %d)", tt.a, tt.v, tt.all, ca, cv, tt.cA, tt.cV)
		}
	}
}

func TestShapleyThreeModalities(t *testing.T) {
	// Right whenever m0 is kept: with full value 1 all credit goes to m0.
	correct := make([]bool, 8)
	for s := range correct {
		correct[s] = s&1 != 0
	}
	phi := Shapley(correct, 3, 1)
	for m, want := range []float64{1, 0, 0} {
		if math.Abs(phi[m]-want) > 1e-12 {
			t.Errorf("phi[%d] = %v, want %v", m, phi[m], want)
		}
	}
	// Full value 2 adds 1 to the full set's worth: each modality's
	// weight for (N minus m) -> N is 2!0!/3! = 1/3.
	phi = Shapley(correct, 3, 2)
	for m, want := range []float64{4.0 / 3, 1.0 / 3, 1.0 / 3} {
		if math.Abs(phi[m]-want) > 1e-12 {
			t.Errorf("full value 2: phi[%d] = %v, want %v", m, phi[m], want)
		}
	}
}

func TestCopiesBounds(t *testing.T) {
	for _, tt := range []struct {
		phi  float64
		want int
	}{{1.5, 0}, {1, 0}, {0.99, 1}, {0.4, 0}, {0.39, 2}, {-0.1, 0}, {-0.11, 3}, {-0.5, 3}} {
		if got := Copies(tt.phi); got != tt.want {
			t.Errorf("Copies(%v) = %d, want %d", tt.phi, got, tt.want)
		}
	}
}

func TestModalityResample(t *testing.T) {
	tests := []struct {
		mean        []float64
		alpha       float64
		weak, count int
	}{
		{[]float64{0.9, 0.3}, 1, 1, 40}, // gaps 0.1, 0.7: 0.6 * 2/3 * 100
		{[]float64{0.3, 0.9}, 0.5, 0, 20},
		{[]float64{0.5, 0.5}, 1, 1, 0}, // tie: the last, no copies
		{[]float64{1.2, 0.6, 0.3}, 1, 2, 60},
	}
	for _, tt := range tests {
		w, c := ModalityResample(tt.mean, tt.alpha, 100)
		if w != tt.weak || c != tt.count {
			t.Errorf("ModalityResample(%v, %v, 100) = %d, %d, want %d, %d", tt.mean, tt.alpha, w, c, tt.weak, tt.count)
		}
	}
}
