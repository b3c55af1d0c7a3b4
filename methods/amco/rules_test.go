package amco

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/nn"
)

func TestMaskFraction(t *testing.T) {
	cases := []struct {
		epoch, batch int
		want         float64
	}{
		{0, 0, 0}, {0, 50, 0}, // epoch 0: l_t stays 0
		{1, 0, 0},
		{1, 1, 0.5},              // sin(pi/2 * 0.1/0.3) = sin(pi/6)
		{1, 2, math.Sqrt(3) / 2}, // sin(pi/3)
		{1, 3, 1}, {1, 30, 1},    // l_t >= eps
		{3, 1, 1},                     // l_t = 0.3
		{2, 1, math.Sin(math.Pi / 3)}, // l_t = 0.2
	}
	for _, c := range cases {
		if got := maskFraction(maskLevel(c.epoch, c.batch), 0.3); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("epoch %d batch %d: pt = %v, want %v", c.epoch, c.batch, got, c.want)
		}
	}
}

func TestClassMask(t *testing.T) {
	cases := []struct {
		pt    float64
		zeros int
	}{{0, 0}, {0.5, 3}, {0.86, 5}, {1, 6}, {0.99, 5}}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range cases {
		m := classMask(6, c.pt, rng)
		zeros := 0
		for _, v := range m {
			if v == 0 {
				zeros++
			} else if v != 1 {
				t.Fatalf("mask value %v, want 0 or 1", v)
			}
		}
		if zeros != c.zeros {
			t.Errorf("pt %v: %d classes masked of 6, want %d (mask %v)", c.pt, zeros, c.zeros, m)
		}
	}
	// The masked classes are chosen at random: not always the last ones.
	moved := false
	for range 20 {
		if m := classMask(6, 0.5, rng); m[5] != 0 || m[4] != 0 || m[3] != 0 {
			moved = true
		}
	}
	if !moved {
		t.Error("classMask always masks the last classes")
	}
}

func TestDependence(t *testing.T) {
	// Row 0: audio logits (ln 3, ln 3), visual (0, 0): joint softmax mass
	// 6/8 on audio. Row 1: all zero, 1/2 each. Mean audio share 0.625.
	ln3 := float32(math.Log(3))
	a := nn.FromSlice([]float32{ln3, ln3, 0, 0}, 2, 2)
	v := nn.FromSlice([]float32{0, 0, 0, 0}, 2, 2)
	share, dep, err := dependence([]*nn.Tensor{a, v}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(share[0]-0.625) > 1e-7 || math.Abs(share[1]-0.375) > 1e-7 || !dep[0] || dep[1] {
		t.Fatalf("share %v dependent %v, want [0.625 0.375] [true false]", share, dep)
	}
	// Equal shares: nobody exceeds sigma 0.5.
	_, dep, _ = dependence([]*nn.Tensor{v, v}, 0.5)
	if dep[0] || dep[1] {
		t.Fatalf("equal shares marked dependent: %v", dep)
	}
	if _, _, err := dependence([]*nn.Tensor{a, nn.NewTensor(2, 3)}, 0.5); err == nil {
		t.Fatal("dependence accepted logits of different widths")
	}
}

func TestApplyMask(t *testing.T) {
	x := nn.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	applyMask(x, []float32{1, 0, 1})
	want := []float32{1, 0, 3, 4, 0, 6}
	for i := range want {
		if x.Data[i] != want[i] {
			t.Fatalf("masked = %v, want %v", x.Data, want)
		}
	}
}
