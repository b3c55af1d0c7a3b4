package ume

import (
	"testing"

	"github.com/miebench/miebench/nn"
)

func TestMeanLogits(t *testing.T) {
	a := nn.FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	b := nn.FromSlice([]float32{3, 0, -1, 4}, 2, 2)
	got, err := meanLogits([]*nn.Tensor{a, b})
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{2, 1, 1, 4}
	for i := range want {
		if got.Data[i] != want[i] {
			t.Fatalf("meanLogits = %v, want %v", got.Data, want)
		}
	}
	if a.Data[0] != 1 {
		t.Fatal("meanLogits changed its input")
	}
	if _, err := meanLogits([]*nn.Tensor{a, nn.NewTensor(2, 3)}); err == nil {
		t.Fatal("meanLogits accepted logits of different widths")
	}
	if _, err := meanLogits(nil); err == nil {
		t.Fatal("meanLogits accepted no logits")
	}
}
