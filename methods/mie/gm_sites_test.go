package mie

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// TestMIEMeanPatchHandComputed checks the im2col patch means on numbers.
func TestMIEMeanPatchHandComputed(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		name           string
		k, stride, pad int
		x              []float32
		shape          []int
		want           []float32
	}{
		// 2x2 input, 2x2 kernel, no padding: one position, the patch itself.
		{"valid", 2, 1, 0, []float32{1, 2, 3, 4}, []int{1, 1, 2, 2}, []float32{1, 2, 3, 4}},
		// padding 1: 3x3 positions, each kernel offset sees every pixel once: 10/9.
		{"padded", 2, 1, 1, []float32{1, 2, 3, 4}, []int{1, 1, 2, 2}, []float32{10.0 / 9, 10.0 / 9, 10.0 / 9, 10.0 / 9}},
		// 1x1 kernel, stride 2 over 3x3: positions (0,0),(0,2),(2,0),(2,2): mean of 1,3,7,9.
		{"strided", 1, 2, 0, []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, []int{1, 1, 3, 3}, []float32{5}},
		// a batch of two averages over both samples.
		{"batch", 1, 1, 0, []float32{1, 1, 1, 1, 3, 3, 3, 3}, []int{2, 1, 2, 2}, []float32{2}},
	}
	for _, tc := range tests {
		c := nn.NewConv2D("c", 1, 1, tc.k, tc.k, tc.stride, tc.pad, false, rng)
		got := mieMeanPatch(c, nn.FromSlice(tc.x, tc.shape...))
		for i, w := range tc.want {
			if math.Abs(float64(got.Data[i]-w)) > 1e-6 {
				t.Errorf("%s: mean patch %v, want %v", tc.name, got.Data, tc.want)
				break
			}
		}
	}
}

// TestMIEMeanPatchMatchesIm2col compares the patch means with an explicit
// im2col on a random multi-channel input with stride and padding.
func TestMIEMeanPatchMatchesIm2col(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	const n, cin, h, w, k, stride, pad = 3, 2, 5, 4, 3, 2, 1
	c := nn.NewConv2D("c", cin, 4, k, k, stride, pad, false, rng)
	x := nn.NewTensor(n, cin, h, w)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	oh, ow := c.OutSize(h, w)
	want := make([]float64, cin*k*k)
	for b := range n {
		for o := range oh {
			for q := range ow {
				for ci := range cin {
					for ki := range k {
						for kj := range k {
							r, col := o*stride+ki-pad, q*stride+kj-pad
							if r >= 0 && r < h && col >= 0 && col < w {
								want[(ci*k+ki)*k+kj] += float64(x.Data[((b*cin+ci)*h+r)*w+col])
							}
						}
					}
				}
			}
		}
	}
	got := mieMeanPatch(c, x)
	for i := range want {
		if w := want[i] / float64(n*oh*ow); math.Abs(float64(got.Data[i])-w) > 1e-5 {
			t.Errorf("entry %d: %v, want %v", i, got.Data[i], w)
		}
	}
}

// TestMIEConvScope: with gm_scope=encoder and cnn encoders, the convolutions
// are sites keyed by their name inside the encoder, the second stage
// modifies every shape-matching one (all convolutions but the first, whose
// input channels differ, plus the head's layers), and a modified
// convolution's gradient is G T with G viewed as [out, inC*kH*kW].
func TestMIEConvScope(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	md, err := model.New(model.Config{
		Modalities: []string{"a", "v"}, Shapes: [][]int{{1, 6, 6}, {2, 6, 6}}, Fusion: "concat", NumClasses: 3,
		Encoders: []model.EncoderConfig{{Kind: "cnn", Widths: []int{3, 4}}, {Kind: "cnn", Widths: []int{3, 4}}},
	}, rng)
	if err != nil {
		t.Fatal(err)
	}
	batch := func(seed uint64) *methods.Batch {
		r := rand.New(rand.NewPCG(seed, 9))
		b := &methods.Batch{Y: []int{0, 1, 2, 0}}
		for _, c := range []int{1, 2} {
			x := nn.NewTensor(4, c, 6, 6)
			for i := range x.Data {
				x.Data[i] = float32(r.NormFloat64())
			}
			b.X = append(b.X, x)
		}
		return b
	}
	loop := &mieFakeLoop{batches: []*methods.Batch{batch(1), batch(2), batch(3)}}
	m := mieTestMethod(t, map[string]any{"stages": "1", "gm_scope": "encoder"})
	r := &methods.Run{Model: md, RNG: rand.New(rand.NewPCG(1, 2)), InitRNG: rng, Epochs: 4, BatchesPerEpoch: 3, Loop: loop, Log: func(string, float64) {}}
	if err := m.Setup(r); err != nil {
		t.Fatal(err)
	}
	r.Opt = nn.NewSGD([]nn.ParamGroup{{Name: "all", Params: md.Params(), LR: 0.1}}, 0, false)
	sites, err := m.mieSites(md.Encoders[1], m.heads[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 5 || sites[0].key != "conv0.weight" || sites[1].key != "conv1.weight" || sites[2].key != "head.0" {
		t.Fatalf("sites %+v, want conv0.weight, conv1.weight, head.0..2", sites)
	}
	for e := range 2 {
		if err := m.StartEpoch(r, e); err != nil {
			t.Fatal(err)
		}
	}
	if len(m.mods) != 4 {
		t.Fatalf("second stage modifies %d layers, want 4 (conv1 and the three head layers)", len(m.mods))
	}
	mod := m.mods[0]
	if mod.w != sites[1].w {
		t.Fatalf("first modified layer %s, want %s", mod.w.Name, sites[1].w.Name)
	}
	for _, c := range []*nn.Conv2D{md.Encoders[0].(*nn.CNNEncoder).Body.Layers[0].(*nn.Conv2D)} {
		if c.Observe != nil {
			t.Error("an Observe hook was left on a convolution")
		}
	}
	// G T by hand for the modified convolution.
	g := mod.w.Grad
	for i := range g.Data {
		g.Data[i] = float32(rng.NormFloat64())
	}
	before := g.Clone()
	if err := mod.g.apply(g.Reshape(g.Shape[0], -1)); err != nil {
		t.Fatal(err)
	}
	out, dim := g.Shape[0], mod.g.dim
	for i := range out {
		for j := range dim {
			want := 0.0
			for l := range dim {
				want += float64(before.Data[i*dim+l]) * float64(mod.g.t[l*dim+j])
			}
			if math.Abs(want-float64(g.Data[i*dim+j])) > 1e-4 {
				t.Fatalf("(G T)[%d,%d] = %v, want %v", i, j, g.Data[i*dim+j], want)
			}
		}
	}
	if m.fraction <= 0 || m.fraction >= 1 {
		t.Errorf("gm_fraction %v, want strictly between 0 and 1", m.fraction)
	}
}
