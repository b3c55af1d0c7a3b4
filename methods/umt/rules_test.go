package umt

import (
	"math"
	"testing"

	"github.com/miebench/miebench/nn"
)

func TestFeatureMSE(t *testing.T) {
	zs := nn.FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	zt := nn.FromSlice([]float32{0, 2, 5, 4}, 2, 2)
	// Squared differences 1, 0, 4, 0: mean 1.25; gradient 2*diff/4.
	l, d, err := featureMSE(zs, zt)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(l-1.25) > 1e-12 {
		t.Fatalf("featureMSE = %v, want 1.25", l)
	}
	want := []float32{0.5, 0, -1, 0}
	for i := range want {
		if d.Data[i] != want[i] {
			t.Fatalf("gradient = %v, want %v", d.Data, want)
		}
	}
	if _, _, err := featureMSE(zs, nn.NewTensor(2, 3)); err == nil {
		t.Fatal("featureMSE accepted features of different shapes")
	}
}
