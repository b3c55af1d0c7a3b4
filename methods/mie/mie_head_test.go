package mie

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/nn"
)

// TestMIEHeadGradient checks the head's backward pass against central
// finite differences of L = Σ w ⊙ head(x), for every parameter and the input.
func TestMIEHeadGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, in, c = 3, 5, 4
	h := newMIEHead("audio", in, c, rng)
	x := nn.NewTensor(n, in)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	w := nn.NewTensor(n, c)
	for i := range w.Data {
		w.Data[i] = float32(rng.NormFloat64())
	}
	loss := func() float64 {
		y := h.Forward(x, false)
		var s float64
		for i, v := range y.Data {
			s += float64(v) * float64(w.Data[i])
		}
		return s
	}
	h.Forward(x, true)
	dx := h.Backward(w).Clone()
	check := func(name string, vals, grads []float32, idx []int) {
		for _, i := range idx {
			old := vals[i]
			const e = 1e-2
			vals[i] = old + e
			lp := loss()
			vals[i] = old - e
			lm := loss()
			vals[i] = old
			fd := (lp - lm) / (2 * e)
			if math.Abs(fd-float64(grads[i])) > 2e-3*(1+math.Abs(fd)) {
				t.Errorf("%s[%d]: backward %v, finite difference %v", name, i, grads[i], fd)
			}
		}
	}
	for _, p := range h.Params() {
		if p.Group != "head/audio" {
			t.Errorf("%s: group %q, want head/audio", p.Name, p.Group)
		}
		idx := []int{0, len(p.Value.Data) / 2, len(p.Value.Data) - 1}
		check(p.Name, p.Value.Data, p.Grad.Data, idx)
	}
	check("x", x.Data, dx.Data, []int{0, 7, n*in - 1})
	if len(h.Params()) != 6 || h.fc[0].W.Name != "head.audio.fc1.weight" {
		t.Errorf("params: %d, first %q; want 6 starting head.audio.fc1.weight", len(h.Params()), h.fc[0].W.Name)
	}
	// forwardInputs returns the same logits and each layer's input.
	y, ins := h.forwardInputs(x)
	y2 := h.Forward(x, false)
	for i := range y.Data {
		if y.Data[i] != y2.Data[i] {
			t.Fatal("forwardInputs logits differ from Forward")
		}
	}
	if ins[0] != x || ins[1].RowLen() != mieHidden1 || ins[2].RowLen() != mieHidden2 {
		t.Fatalf("layer inputs of widths %d, %d, %d", ins[0].RowLen(), ins[1].RowLen(), ins[2].RowLen())
	}
}
