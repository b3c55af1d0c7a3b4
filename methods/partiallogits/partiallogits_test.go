package partiallogits

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

func randTensor(rng *rand.Rand, shape ...int) *nn.Tensor {
	t := nn.NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = float32(rng.NormFloat64())
	}
	return t
}

// TestBackwardMatchesFusedBackward: the partial logits add up to the fused
// output, so the same gradient G on every partial must give the fused
// head's own gradients.
func TestBackwardMatchesFusedBackward(t *testing.T) {
	for _, kind := range []string{"concat", "sum"} {
		rng := rand.New(rand.NewPCG(1, 2))
		dims := []int{3, 2, 4}
		f, err := model.NewFusion(kind, []string{"a", "b", "c"}, dims, 5, rng)
		if err != nil {
			t.Fatal(err)
		}
		z := []*nn.Tensor{randTensor(rng, 6, 3), randTensor(rng, 6, 2), randTensor(rng, 6, 4)}
		g := randTensor(rng, 6, 5)
		f.Forward(z, true)
		want := f.Backward(g)
		var wantGrads [][]float32
		for _, p := range f.Params() {
			wantGrads = append(wantGrads, append([]float32(nil), p.Grad.Data...))
			p.Grad.Zero()
		}
		got, err := Backward(f, z, []*nn.Tensor{g, g, g})
		if err != nil {
			t.Fatal(err)
		}
		for m := range z {
			for i := range want[m].Data {
				if math.Abs(float64(got[m].Data[i]-want[m].Data[i])) > 1e-5 {
					t.Fatalf("%s: dz[%d] = %v, want %v", kind, m, got[m].Data, want[m].Data)
				}
			}
		}
		for k, p := range f.Params() {
			for i := range p.Grad.Data {
				if math.Abs(float64(p.Grad.Data[i]-wantGrads[k][i])) > 1e-5 {
					t.Fatalf("%s: %s grad = %v, want %v", kind, p.Name, p.Grad.Data, wantGrads[k])
				}
			}
		}
	}
}

// TestBackwardOneModality: a loss on one modality's partial logits reaches
// only its weight columns and the bias share 1/M.
func TestBackwardOneModality(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	f, _ := model.NewFusion("concat", []string{"a", "b"}, []int{2, 2}, 2, rng)
	z := []*nn.Tensor{nn.FromSlice([]float32{1, 2}, 1, 2), nn.FromSlice([]float32{3, 4}, 1, 2)}
	d := nn.FromSlice([]float32{1, -1}, 1, 2)
	dz, err := Backward(f, z, []*nn.Tensor{nil, d})
	if err != nil {
		t.Fatal(err)
	}
	if dz[0] != nil {
		t.Fatalf("gradient for a modality without loss: %v", dz[0].Data)
	}
	c := f.(*model.Concat)
	// W row 0 columns 2,3 get +z_b, row 1 gets -z_b; columns 0,1 nothing.
	want := []float32{0, 0, 3, 4, 0, 0, -3, -4}
	for i, v := range want {
		if c.FC.W.Grad.Data[i] != v {
			t.Fatalf("W grad = %v, want %v", c.FC.W.Grad.Data, want)
		}
	}
	if c.FC.B.Grad.Data[0] != 0.5 || c.FC.B.Grad.Data[1] != -0.5 {
		t.Fatalf("b grad = %v, want [0.5 -0.5]", c.FC.B.Grad.Data)
	}
	w := c.FC.W.Value.Data
	if got, want := dz[1].Data[0], w[2]-w[6]; math.Abs(float64(got-want)) > 1e-6 {
		t.Fatalf("dz_b[0] = %v, want %v", got, want)
	}
}

func TestBackwardRefusesHeadsWithoutPartials(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	f, _ := model.NewFusion("film", []string{"a", "b"}, []int{2, 2}, 2, rng)
	z := []*nn.Tensor{nn.NewTensor(1, 2), nn.NewTensor(1, 2)}
	if _, err := Backward(f, z, []*nn.Tensor{nil, nil}); err == nil {
		t.Fatal("Backward accepted a film head")
	}
	c, _ := model.NewFusion("concat", []string{"a", "b"}, []int{2, 2}, 2, rng)
	if _, err := Backward(c, z, []*nn.Tensor{nn.NewTensor(1, 3), nil}); err == nil {
		t.Fatal("Backward accepted a gradient of the wrong width")
	}
}
