package umt

import (
	"math"
	"math/rand/v2"
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

func TestFrozenTeacherSwap(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	enc := nn.NewMLPEncoder("enc.a", 3, []int{4}, 2, rng)
	x := nn.FromSlice([]float32{1, -2, 0.5, 0, 1, 1}, 2, 3)
	teacherOut := enc.Forward(x, false).Clone()
	f := newFrozen(enc)
	// The student moves away from the teacher.
	for _, p := range enc.Params() {
		for i := range p.Value.Data {
			p.Value.Data[i] += 0.5
		}
	}
	student := append([]float32(nil), enc.Params()[0].Value.Data...)
	got := f.features(enc, x)
	for i := range got.Data {
		if got.Data[i] != teacherOut.Data[i] {
			t.Fatalf("teacher features %v, want %v", got.Data, teacherOut.Data)
		}
	}
	for i, v := range enc.Params()[0].Value.Data {
		if v != student[i] {
			t.Fatal("the student's weights were not restored after the teacher pass")
		}
	}
}
