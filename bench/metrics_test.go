package bench

import (
	"math"
	"testing"

	"github.com/miebench/miebench/nn"
)

func TestAccuracyAndMacroF1(t *testing.T) {
	tests := []struct {
		name    string
		pred, y []int
		classes int
		acc, f1 float64
	}{
		{"perfect", []int{0, 1, 2}, []int{0, 1, 2}, 3, 1, 1},
		// class 0: TP 1, FP 1, FN 0 -> 2/3; class 1: TP 1, FP 0, FN 1 -> 2/3; class 2 absent.
		{"one confusion", []int{0, 0, 1}, []int{0, 1, 1}, 3, 2.0 / 3, 2.0 / 3},
		// class 0: TP 0, FP 0, FN 2 -> 0; class 1: TP 0, FP 2, FN 0 -> 0.
		{"all wrong", []int{1, 1}, []int{0, 0}, 2, 0, 0},
		// class 0: TP 2, FN 1 -> 4/5; class 1: FP 1 -> 0; class 2: TP 1 -> 1. mean 0.6
		{"three classes", []int{0, 0, 1, 2}, []int{0, 0, 0, 2}, 3, 0.75, 0.6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Accuracy(tc.pred, tc.y); math.Abs(got-tc.acc) > 1e-12 {
				t.Errorf("Accuracy = %v, want %v", got, tc.acc)
			}
			if got := MacroF1(tc.pred, tc.y, tc.classes); math.Abs(got-tc.f1) > 1e-12 {
				t.Errorf("MacroF1 = %v, want %v", got, tc.f1)
			}
		})
	}
}

func TestMeanAveragePrecision(t *testing.T) {
	// Two classes, four samples. Log-scores chosen so that the probability
	// ranking for class 0 is samples 0, 2, 1, 3 and for class 1 the reverse.
	scores := nn.FromSlice([]float32{
		3, 0, // p0 highest
		0, 1, //
		1, 0, //
		0, 3, //
	}, 4, 2)
	y := []int{0, 1, 1, 0}
	// class 0 ranking: s0 (pos), s2, s1, s3 (pos): AP = (1/1 + 2/4)/2 = 0.75
	// class 1 ranking: s3, s1 (pos), s2 (pos), s0: AP = (1/2 + 2/3)/2 = 7/12
	want := (0.75 + 7.0/12) / 2
	if got := MeanAveragePrecision(scores, y, 2); math.Abs(got-want) > 1e-9 {
		t.Errorf("MAP = %v, want %v", got, want)
	}
	// A class with no positives is left out of the mean.
	if got := MeanAveragePrecision(scores, []int{0, 0, 0, 0}, 2); math.Abs(got-1) > 1e-9 {
		t.Errorf("MAP with one class present = %v, want 1", got)
	}
}

func TestArgmaxFirstOnTies(t *testing.T) {
	got := Argmax(nn.FromSlice([]float32{1, 1, 0, 0, 2, 2}, 2, 3))
	if got[0] != 0 || got[1] != 1 {
		t.Errorf("Argmax = %v, want [0 1]", got)
	}
}

func TestMeanCrossEntropy(t *testing.T) {
	// Uniform scores over 4 classes: CE = log 4.
	got := MeanCrossEntropy(nn.FromSlice([]float32{0, 0, 0, 0, 5, 5, 5, 5}, 2, 4), []int{1, 3})
	if math.Abs(got-math.Log(4)) > 1e-6 {
		t.Errorf("CE = %v, want log 4", got)
	}
}

func TestProbeSeparatesLinearData(t *testing.T) {
	// Three well-separated clusters along different axes.
	n, d := 60, 3
	x := nn.NewTensor(n, d)
	y := make([]int, n)
	for i := range n {
		c := i % 3
		y[i] = c
		row := x.Row(i)
		row[c] = 2 + float32(i%5)*0.1
		row[(c+1)%3] = float32(i%7) * 0.05
	}
	w, mean, std := fitProbe(x, y, 3, nil)
	if acc := Accuracy(Argmax(applyProbe(x, w, mean, std, 3)), y); acc != 1 {
		t.Errorf("probe accuracy on separable data = %v, want 1", acc)
	}
}
