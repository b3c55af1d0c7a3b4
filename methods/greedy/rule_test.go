package greedy

import (
	"math"
	"testing"

	"github.com/miebench/miebench/nn"
)

func TestSpeed(t *testing.T) {
	a := nn.NewParam("a", 2)
	a.Value.Data = []float32{1, 2}
	a.Grad.Data = []float32{0.5, 0}
	b := nn.NewParam("b", 1)
	b.Value.Data = []float32{2}
	b.Grad.Data = []float32{1}
	// (0.25 + 0 + 1) / (1 + 4 + 4) = 1.25 / 9.
	got, err := speed([]*nn.Param{a, b})
	if err != nil || math.Abs(got-1.25/9) > 1e-12 {
		t.Errorf("speed = %v, %v; want %v", got, err, 1.25/9)
	}
	if _, err := speed([]*nn.Param{nn.NewParam("z", 3)}); err == nil {
		t.Error("zero weights: no error")
	}
}

func TestBDRAccumulates(t *testing.T) {
	var b bdr
	steps := []struct {
		bypass, main [2]float64
		want         float64
	}{
		// log10(1/0.1) - log10(2/2) = 1.
		{[2]float64{1, 2}, [2]float64{0.1, 2}, 1},
		// Sums bypass (2, 4), main (0.2, 4): log10(2/0.2) - log10(4/4) = 1.
		{[2]float64{1, 2}, [2]float64{0.1, 2}, 1},
		// Sums bypass (2, 12), main (0.2+1.8, 4+0): log10(2/2) - log10(12/4) = -log10 3.
		{[2]float64{0, 8}, [2]float64{1.8, 0}, -math.Log10(3)},
	}
	for i, s := range steps {
		if got := b.add(s.bypass, s.main); math.Abs(got-s.want) > 1e-12 {
			t.Errorf("step %d: d_BDR = %v, want %v", i, got, s.want)
		}
	}
}

func TestWindow(t *testing.T) {
	type step struct {
		unlock   bool
		d        float64
		needs    bool // needsBDR before the step's backward
		replaced int  // replaced() for the step's forward
	}
	w := window{Epsilon: 0.01, Size: 2}
	steps := []step{
		{false, 0.5, true, -1},   // locked: computed, nothing happens
		{true, 0.005, true, -1},  // unlocked, |d| <= eps
		{true, 0.02, true, -1},   // triggers: modality 0 (larger BDR) from the next step
		{true, 99, false, 0},     // window step 1, no BDR
		{true, -99, false, 0},    // window step 2, window closes
		{true, -0.011, true, -1}, // triggers modality 1
		{true, 0, false, 1},
		{true, 0, false, 1},
		{true, 0.01, true, -1}, // |d| = eps does not trigger
		{true, 0, true, -1},
	}
	for i, s := range steps {
		w.Unlocked = s.unlock
		if got := w.replaced(); got != s.replaced {
			t.Errorf("step %d: replaced %d, want %d", i, got, s.replaced)
		}
		if got := w.needsBDR(); got != s.needs {
			t.Errorf("step %d: needsBDR %v, want %v", i, got, s.needs)
		}
		w.afterBackward(s.d)
	}
}
