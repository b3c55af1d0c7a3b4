package mla

import (
	"github.com/miebench/miebench/methods/methodtest"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// mlaHeadGrad returns dCE/dW and dCE/db of a linear head (W, b) on
// features z with labels y.
func mlaHeadGrad(w, bias, z *nn.Tensor, y []int) (gw, gb *nn.Tensor) {
	c, d := w.Shape[0], w.Shape[1]
	logits := nn.NewTensor(z.Rows(), c)
	for i := range z.Rows() {
		for k := range c {
			s := bias.Data[k]
			for j := range d {
				s += z.Row(i)[j] * w.Data[k*d+j]
			}
			logits.Data[i*c+k] = s
		}
	}
	_, dl := nn.SoftmaxCrossEntropy(logits, y)
	gw, gb = nn.NewTensor(c, d), nn.NewTensor(c)
	for i := range z.Rows() {
		for k := range c {
			gb.Data[k] += dl.Data[i*c+k]
			for j := range d {
				gw.Data[k*d+j] += dl.Data[i*c+k] * z.Row(i)[j]
			}
		}
	}
	return gw, gb
}

// TestMLAStepAlternates replays one MLA step by hand: features computed once,
// the shared head updated on modality 0's CE, then on modality 1's CE with
// the new head, the second weight gradient projected by P (updated with
// modality 1's batch-mean feature, alpha_0 = 0.1) when project is on; the
// very first update is never projected.
func TestMLAStepAlternates(t *testing.T) {
	const lr = 0.5
	for _, project := range []bool{false, true} {
		m := &MLA{Project: project, Inference: mlaFixed}
		r := methodtest.MLPRun(t, m, []int{5, 5}, lr, nil)
		b := methodtest.RandomBatch(2, 6, 3)
		z := []*nn.Tensor{
			r.Model.Encoders[0].Forward(b.X[0], true).Clone(),
			r.Model.Encoders[1].Forward(b.X[1], true).Clone(),
		}
		w, bias := m.head.W.Value.Clone(), m.head.B.Value.Clone()
		enc0 := r.Model.Encoders[0].Params()[0].Value.Clone()
		enc1 := r.Model.Encoders[1].Params()[0].Value.Clone()
		for i, zi := range z {
			gw, gb := mlaHeadGrad(w, bias, zi, b.Y)
			if project && i == 1 {
				p := newMLAProjector(5)
				if err := p.update(mlaBatchMean(zi), 0.1); err != nil {
					t.Fatal(err)
				}
				if err := p.apply(gw); err != nil {
					t.Fatal(err)
				}
			}
			nn.Axpy(-lr, gw, w)
			nn.Axpy(-lr, gb, bias)
		}
		if _, err := m.Step(r, b); err != nil {
			t.Fatal(err)
		}
		for i, v := range w.Data {
			if math.Abs(float64(m.head.W.Value.Data[i]-v)) > 1e-5 {
				t.Fatalf("project=%v: head weight[%d] = %v, want %v", project, i, m.head.W.Value.Data[i], v)
			}
		}
		for i, v := range bias.Data {
			if math.Abs(float64(m.head.B.Value.Data[i]-v)) > 1e-5 {
				t.Fatalf("project=%v: head bias[%d] = %v, want %v", project, i, m.head.B.Value.Data[i], v)
			}
		}
		if methodtest.Same(enc0, r.Model.Encoders[0].Params()[0].Value) || methodtest.Same(enc1, r.Model.Encoders[1].Params()[0].Value) {
			t.Errorf("project=%v: an encoder was not updated", project)
		}
	}
}

func TestMLASetupRejectsUnequalWidths(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	md, err := model.New(model.Config{
		Modalities: []string{"a", "v"}, Shapes: [][]int{{4}, {4}}, Fusion: "concat", NumClasses: 3,
		Encoders: []model.EncoderConfig{{Kind: "mlp", Dim: 5}, {Kind: "mlp", Dim: 6}},
	}, rng)
	if err != nil {
		t.Fatal(err)
	}
	if err := (&MLA{Inference: mlaFixed}).Setup(&methods.Run{Model: md, InitRNG: rng}); err == nil {
		t.Fatal("feature widths 5 and 6: want an error for the shared head")
	}
}
