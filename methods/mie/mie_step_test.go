package mie

import (
	"fmt"
	"github.com/miebench/miebench/methods/methodtest"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// mieFakeLoop records the order of the Loop calls MIE makes and serves a
// fixed list of training batches.
type mieFakeLoop struct {
	methodtest.LoopStub
	calls   []string
	batches []*methods.Batch
}

func (l *mieFakeLoop) TrainBatches(max int, fn func(b *methods.Batch) error) error {
	l.calls = append(l.calls, "batches")
	for i, b := range l.batches {
		if max > 0 && i >= max {
			break
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

func (l *mieFakeLoop) RestoreBest() bool { l.calls = append(l.calls, "restore"); return true }
func (l *mieFakeLoop) ResetOptimizer()   { l.calls = append(l.calls, "reset") }

func mieTestMethod(t *testing.T, params map[string]any) *MIE {
	t.Helper()
	spec, err := methods.Lookup("mie")
	if err != nil {
		t.Fatal(err)
	}
	h, err := methods.Resolve(spec.Params, params)
	if err != nil {
		t.Fatal(err)
	}
	m, err := newMIE(h, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMIEStageSchedule drives StartEpoch over two periods of "m0:2,m1:1":
// every stage start but the first restores the best model, then (with gm)
// reads the training batches for the previous modality's statistics, then
// resets the optimizer; other epochs call nothing. The modification matrices
// exist exactly for the head layers whose shapes match.
func TestMIEStageSchedule(t *testing.T) {
	for _, c := range []struct {
		gm      bool
		dims    []int
		matched []bool // per head layer, from the second stage on
	}{
		{true, []int{5, 5}, []bool{true, true, true}},
		{true, []int{5, 7}, []bool{false, true, true}},
		{false, []int{5, 5}, []bool{false, false, false}},
	} {
		loop := &mieFakeLoop{batches: []*methods.Batch{methodtest.RandomBatch(2, 6, 1), methodtest.RandomBatch(2, 6, 2)}}
		m := mieTestMethod(t, map[string]any{"stages": "m0:2,m1:1", "gm": c.gm})
		r := methodtest.MLPRun(t, m, c.dims, 0.1, loop)
		var switchCalls []string
		if c.gm {
			switchCalls = []string{"restore", "batches", "reset"}
		} else {
			switchCalls = []string{"restore", "reset"}
		}
		wantMod := []int{0, 0, 1, 0, 0, 1}
		for e := range 6 {
			loop.calls = nil
			if err := m.StartEpoch(r, e); err != nil {
				t.Fatal(err)
			}
			var want []string
			if e == 2 || e == 3 || e == 5 {
				want = switchCalls
			}
			name := fmt.Sprintf("gm=%v dims=%v epoch %d", c.gm, c.dims, e)
			if !reflect.DeepEqual(loop.calls, want) {
				t.Errorf("%s: loop calls %v, want %v", name, loop.calls, want)
			}
			if m.cur != wantMod[e] {
				t.Errorf("%s: current modality %d, want %d", name, m.cur, wantMod[e])
			}
			for l, fc := range m.heads[m.cur].fc {
				got := false
				for _, s := range m.mods {
					got = got || s.w == fc.W
				}
				if want := e >= 2 && c.matched[l]; got != want {
					t.Errorf("%s: head layer %d modified %v, want %v", name, l, got, want)
				}
			}
			if len(m.mods) > 3 {
				t.Errorf("%s: %d modified layers with gm_scope=head", name, len(m.mods))
			}
		}
	}
}

// TestMIEStepUpdatesCurrentModalityOnly: a step in modality 1's stage
// changes modality 1's encoder and head and nothing of modality 0, not even
// by weight decay or momentum (PyTorch skips parameters without gradient).
func TestMIEStepUpdatesCurrentModalityOnly(t *testing.T) {
	loop := &mieFakeLoop{batches: []*methods.Batch{methodtest.RandomBatch(2, 6, 1)}}
	m := mieTestMethod(t, map[string]any{"stages": "m1:1,m0:1", "rho": "0.01"})
	r := methodtest.MLPRun(t, m, []int{5, 5}, 0.1, loop)
	r.Opt = nn.NewSGD([]nn.ParamGroup{{Name: "all", Params: r.Model.Params(), LR: 0.1, WeightDecay: 0.01}}, 0.9, false)
	if err := m.StartEpoch(r, 0); err != nil {
		t.Fatal(err)
	}
	before := map[*nn.Param]*nn.Tensor{}
	for _, p := range r.Model.Params() {
		before[p] = p.Value.Clone()
	}
	st, err := m.Step(r, methodtest.RandomBatch(2, 6, 4))
	if err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(st.Loss) || st.Loss <= 0 {
		t.Fatalf("step loss %v", st.Loss)
	}
	for _, p := range r.Model.Params() {
		changed := !methodtest.Same(before[p], p.Value)
		current := p.Group == "enc/m1" || p.Group == "head/m1"
		if changed != current {
			t.Errorf("%s (group %s): changed %v, want %v", p.Name, p.Group, changed, current)
		}
	}
}

// TestMIESAMUndo: with sam_undo the step's update starts from theta, so a
// zero learning rate leaves every parameter exactly as it was; without it
// (as released) the perturbation stays in the weights.
func TestMIESAMUndo(t *testing.T) {
	for _, undo := range []bool{false, true} {
		m := mieTestMethod(t, map[string]any{"stages": "1", "rho": "0.5", "sam_undo": undo})
		r := methodtest.MLPRun(t, m, []int{5, 5}, 0, &mieFakeLoop{})
		if err := m.StartEpoch(r, 0); err != nil {
			t.Fatal(err)
		}
		w := m.heads[0].fc[0].W
		before := w.Value.Clone()
		if _, err := m.Step(r, methodtest.RandomBatch(2, 6, 4)); err != nil {
			t.Fatal(err)
		}
		var moved float64
		for i, v := range before.Data {
			moved += math.Abs(float64(w.Value.Data[i] - v))
		}
		if undo && moved != 0 {
			t.Errorf("sam_undo: weights moved by %v at lr 0", moved)
		}
		if !undo && moved == 0 {
			t.Errorf("released SAM: the perturbation did not stay in the weights")
		}
	}
}

// TestMIEEncoderBackwardTwice checks the assumption MIE's SAM term relies on:
// after one training Forward, calling an encoder's Backward twice
// accumulates the same parameter gradients as one Backward of the sum.
func TestMIEEncoderBackwardTwice(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		name string
		enc  nn.Encoder
		in   []int
	}{
		{"mlp", nn.NewMLPEncoder("enc.a", 12, []int{8}, 6, rng), []int{3, 12}},
		{"cnn", nn.NewCNNEncoder("enc.v", []int{2, 8, 8}, []int{4, 4}, 6, rng), []int{3, 2, 8, 8}},
	} {
		x := nn.NewTensor(c.in...)
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
		}
		d1, d2 := nn.NewTensor(3, 6), nn.NewTensor(3, 6)
		for i := range d1.Data {
			d1.Data[i], d2.Data[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		sum := d1.Clone()
		nn.Axpy(1, d2, sum)
		c.enc.Forward(x, true)
		grads := func(ds ...*nn.Tensor) [][]float32 {
			for _, p := range c.enc.Params() {
				p.Grad.Zero()
			}
			for _, d := range ds {
				c.enc.Backward(d)
			}
			var g [][]float32
			for _, p := range c.enc.Params() {
				g = append(g, append([]float32(nil), p.Grad.Data...))
			}
			return g
		}
		twice, once := grads(d1, d2), grads(sum)
		for i := range twice {
			for j := range twice[i] {
				if math.Abs(float64(twice[i][j]-once[i][j])) > 1e-4*(1+math.Abs(float64(once[i][j]))) {
					t.Fatalf("%s: param %d grad[%d]: two backwards %v, one of the sum %v", c.name, i, j, twice[i][j], once[i][j])
				}
			}
		}
	}
}

func TestMIEValidate(t *testing.T) {
	spec, err := methods.Lookup("mie")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		params map[string]any
		ok     bool
	}{
		{map[string]any{}, true},
		{map[string]any{"stages": "audio:5,visual:5"}, true},
		{map[string]any{"stages": "audio:5"}, false},
		{map[string]any{"rho": "audio:1,depth:2"}, false},
		{map[string]any{"sam_norm": "layer"}, false},
		{map[string]any{"gm_scope": "all"}, false},
		{map[string]any{"mixup_weight": 1.5}, false},
		{map[string]any{"tau": -1.0}, false},
		{map[string]any{"inference": "vote"}, false},
	} {
		h, err := methods.Resolve(spec.Params, c.params)
		if err != nil {
			t.Fatal(err)
		}
		err = spec.Validate(h, methods.PlanInfo{Modalities: []string{"audio", "visual"}, Fusion: "concat"})
		if (err == nil) != c.ok {
			t.Errorf("Validate(%v) = %v, want ok %v", c.params, err, c.ok)
		}
	}
}

// TestMIEEncoderScope: with gm_scope=encoder the mlp encoders' linear layers
// join the head's as sites, their evaluation-mode inputs are the inputs the
// layers see in a forward pass, and with equal shapes every one of them is
// modified in the second stage.
func TestMIEEncoderScope(t *testing.T) {
	loop := &mieFakeLoop{batches: []*methods.Batch{methodtest.RandomBatch(2, 6, 1), methodtest.RandomBatch(2, 6, 2)}}
	m := mieTestMethod(t, map[string]any{"stages": "1", "gm_scope": "encoder"})
	r := methodtest.MLPRun(t, m, []int{5, 5}, 0.1, loop)
	enc := r.Model.Encoders[0]
	sites, err := m.mieSites(enc, m.heads[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 5 || sites[0].key != "enc.0" || sites[2].key != "head.0" {
		t.Fatalf("sites %v, want enc.0, enc.1, head.0, head.1, head.2", sites)
	}
	x := methodtest.RandomBatch(2, 6, 3).X[0]
	ins := m.mieSiteInputs(enc, m.heads[0], sites, x)
	m.heads[0].Forward(enc.Forward(x, true), true)
	for i, s := range sites {
		want := s.lin.LastInput()
		for j := range want.Data {
			if ins[i].Data[j] != want.Data[j] {
				t.Fatalf("site %s input[%d] = %v, want %v", s.key, j, ins[i].Data[j], want.Data[j])
			}
		}
	}
	for e := range 2 {
		if err := m.StartEpoch(r, e); err != nil {
			t.Fatal(err)
		}
	}
	if len(m.mods) != 5 {
		t.Fatalf("second stage modifies %d layers, want 5", len(m.mods))
	}
	var modified, total int
	for _, s := range sites {
		modified += s.lin.W.Value.Len()
	}
	for _, p := range m.params {
		total += p.Value.Len()
	}
	if want := float64(modified) / float64(total); m.fraction != want {
		t.Errorf("gm_fraction %v, want %v", m.fraction, want)
	}
}

// TestMIESetupRejectsUntrainedModality: with the released "25,50" the second
// modality would start at epoch 25; a 20-epoch run must fail at Setup,
// a 26-epoch run is accepted.
func TestMIESetupRejectsUntrainedModality(t *testing.T) {
	for _, c := range []struct {
		epochs int
		ok     bool
	}{{20, false}, {25, false}, {26, true}} {
		rng := rand.New(rand.NewPCG(1, 1))
		md, err := model.New(model.Config{
			Modalities: []string{"audio", "visual"}, Shapes: [][]int{{4}, {4}}, Fusion: "concat", NumClasses: 3,
			Encoders: []model.EncoderConfig{{Kind: "mlp", Dim: 5}, {Kind: "mlp", Dim: 5}},
		}, rng)
		if err != nil {
			t.Fatal(err)
		}
		err = mieTestMethod(t, nil).Setup(&methods.Run{Model: md, InitRNG: rng, Epochs: c.epochs})
		if (err == nil) != c.ok {
			t.Errorf("%d epochs with stages 25,50: Setup error %v, want ok %v", c.epochs, err, c.ok)
		}
	}
}

// TestMIESAMRecompute: re-encoding after the perturbation changes the step
// when the perturbation is non-zero, and is exactly the released step when
// rho is 0 (the mlp encoder has no batch statistics).
func TestMIESAMRecompute(t *testing.T) {
	after := func(rho string, recompute bool) []float32 {
		m := mieTestMethod(t, map[string]any{"stages": "1", "rho": rho, "sam_recompute": recompute, "sam_undo": true})
		r := methodtest.MLPRun(t, m, []int{5, 5}, 0.1, &mieFakeLoop{})
		if err := m.StartEpoch(r, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Step(r, methodtest.RandomBatch(2, 6, 4)); err != nil {
			t.Fatal(err)
		}
		return append([]float32(nil), r.Model.Encoders[0].Params()[0].Value.Data...)
	}
	if !reflect.DeepEqual(after("0", false), after("0", true)) {
		t.Error("rho 0: re-encoding changed the step")
	}
	if reflect.DeepEqual(after("0.5", false), after("0.5", true)) {
		t.Error("rho 0.5: re-encoding with the perturbed encoder did not change the step")
	}
}
