package methods

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// mlaTestRun builds a two- or three-modality model with mlp encoders of the
// given feature widths, runs method's Setup and attaches plain SGD
// (no momentum, no weight decay) with learning rate lr.
func mlaTestRun(t *testing.T, method Method, dims []int, lr float64, loop Loop) *Run {
	t.Helper()
	rng := rand.New(rand.NewPCG(11, 12))
	cfg := model.Config{Fusion: "concat", NumClasses: 3}
	for i, d := range dims {
		cfg.Modalities = append(cfg.Modalities, "m"+string(rune('0'+i)))
		cfg.Shapes = append(cfg.Shapes, []int{4})
		cfg.Encoders = append(cfg.Encoders, model.EncoderConfig{Kind: "mlp", Widths: []int{6}, Dim: d})
	}
	md, err := model.New(cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	r := &Run{Model: md, RNG: rand.New(rand.NewPCG(1, 2)), InitRNG: rng, Epochs: 6, BatchesPerEpoch: 4, Loop: loop, Log: func(string, float64) {}}
	if err := method.Setup(r); err != nil {
		t.Fatal(err)
	}
	r.Opt = nn.NewSGD([]nn.ParamGroup{{Name: "all", Params: md.Params(), LR: lr}}, 0, false)
	return r
}

// mlaTestBatch is a random batch of n samples for m modalities of width 4.
func mlaTestBatch(m, n int, seed uint64) *Batch {
	rng := rand.New(rand.NewPCG(seed, 5))
	b := &Batch{Y: make([]int, n)}
	for range m {
		x := nn.NewTensor(n, 4)
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
		}
		b.X = append(b.X, x)
	}
	for i := range b.Y {
		b.Y[i] = i % 3
	}
	return b
}

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
		r := mlaTestRun(t, m, []int{5, 5}, lr, nil)
		b := mlaTestBatch(2, 6, 3)
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
		if mlaSame(enc0, r.Model.Encoders[0].Params()[0].Value) || mlaSame(enc1, r.Model.Encoders[1].Params()[0].Value) {
			t.Errorf("project=%v: an encoder was not updated", project)
		}
	}
}

func mlaSame(a, b *nn.Tensor) bool {
	for i := range a.Data {
		if a.Data[i] != b.Data[i] {
			return false
		}
	}
	return true
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
	if err := (&MLA{Inference: mlaFixed}).Setup(&Run{Model: md, InitRNG: rng}); err == nil {
		t.Fatal("feature widths 5 and 6: want an error for the shared head")
	}
}
