package inforeg

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestTraceGrowth(t *testing.T) {
	ramp := make([]float64, 15)
	for i := range ramp {
		ramp[i] = float64(i + 1)
	}
	for _, c := range []struct {
		name   string
		traces []float64
		want   float64
	}{
		{"no epoch yet", nil, 1},
		// one epoch: tr1 = 4/10, tr2 = 0: k = 1
		{"one epoch", []float64{4}, 1},
		// tr1 = (4+2)/10, tr2 = 4/10: k = (0.6-0.4)/0.6
		{"two epochs", []float64{4, 2}, 1.0 / 3},
		// 15 epochs 1..15: tr1 = sum(6..15)/10 = 10.5, tr2 = sum(5..14)/10 = 9.5
		{"full window", ramp, 1 / 10.5},
		{"flat", []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, 0},
		{"zero", []float64{0, 0}, 0},
	} {
		if got := TraceGrowth(c.traces); !near(got, c.want) {
			t.Errorf("%s: TraceGrowth = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestBetas(t *testing.T) {
	e, th := math.Exp, math.Tanh
	for _, c := range []struct {
		name         string
		sa, sv, k    float64
		wantA, wantV float64
	}{
		{"audio ahead", 40, 39.5, 0.2, 0.95 * e(th(0.5)), 0},
		{"visual ahead", 10, 30, 0.2, 0, 0.1 * e(th(20))},
		{"outside the window", 40, 10, 0.05, 0, 0},
		{"tie", 20, 20, 1, 0, 0},
	} {
		a, v := Betas(c.sa, c.sv, c.k, 0.05, 0.95, 0.1)
		if !near(a, c.wantA) || !near(v, c.wantV) {
			t.Errorf("%s: Betas = (%v, %v), want (%v, %v)", c.name, a, v, c.wantA, c.wantV)
		}
	}
}

func TestProximal(t *testing.T) {
	g := []float32{1, -1, 0}
	Proximal(g, []float32{2, 0, 5}, []float32{1, 1, 5}, 0.5)
	want := []float32{1.5, -1.5, 0}
	for i := range g {
		if g[i] != want[i] {
			t.Errorf("g[%d] = %v, want %v", i, g[i], want[i])
		}
	}
}

func TestFisherTrace(t *testing.T) {
	acc := [][]float32{make([]float32, 2), make([]float32, 4), nil}
	Accumulate(acc[0], []float32{1, 2})
	Accumulate(acc[0], []float32{1, 0})
	Accumulate(acc[1], []float32{2, 0, 0, 2})
	// tensor 0: (2 + 4)/2 = 3; tensor 1: 8/4 = 2
	if got := FisherTrace(acc); !near(got, 5) {
		t.Errorf("FisherTrace = %v, want 5", got)
	}
}
