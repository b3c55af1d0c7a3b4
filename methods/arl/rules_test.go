package arl

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func TestMagnitude(t *testing.T) {
	// two samples, two classes: mean |logit| per class 1.5 and 2, summed
	if got := Magnitude([]float64{1, -3, -2, 1}, 2, 2); !near(got, 3.5) {
		t.Errorf("Magnitude = %v, want 3.5", got)
	}
}

func TestEntropy(t *testing.T) {
	for _, c := range []struct {
		name   string
		logits []float64
		n      int
		want   float64
	}{
		{"uniform", []float64{0, 0}, 1, math.Ln2},
		{"mean over batch", []float64{0, 0, 0, 0, 0, 0, 0, 0}, 2, math.Log(4)},
		{"confident", []float64{0, 100}, 1, 0},
	} {
		classes := len(c.logits) / c.n
		if got := Entropy(c.logits, c.n, classes); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: Entropy = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestWeights(t *testing.T) {
	// audio dominant: magnitude shares a 0.75, v 0.25; entropy shares a 0.25
	// (floored to 0.3) and v 0.75; confidences 1/0.3 and 1/0.75 normalised to
	// 5/7 and 2/7; w = softmax(8 * [0.25 * 5/7, 0.75 * 2/7])
	xa, xv := 8*0.25*5.0/7, 8*0.75*2.0/7
	domA := math.Exp(xa) / (math.Exp(xa) + math.Exp(xv))
	for _, c := range []struct {
		name               string
		ma, mv, ha, hv, tt float64
		wa, wv             float64
	}{
		{"balanced", 2, 2, 1, 1, 8, 0.5, 0.5},
		{"audio dominant", 3, 1, 1, 3, 8, domA, 1 - domA},
	} {
		wa, wv := Weights(c.ma, c.mv, c.ha, c.hv, c.tt)
		if !near(wa, c.wa) || !near(wv, c.wv) {
			t.Errorf("%s: Weights = (%v, %v), want (%v, %v)", c.name, wa, wv, c.wa, c.wv)
		}
	}
}
