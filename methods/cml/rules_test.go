package cml

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/methods/gradcheck"
	"github.com/miebench/miebench/nn"
)

var ln3 = float32(math.Log(3))

func TestConfidence(t *testing.T) {
	conf, _, arg := confidence(nn.FromSlice([]float32{0, ln3, 0, 0, 2, 2}, 3, 2))
	want := []float64{0.75, 0.5, 0.5}
	wantArg := []int{1, 0, 0} // ties: the first maximum
	for i := range want {
		if math.Abs(conf[i]-want[i]) > 1e-7 || arg[i] != wantArg[i] {
			t.Fatalf("confidence = %v %v, want %v %v", conf, arg, want, wantArg)
		}
	}
}

func TestHinge(t *testing.T) {
	cases := []struct {
		name       string
		full, red  []float64
		perSample  bool
		want       float64
		wantWeight []float64
	}{
		// Released: one hinge on the batch sum; opposite differences cancel.
		{"sum cancels", []float64{0.75, 0.5}, []float64{0.5, 0.75}, false, 0, []float64{0, 0}},
		{"sum positive", []float64{0.5, 0.5}, []float64{0.75, 0.5}, false, 0.25, []float64{1, 1}},
		{"sum negative", []float64{0.9, 0.9}, []float64{0.5, 0.95}, false, 0, []float64{0, 0}},
		// Per sample: mean of the positive parts.
		{"per sample", []float64{0.75, 0.5}, []float64{0.5, 0.75}, true, 0.125, []float64{0, 0.5}},
		{"per sample all below", []float64{0.9, 0.9}, []float64{0.5, 0.6}, true, 0, []float64{0, 0}},
	}
	for _, c := range cases {
		h, w := hinge(c.full, c.red, c.perSample)
		if math.Abs(h-c.want) > 1e-12 {
			t.Errorf("%s: hinge = %v, want %v", c.name, h, c.want)
		}
		for i := range w {
			if w[i] != c.wantWeight[i] {
				t.Errorf("%s: weights = %v, want %v", c.name, w, c.wantWeight)
				break
			}
		}
	}
}

func TestLossValue(t *testing.T) {
	full := nn.FromSlice([]float32{0, ln3, 0, 0}, 2, 2)
	red := nn.FromSlice([]float32{0, 0, ln3, 0}, 2, 2)
	y := []int{1, 0}
	ce := (-math.Log(0.75) - math.Log(0.5)) / 2
	cases := []struct {
		perSample bool
		want      float64
	}{
		{false, ce},            // (ce + ce)/2 + 0.1 * 0
		{true, ce + 0.1*0.125}, // per-sample hinge 0.125
	}
	for _, c := range cases {
		tr, _, err := loss([]*nn.Tensor{full, red}, y, 0.1, c.perSample)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(tr.Loss-c.want) > 1e-6 {
			t.Errorf("perSample %v: loss = %v, want %v (terms %+v)", c.perSample, tr.Loss, c.want, tr)
		}
	}
	if _, _, err := loss([]*nn.Tensor{full}, y, 0.1, false); err == nil {
		t.Error("loss accepted a single output")
	}
	if _, _, err := loss([]*nn.Tensor{full, nn.NewTensor(3, 2)}, y, 0.1, false); err == nil {
		t.Error("loss accepted an output with 3 rows for 2 labels")
	}
}

// TestLossGradient compares dL/douts with central differences for a chain
// of three outputs (M = 3) and both hinge readings, at random logits where
// the hinges are active.
func TestLossGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, c := 4, 3
	for _, perSample := range []bool{false, true} {
		outs := make([]*nn.Tensor, 3)
		for k := range outs {
			outs[k] = nn.NewTensor(n, c)
			for i := range outs[k].Data {
				// Reduced outputs sharper than the full one, so the hinge is on.
				outs[k].Data[i] = float32(rng.NormFloat64() * float64(1+k))
			}
		}
		y := []int{0, 1, 2, 1}
		f := func() float64 {
			tr, _, err := loss(outs, y, 0.5, perSample)
			if err != nil {
				t.Fatal(err)
			}
			return tr.Loss
		}
		tr, grads, _ := loss(outs, y, 0.5, perSample)
		if tr.Hinge[0] == 0 && tr.Hinge[1] == 0 {
			t.Fatalf("perSample %v: no active hinge, test point uninformative", perSample)
		}
		const h = 1e-3
		for k, o := range outs {
			for i, num := range gradcheck.Numerical(o.Data, h, f) {
				if got := float64(grads[k].Data[i]); math.Abs(num-got) > 2e-3 {
					t.Errorf("perSample %v: dL/dout%d[%d] = %v, numerical %v", perSample, k, i, got, num)
				}
			}
		}
	}
}
