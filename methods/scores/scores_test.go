package scores

import (
	"math"
	"testing"

	"github.com/miebench/miebench/nn"
)

func close(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

func TestTrueClassMass(t *testing.T) {
	// Row 0: softmax([0, ln 3]) = [1/4, 3/4], label 1 -> 0.75.
	// Row 1: softmax([0, 0]) = [1/2, 1/2], label 0 -> 0.5.
	logits := nn.FromSlice([]float32{0, float32(math.Log(3)), 0, 0}, 2, 2)
	if got, want := TrueClassMass(logits, []int{1, 0}), 1.25; math.Abs(got-want) > 1e-6 {
		t.Fatalf("TrueClassMass = %v, want %v", got, want)
	}
}

func TestWeakestAndLeader(t *testing.T) {
	cases := []struct {
		s               []float64
		weakest, leader int
	}{
		{[]float64{2, 4}, 0, 1},
		{[]float64{4, 2}, 1, 0},
		{[]float64{3, 3}, 1, 0}, // ties: weakest is the last, leader the first
		{[]float64{1, 5, 1}, 2, 1},
	}
	for _, c := range cases {
		if w := Weakest(c.s); w != c.weakest {
			t.Errorf("Weakest(%v) = %d, want %d", c.s, w, c.weakest)
		}
		if l := Leader(c.s); l != c.leader {
			t.Errorf("Leader(%v) = %d, want %d", c.s, l, c.leader)
		}
	}
}

func TestEntropies(t *testing.T) {
	cases := []struct {
		logits []float32
		want   float64
	}{
		{[]float32{0, 0, 0, 0}, math.Log(4)},
		{[]float32{float32(math.Log(3)), 0, 0, 0}[:2], -(0.75*math.Log(0.75) + 0.25*math.Log(0.25))},
	}
	for _, c := range cases {
		h := Entropies(nn.FromSlice(c.logits, 1, len(c.logits)))
		if !close(h[0], c.want, 1e-7) {
			t.Errorf("entropy of softmax(%v) = %v, want %v", c.logits, h[0], c.want)
		}
	}
}

func TestSoftmaxNeg(t *testing.T) {
	// exp(-ln 2) = 1/2 against exp(0) = 1: weights 1/3 and 2/3.
	w := SoftmaxNeg([]float64{math.Ln2, 0})
	if !close(w[0], 1.0/3, 1e-15) || !close(w[1], 2.0/3, 1e-15) {
		t.Fatalf("weights = %v, want [1/3 2/3]", w)
	}
}

func TestSoftmaxRow(t *testing.T) {
	ln3 := float32(math.Log(3))
	for _, c := range []struct {
		row  []float32
		want []float64
	}{
		{[]float32{ln3, 0}, []float64{0.75, 0.25}},
		{[]float32{800, 800, 800}, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}}, // exp(800) overflows
		{[]float32{-2}, []float64{1}},
	} {
		p := SoftmaxRow(c.row)
		for j := range c.want {
			if !close(p[j], c.want[j], 1e-6) || !close(p[j], SoftmaxProbAt(c.row, j), 1e-15) {
				t.Errorf("SoftmaxRow(%v) = %v, want %v", c.row, p, c.want)
				break
			}
		}
	}
}
