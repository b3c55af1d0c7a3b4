package mla

import (
	"github.com/miebench/miebench/methods/methodtest"
	"math"
	"testing"

	"github.com/miebench/miebench/nn"
)

// TestMLAProjectorUpdateByHand checks two updates of P on a 2 x 2 case.
// From P = I, r = (1, 0), alpha = 0.1: k = (1, 0), rᵀk = 1,
// P - k kᵀ/1.1 = diag(1/11, 1), ||.||_F = sqrt(122)/11, so
// P = diag(1, 11)/sqrt(122). Then r = (1, 1), alpha = 0.01:
// k = (1, 11)/sqrt(122), rᵀk = 12/sqrt(122), and the Frobenius-normalised
// P - k kᵀ/(0.01 + 12/sqrt(122)).
func TestMLAProjectorUpdateByHand(t *testing.T) {
	pr := newMLAProjector(2)
	if err := pr.update([]float64{1, 0}, 0.1); err != nil {
		t.Fatal(err)
	}
	s := math.Sqrt(122)
	want1 := []float64{1 / s, 0, 0, 11 / s}
	for i, w := range want1 {
		if !methodtest.Close(pr.p[i], w, 1e-14) {
			t.Fatalf("after first update P[%d] = %v, want %v", i, pr.p[i], w)
		}
	}
	if err := pr.update([]float64{1, 1}, 0.01); err != nil {
		t.Fatal(err)
	}
	k := []float64{1 / s, 11 / s}
	den := 0.01 + 12/s
	raw := []float64{1/s - k[0]*k[0]/den, -k[0] * k[1] / den, -k[1] * k[0] / den, 11/s - k[1]*k[1]/den}
	var fro float64
	for _, v := range raw {
		fro += v * v
	}
	fro = math.Sqrt(fro)
	for i, v := range raw {
		if !methodtest.Close(pr.p[i], v/fro, 1e-13) {
			t.Fatalf("after second update P[%d] = %v, want %v", i, pr.p[i], v/fro)
		}
	}
	// Rounded reference values of the same matrix.
	ref := []float64{0.48975240924843, -0.48488357818267, -0.48488357818267, 0.53844071990600}
	for i, v := range ref {
		if !methodtest.Close(pr.p[i], v, 1e-12) {
			t.Fatalf("P[%d] = %v, want %v", i, pr.p[i], v)
		}
	}
	// G Pᵀ for G = [[1, 2], [3, -1]].
	g := nn.FromSlice([]float32{1, 2, 3, -1}, 2, 2)
	if err := pr.apply(g); err != nil {
		t.Fatal(err)
	}
	wantG := []float64{1*ref[0] + 2*ref[1], 1*ref[2] + 2*ref[3], 3*ref[0] - ref[1], 3*ref[2] - ref[3]}
	for i, w := range wantG {
		if !methodtest.Close(float64(g.Data[i]), w, 1e-6) {
			t.Fatalf("projected gradient[%d] = %v, want %v", i, g.Data[i], w)
		}
	}
}

// TestMLAProjectorShrinksFeatureDirection checks the defining property of the
// update on a 3 x 3 case: after it, P r = alpha/(alpha + rᵀk) k / ||.||_F, so
// a small alpha nearly removes the direction r.
func TestMLAProjectorShrinksFeatureDirection(t *testing.T) {
	pr := newMLAProjector(3)
	r := []float64{1, 2, 2} // |r|² = 9, k = r under P = I
	alpha := 1e-3
	if err := pr.update(r, alpha); err != nil {
		t.Fatal(err)
	}
	// P - r rᵀ/(alpha + 9); its Frobenius norm² is 3 - 2·9/(a+9) + 81/(a+9)².
	den := alpha + 9
	fro := math.Sqrt(3 - 18/den + 81/(den*den))
	for i := range 3 {
		var pri float64
		for j := range 3 {
			pri += pr.p[i*3+j] * r[j]
		}
		want := alpha / den * r[i] / fro
		if !methodtest.Close(pri, want, 1e-12) {
			t.Fatalf("(P r)[%d] = %v, want %v", i, pri, want)
		}
	}
}

func TestMLAProjectorErrors(t *testing.T) {
	pr := newMLAProjector(2)
	if err := pr.update([]float64{1}, 0.1); err == nil {
		t.Fatal("update with a wrong-width feature: want an error")
	}
	if err := pr.apply(nn.NewTensor(2, 3)); err == nil {
		t.Fatal("apply to a [2 3] gradient with a 2 x 2 P: want an error")
	}
}

func TestMLAAlpha(t *testing.T) {
	for _, c := range []struct {
		batch, batches int
		want           float64
	}{
		{0, 4, 0.1},
		{2, 4, math.Pow(10, -1.5)},
		{3, 4, 0.01778279410038923},
	} {
		if got := mlaAlpha(c.batch, c.batches); !methodtest.Close(got, c.want, 1e-14) {
			t.Errorf("mlaAlpha(%d, %d) = %v, want %v", c.batch, c.batches, got, c.want)
		}
	}
}

func TestMLABatchMean(t *testing.T) {
	got := mlaBatchMean(nn.FromSlice([]float32{1, 2, 3, 6}, 2, 2))
	if got[0] != 2 || got[1] != 4 {
		t.Fatalf("batch mean = %v, want [2 4]", got)
	}
}
