package grads

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

func params() []*nn.Param {
	a, b := nn.NewParam("a", 2), nn.NewParam("b", 1, 2)
	copy(a.Grad.Data, []float32{1, 2})
	copy(b.Grad.Data, []float32{3, 4})
	return []*nn.Param{a, b}
}

func TestSetOperations(t *testing.T) {
	cases := []struct {
		name string
		edit func(ps []*nn.Param, s Set) error
		want []float64
	}{
		{"restore after zero", func(ps []*nn.Param, s Set) error { Zero(ps); return s.Restore(ps) }, []float64{1, 2, 3, 4}},
		{"add twice the copy", func(ps []*nn.Param, s Set) error { return s.AddTo(ps, 2) }, []float64{3, 6, 9, 12}},
		{"scale", func(ps []*nn.Param, _ Set) error { Scale(ps, -0.5); return nil }, []float64{-0.5, -1, -1.5, -2}},
		{"unflatten", func(ps []*nn.Param, _ Set) error { return Unflatten(ps, []float64{4, 3, 2, 1}) }, []float64{4, 3, 2, 1}},
	}
	for _, c := range cases {
		ps := params()
		s := Capture(ps)
		if err := c.edit(ps, s); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := Flatten(ps)
		for i := range c.want {
			if got[i] != c.want[i] {
				t.Errorf("%s: gradients %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

func TestShapeMismatchesAreErrors(t *testing.T) {
	ps := params()
	s := Capture(ps[:1])
	if err := s.Restore(ps); err == nil {
		t.Error("Restore of a one-tensor copy into two parameters: want an error")
	}
	if err := Unflatten(ps, []float64{1}); err == nil {
		t.Error("Unflatten of 1 value into 4: want an error")
	}
}

func TestDotAndNorm(t *testing.T) {
	if d := Dot([]float64{1, 2}, []float64{3, 4}); d != 11 {
		t.Errorf("Dot = %v, want 11", d)
	}
	if n := Norm([]float64{3, 4}); n != 5 {
		t.Errorf("Norm = %v, want 5", n)
	}
}

// TestTwoLossesKeptApart back-propagates two losses through one encoder
// after a single forward pass, capturing the encoder's gradient after each:
// the captures are the losses' separate gradients and their sum is the
// gradient of the summed loss (what MMPareto needs).
func TestTwoLossesKeptApart(t *testing.T) {
	for _, kind := range []string{"mlp", "cnn"} {
		cfg := model.Config{Modalities: []string{"a", "v"}, Fusion: "concat", NumClasses: 3,
			Shapes:   [][]int{{1, 4, 4}, {1, 4, 4}},
			Encoders: []model.EncoderConfig{{Kind: kind, Widths: []int{4}, Dim: 4}, {Kind: kind, Widths: []int{4}, Dim: 4}}}
		md, err := model.New(cfg, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		head := nn.NewLinear("aux", 4, 3, rand.New(rand.NewPCG(3, 4)))
		r := &methods.Run{Model: md}
		rng := rand.New(rand.NewPCG(5, 6))
		b := &methods.Batch{X: []*nn.Tensor{nn.NewTensor(4, 1, 4, 4), nn.NewTensor(4, 1, 4, 4)}, Y: []int{0, 1, 2, 0}}
		for _, x := range b.X {
			for i := range x.Data {
				x.Data[i] = float32(rng.NormFloat64())
			}
		}
		enc := methods.EncoderParams(r, 0)
		run := func(fused, aux bool) Set {
			Zero(md.Params())
			z := methods.Encode(r, b, true)
			logits := methods.Fuse(r, z, true)
			auxLogits := head.Forward(z[0], true)
			var g1 Set
			if fused {
				_, d := nn.SoftmaxCrossEntropy(logits, b.Y)
				methods.BackwardEncoders(r, methods.BackwardFusion(r, d))
				g1 = Capture(enc)
				Zero(enc)
			}
			if aux {
				_, d := nn.SoftmaxCrossEntropy(auxLogits, b.Y)
				md.Encoders[0].Backward(head.Backward(d))
			}
			if g1 != nil {
				if err := g1.AddTo(enc, 1); err != nil {
					t.Fatal(err)
				}
			}
			return Capture(enc)
		}
		g1 := run(true, false).Flat()
		g2 := run(false, true).Flat()
		both := run(true, true).Flat()
		for i := range both {
			if math.Abs(both[i]-(g1[i]+g2[i])) > 1e-5*(1+math.Abs(both[i])) {
				t.Fatalf("%s encoder: gradient %d of the two losses back-propagated in turn is %v, want %v + %v", kind, i, both[i], g1[i], g2[i])
			}
		}
		if Norm(g1) == 0 || Norm(g2) == 0 {
			t.Fatalf("%s encoder: a loss gave a zero gradient", kind)
		}
	}
}
