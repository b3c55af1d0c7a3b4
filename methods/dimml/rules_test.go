package dimml

import (
	"math"
	"reflect"
	"testing"

	"github.com/miebench/miebench/nn"
)

func TestDimRatesAndTop(t *testing.T) {
	// Dim 0 separates the classes (centres 0.5, 10.5): rate 1. Dim 1 has
	// equal centres 5, 5: every sample goes to class 0, rate 0.5.
	z := [][]float64{{0, 0}, {1, 10}, {10, 0}, {11, 10}}
	rates := DimRates(z, []int{0, 0, 1, 1}, 2)
	if !reflect.DeepEqual(rates, []float64{1, 0.5}) {
		t.Errorf("rates %v, want [1 0.5]", rates)
	}
	if top := TopDims(rates); !reflect.DeepEqual(top, []bool{true, false}) {
		t.Errorf("top %v, want [true false]", top)
	}
}

func TestOnlyDims(t *testing.T) {
	tests := []struct {
		top  [][]bool
		want [][]int
	}{
		{[][]bool{{true, true, false}, {false, true, true}}, [][]int{{0}, {2}}},
		{[][]bool{{true, false}, {true, false}, {false, true}}, [][]int{nil, nil, {1}}},
	}
	for _, tt := range tests {
		if got := OnlyDims(tt.top); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("OnlyDims(%v) = %v, want %v", tt.top, got, tt.want)
		}
	}
}

func TestAlignLossHandComputed(t *testing.T) {
	// Dim 0 only. Row 0: s = (1, 2), p = (0.2689, 0.7311), loss ln(1+e);
	// row 1: s = (0, 0), loss ln 2. dx_0 = (0.2689*1 + 0.7311*2 - 1)/2,
	// dx_1 = (0.5 + 1 - 2)/2 = -0.25; dim 1 gets nothing.
	x := nn.FromSlice([]float32{1, 7, 0, 7}, 2, 2)
	anchor := nn.FromSlice([]float32{1, 3, 2, 3}, 2, 2)
	loss, dx := AlignLoss(x, anchor, []int{0}, 1)
	if want := (math.Log(1+math.E) + math.Ln2) / 2; math.Abs(loss-want) > 1e-6 {
		t.Errorf("loss %v, want %v", loss, want)
	}
	p1 := math.E * math.E / (math.E + math.E*math.E)
	for i, want := range []float64{(1 - p1 + 2*p1 - 1) / 2, 0, -0.25, 0} {
		if math.Abs(float64(dx.Data[i])-want) > 1e-6 {
			t.Errorf("dx[%d] = %v, want %v", i, dx.Data[i], want)
		}
	}
	if loss, dx := AlignLoss(x, anchor, nil, 1); math.Abs(loss-math.Ln2) > 1e-12 || dx.Data[0] != 0 {
		t.Errorf("no dims: loss %v (want ln 2, constant), dx %v", loss, dx.Data)
	}
}

func TestConfidenceWeighted(t *testing.T) {
	// Output 0: probabilities (0.5, 0.5), max 0.5; output 1: (0.9, 0.1)
	// via logits (ln 9, 0), max 0.9. Weights softmax(0.5, 0.9).
	a := nn.FromSlice([]float32{0, 0}, 1, 2)
	b := nn.FromSlice([]float32{float32(math.Log(9)), 0}, 1, 2)
	got := ConfidenceWeighted([]*nn.Tensor{a, b}, 1)
	w1 := math.Exp(0.9) / (math.Exp(0.5) + math.Exp(0.9))
	if want := w1 * math.Log(9); math.Abs(float64(got.Data[0])-want) > 1e-6 || got.Data[1] != 0 {
		t.Errorf("got %v, want [%v 0]", got.Data, want)
	}
}
