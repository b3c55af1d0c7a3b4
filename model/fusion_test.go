package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/nn"
)

func randTensor(rng *rand.Rand, shape ...int) *nn.Tensor {
	t := nn.NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = float32(rng.NormFloat64())
	}
	return t
}

// lossOf is sum(out * w) for a fixed random w, a scalar whose gradient with
// respect to out is w.
func lossOf(out, w *nn.Tensor) float64 {
	s := 0.0
	for i, v := range out.Data {
		s += float64(v) * float64(w.Data[i])
	}
	return s
}

// TestFusionGradients checks every fusion head's Backward against central
// finite differences with respect to its inputs and its parameters.
func TestFusionGradients(t *testing.T) {
	const n, classes, eps, tol = 3, 4, 1e-2, 2e-2
	for _, kind := range Fusions {
		t.Run(kind, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			dims := []int{5, 6}
			f, err := NewFusion(kind, []string{"a", "v"}, dims, classes, rng)
			if err != nil {
				t.Fatal(err)
			}
			z := []*nn.Tensor{randTensor(rng, n, dims[0]), randTensor(rng, n, dims[1])}
			w := randTensor(rng, n, classes)
			for _, p := range f.Params() {
				p.Grad.Zero()
			}
			f.Forward(z, true)
			dz := f.Backward(w)
			numeric := func(x []float32, i int) float64 {
				old := x[i]
				x[i] = old + eps
				lp := lossOf(f.Forward(z, true), w)
				x[i] = old - eps
				lm := lossOf(f.Forward(z, true), w)
				x[i] = old
				return (lp - lm) / (2 * eps)
			}
			for m := range z {
				for i := range z[m].Data {
					num, ana := numeric(z[m].Data, i), float64(dz[m].Data[i])
					if math.Abs(num-ana) > tol*(1+math.Abs(num)) {
						t.Errorf("dL/dz[%d][%d]: analytic %v, numeric %v", m, i, ana, num)
					}
				}
			}
			for _, p := range f.Params() {
				for i := range p.Value.Data {
					num, ana := numeric(p.Value.Data, i), float64(p.Grad.Data[i])
					if math.Abs(num-ana) > tol*(1+math.Abs(num)) {
						t.Errorf("%s[%d]: analytic %v, numeric %v", p.Name, i, ana, num)
					}
				}
			}
		})
	}
}

// TestPartialLogitsDecompose checks that the partial logits of concat and
// sum add up to the fused logits (concat shares its bias 1/M per modality;
// sum gives each branch its full bias, so the sum counts the bias M times).
func TestPartialLogitsDecompose(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	dims := []int{3, 2, 4}
	mods := []string{"a", "b", "c"}
	for _, kind := range []string{"concat", "sum"} {
		f, err := NewFusion(kind, mods, dims, 5, rng)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range f.Params() {
			if len(p.Value.Shape) == 1 {
				for i := range p.Value.Data {
					p.Value.Data[i] = float32(rng.NormFloat64())
				}
			}
		}
		z := []*nn.Tensor{randTensor(rng, 2, 3), randTensor(rng, 2, 2), randTensor(rng, 2, 4)}
		out := f.Forward(z, false)
		parts := f.Partial(z)
		if len(parts) != 3 {
			t.Fatalf("%s: %d partial logits, want 3", kind, len(parts))
		}
		for i := range out.Data {
			sum := 0.0
			for _, p := range parts {
				sum += float64(p.Data[i])
			}
			if math.Abs(sum-float64(out.Data[i])) > 1e-4 {
				t.Errorf("%s: partial logits sum to %v at %d, fused %v", kind, sum, i, out.Data[i])
			}
		}
	}
}

// TestConcatPartialHandComputed checks out_m = z_m W_m^T + b/M on numbers.
func TestConcatPartialHandComputed(t *testing.T) {
	f, err := NewFusion("concat", []string{"a", "v"}, []int{1, 2}, 2, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	c := f.(*Concat)
	copy(c.FC.W.Value.Data, []float32{1, 2, 3, 4, 5, 6}) // W = [[1 2 3] [4 5 6]]
	copy(c.FC.B.Value.Data, []float32{10, 20})
	parts := f.Partial([]*nn.Tensor{nn.FromSlice([]float32{1}, 1, 1), nn.FromSlice([]float32{1, 2}, 1, 2)})
	// audio: [1*1 + 5, 1*4 + 10] = [6, 14]; visual: [2*1+3*2 + 5, 5*1+6*2 + 10] = [13, 27]
	want := [][]float32{{6, 14}, {13, 27}}
	for m := range want {
		for i, v := range want[m] {
			if parts[m].Data[i] != v {
				t.Errorf("partial[%d] = %v, want %v", m, parts[m].Data, want[m])
				break
			}
		}
	}
}

func TestCheckFusion(t *testing.T) {
	tests := []struct {
		kind string
		m    int
		ok   bool
	}{
		{"concat", 3, true}, {"sum", 2, true}, {"film", 2, true}, {"gated", 2, true},
		{"film", 3, false}, {"gated", 3, false}, {"bilinear", 2, false},
	}
	for _, tc := range tests {
		if err := CheckFusion(tc.kind, tc.m); (err == nil) != tc.ok {
			t.Errorf("CheckFusion(%q, %d) = %v, want ok=%v", tc.kind, tc.m, err, tc.ok)
		}
	}
}

// TestEvaluationForwardKeepsTrainingCache: an evaluation Forward between a
// training Forward and its Backward leaves the gradients unchanged.
func TestEvaluationForwardKeepsTrainingCache(t *testing.T) {
	for _, kind := range []string{"film", "gated"} {
		grads := func(interleave bool) []float32 {
			rng := rand.New(rand.NewPCG(5, 6))
			f, err := NewFusion(kind, []string{"a", "v"}, []int{3, 4}, 2, rng)
			if err != nil {
				t.Fatal(err)
			}
			z := []*nn.Tensor{randTensor(rng, 2, 3), randTensor(rng, 2, 4)}
			other := []*nn.Tensor{randTensor(rng, 5, 3), randTensor(rng, 5, 4)}
			out := f.Forward(z, true)
			w := randTensor(rng, out.Shape...)
			if interleave {
				f.Forward(other, false)
			}
			dz := f.Backward(w)
			return append(append([]float32(nil), dz[0].Data...), dz[1].Data...)
		}
		a, b := grads(false), grads(true)
		for i := range a {
			if a[i] != b[i] {
				t.Errorf("%s: an evaluation Forward changed the gradient at %d: %v vs %v", kind, i, a[i], b[i])
				break
			}
		}
	}
}

func TestNewEncoderRejectsTooSmallCNNInput(t *testing.T) {
	_, err := NewEncoder("enc.a", []int{1, 3, 3}, EncoderConfig{Kind: "cnn", Widths: []int{4, 8}}, rand.New(rand.NewPCG(1, 1)))
	if err == nil {
		t.Error("a 3x3 input for two pooling blocks: want an error, not a panic")
	}
}

// TestEncoderInitDoesNotDependOnOtherModules: with a stream per module, the
// visual encoder's initial weights are the same with or without other
// modalities and whatever the fusion head.
func TestEncoderInitDoesNotDependOnOtherModules(t *testing.T) {
	streams := func(module string) *rand.Rand {
		var seed uint64
		for _, c := range module {
			seed = seed*131 + uint64(c)
		}
		return rand.New(rand.NewPCG(seed, 1))
	}
	mlp := EncoderConfig{Kind: "mlp", Widths: []int{5}, Dim: 4}
	configs := []Config{
		{Modalities: []string{"visual"}, Shapes: [][]int{{3}}, Encoders: []EncoderConfig{mlp}, NumClasses: 3},
		{Modalities: []string{"audio", "visual"}, Shapes: [][]int{{7}, {3}}, Encoders: []EncoderConfig{{Kind: "mlp", Dim: 6}, mlp}, Fusion: "concat", NumClasses: 3},
		{Modalities: []string{"audio", "depth", "visual"}, Shapes: [][]int{{7}, {2}, {3}}, Encoders: []EncoderConfig{{Kind: "mlp", Dim: 6}, {Kind: "mlp", Dim: 4}, mlp}, Fusion: "sum", NumClasses: 3},
	}
	var ref []*nn.Param
	for i, cfg := range configs {
		md, err := NewFromStreams(cfg, streams)
		if err != nil {
			t.Fatal(err)
		}
		ps := md.Encoders[len(cfg.Modalities)-1].Params()
		if i == 0 {
			ref = ps
			continue
		}
		for j, p := range ps {
			for k, v := range p.Value.Data {
				if v != ref[j].Value.Data[k] {
					t.Fatalf("config %d (%v, fusion %q): visual parameter %s differs from the visual-only model's", i, cfg.Modalities, cfg.Fusion, p.Name)
				}
			}
		}
	}
}
