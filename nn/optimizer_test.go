package nn

import (
	"math"
	"testing"
)

// scalarParam returns a one-element parameter with value v.
func scalarParam(name string, v float32) *Param {
	p := NewParam(name, 1)
	p.Value.Data[0] = v
	return p
}

func TestSGDHandComputed(t *testing.T) {
	// p0 = 1, grad 0.5 at both steps, lr 0.1, momentum 0.9, weight decay 0.01.
	// Plain:    g1 = 0.51, buf1 = 0.51, p1 = 0.949;
	//           g2 = 0.5 + 0.00949 = 0.50949, buf2 = 0.9·0.51 + 0.50949 = 0.96849, p2 = 0.852151.
	// Nesterov: p1 = 1 - 0.1·(0.51 + 0.9·0.51) = 0.9031;
	//           g2 = 0.509031, buf2 = 0.968031, p2 = 0.9031 - 0.1·(0.509031 + 0.9·0.968031) = 0.76507411.
	// No momentum: p1 = 1 - 0.1·0.51 = 0.949, p2 = 0.949 - 0.1·0.50949 = 0.898051.
	for _, tc := range []struct {
		name     string
		momentum float64
		nesterov bool
		want     [2]float64
	}{
		{"momentum", 0.9, false, [2]float64{0.949, 0.852151}},
		{"nesterov", 0.9, true, [2]float64{0.9031, 0.76507411}},
		{"plain", 0, false, [2]float64{0.949, 0.898051}},
	} {
		p := scalarParam("w", 1)
		opt := NewSGD([]ParamGroup{{Params: []*Param{p}, LR: 0.1, WeightDecay: 0.01}}, tc.momentum, tc.nesterov)
		for s := range 2 {
			p.Grad.Data[0] = 0.5
			opt.Step()
			if got := float64(p.Value.Data[0]); math.Abs(got-tc.want[s]) > 1e-6 {
				t.Errorf("%s step %d: p = %.8g, want %.8g", tc.name, s+1, got, tc.want[s])
			}
		}
	}
}

func TestAdamHandComputed(t *testing.T) {
	// p0 = 1, gradients 0.5 then -0.25, lr 0.1, betas (0.9, 0.999), eps 1e-8.
	// Adam, wd 0:      step 1 moves by lr exactly (bias correction), p1 = 0.9;
	//                  m2 = 0.02, v2 = 3.1225e-4, p2 = 0.9 - 0.1·(0.02/0.19)/(√(3.1225e-4/0.001999)) = 0.87336630.
	// Adam, wd 0.1:    g1 = 0.6, p1 = 0.9; g2 = -0.25 + 0.09 = -0.16, p2 = 0.85444137.
	// AdamW, wd 0.1:   p1 = 0.99 - 0.1 = 0.89; p2 = 0.89·0.99 - 0.0266337 = 0.85446630.
	for _, tc := range []struct {
		name  string
		wd    float64
		adamW bool
		want  [2]float64
	}{
		{"adam", 0, false, [2]float64{0.9, 0.8733662987}},
		{"adam-l2", 0.1, false, [2]float64{0.9, 0.8544413675}},
		{"adamw", 0.1, true, [2]float64{0.89, 0.8544662987}},
	} {
		p := scalarParam("w", 1)
		groups := []ParamGroup{{Params: []*Param{p}, LR: 0.1, WeightDecay: tc.wd}}
		var opt Optimizer
		if tc.adamW {
			opt = NewAdamW(groups, 0.9, 0.999, 1e-8)
		} else {
			opt = NewAdam(groups, 0.9, 0.999, 1e-8)
		}
		for s, g := range []float32{0.5, -0.25} {
			p.Grad.Data[0] = g
			opt.Step()
			if got := float64(p.Value.Data[0]); math.Abs(got-tc.want[s]) > 2e-6 {
				t.Errorf("%s step %d: p = %.8g, want %.8g", tc.name, s+1, got, tc.want[s])
			}
		}
	}
}

func TestOptimizerGroupsScaleWhereAndState(t *testing.T) {
	a, b := scalarParam("a", 1), scalarParam("b", 1)
	opt := NewSGD([]ParamGroup{
		{Name: "enc", Params: []*Param{a}, LR: 0.1},
		{Name: "head", Params: []*Param{b}, LR: 1},
	}, 0.9, false)
	opt.SetLRScale(0.5)
	a.Grad.Data[0], b.Grad.Data[0] = 1, 1
	opt.StepWhere(func(p *Param) bool { return p.Name == "a" })
	if a.Value.Data[0] != 0.95 || b.Value.Data[0] != 1 {
		t.Fatalf("after StepWhere(a): a = %g (want 0.95), b = %g (want 1)", a.Value.Data[0], b.Value.Data[0])
	}
	st := opt.SaveState()
	if _, ok := st.Slots["b"]; ok {
		t.Errorf("b was skipped but has state %v", st.Slots["b"])
	}
	if got := st.Slots["a"]["momentum_buffer"]; len(got) != 1 || got[0] != 1 {
		t.Errorf("momentum buffer of a = %v, want [1]", got)
	}
	opt.Step() // buf_a = 1.9, a = 0.95 - 0.05·1.9 = 0.855; buf_b = 1, b = 0.5
	if math.Abs(float64(a.Value.Data[0])-0.855) > 1e-6 || b.Value.Data[0] != 0.5 {
		t.Errorf("after Step: a = %g (want 0.855), b = %g (want 0.5)", a.Value.Data[0], b.Value.Data[0])
	}
	// Restoring the saved state makes the next step repeat the earlier one.
	if err := opt.LoadState(st); err != nil {
		t.Fatal(err)
	}
	a.Value.Data[0] = 0.95
	opt.StepWhere(func(p *Param) bool { return p.Name == "a" })
	if math.Abs(float64(a.Value.Data[0])-0.855) > 1e-6 {
		t.Errorf("after LoadState and step: a = %g, want 0.855", a.Value.Data[0])
	}
	opt.Reset()
	if st := opt.SaveState(); len(st.Slots) != 0 {
		t.Errorf("Reset left state %v", st.Slots)
	}
	opt.ZeroGrad()
	if a.Grad.Data[0] != 0 || b.Grad.Data[0] != 0 {
		t.Errorf("ZeroGrad left %g %g", a.Grad.Data[0], b.Grad.Data[0])
	}
	if err := NewAdam(opt.Groups(), 0.9, 0.999, 1e-8).LoadState(st); err == nil {
		t.Error("Adam accepted SGD state")
	}
}
