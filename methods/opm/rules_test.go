package opm

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func TestDropProbabilities(t *testing.T) {
	th := math.Tanh
	for _, c := range []struct {
		name          string
		s             []float64
		qBase, lambda float64
		wantQ, wantR  []float64
	}{
		// released: rho_a = tanh(relu(30/20 - 1)); the trailing modality is never dropped
		{"audio leads", []float64{30, 20}, 0.5, 0.5, []float64{0.5 * (1 + 0.5*th(0.5)), 0}, []float64{th(0.5), 0}},
		{"visual leads", []float64{10, 40}, 0.5, 0.5, []float64{0, 0.5 * (1 + 0.5*th(3))}, []float64{0, th(3)}},
		{"clipped to 1", []float64{100, 1}, 0.9, 1, []float64{1, 0}, []float64{th(99), 0}},
		{"tie drops nothing", []float64{5, 5}, 0.5, 0.5, []float64{0, 0}, []float64{0, 0}},
		{"rival scores zero", []float64{3, 0}, 0.5, 0.5, []float64{0.75, 0}, []float64{1, 0}},
		{"all zero", []float64{0, 0}, 0.5, 0.5, []float64{0, 0}, []float64{0, 0}},
		// M = 3: each modality against the mean of the other two
		{"three modalities", []float64{4, 1, 3}, 0.4, 0.5,
			[]float64{0.4 * (1 + 0.5*th(1)), 0, 0.4 * (1 + 0.5*th(0.2))}, []float64{th(1), 0, th(0.2)}},
	} {
		q, rho := DropProbabilities(c.s, c.qBase, c.lambda)
		for m := range c.s {
			if !near(q[m], c.wantQ[m]) || !near(rho[m], c.wantR[m]) {
				t.Errorf("%s: modality %d q = %v rho = %v, want %v and %v", c.name, m, q[m], rho[m], c.wantQ[m], c.wantR[m])
			}
		}
	}
}

func TestTheta(t *testing.T) {
	for _, c := range []struct {
		dims []int
		q    []float64
		want float64
	}{
		{[]int{512, 512}, []float64{0.6, 0}, 0.3},
		{[]int{64, 32}, []float64{0.6, 0}, 0.4},
		{[]int{64, 32}, []float64{0, 0.6}, 0.2},
		{[]int{10, 10, 20}, []float64{0.5, 0, 0.25}, 0.25},
	} {
		if got := Theta(c.dims, c.q); !near(got, c.want) {
			t.Errorf("Theta(%v, %v) = %v, want %v", c.dims, c.q, got, c.want)
		}
	}
}

func TestFactors(t *testing.T) {
	keep := [][]bool{{true, false, true}, {true, true, false}}
	f, err := Factors(keep, 0.4)
	if err != nil {
		t.Fatal(err)
	}
	s := 1 / 0.6
	want := [][]float64{{s, 0, s}, {s, s, 0}}
	for m := range want {
		for i := range want[m] {
			if !near(f[m][i], want[m][i]) {
				t.Errorf("factor[%d][%d] = %v, want %v", m, i, f[m][i], want[m][i])
			}
		}
	}
	for _, bad := range []float64{1, 1.5, -0.1, math.NaN()} {
		if _, err := Factors(keep, bad); err == nil {
			t.Errorf("Factors with theta %v: no error", bad)
		}
	}
}

func TestSurvivors(t *testing.T) {
	for _, c := range []struct {
		keep [][]bool
		want []int
	}{
		{[][]bool{{true, false, false, true}, {false, true, false, true}}, []int{0, 1, 3}},
		{[][]bool{{false, false}, {false, false}}, nil},
		{[][]bool{{false}, {false}, {true}}, []int{0}},
	} {
		got := Survivors(c.keep)
		if len(got) != len(c.want) {
			t.Errorf("Survivors(%v) = %v, want %v", c.keep, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("Survivors(%v) = %v, want %v", c.keep, got, c.want)
			}
		}
	}
}

func TestMasksRates(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	keep := Masks(rng, n, []float64{1, 0, 0.3})
	count := make([]int, 3)
	for m := range keep {
		for _, k := range keep[m] {
			if k {
				count[m]++
			}
		}
	}
	if count[0] != 0 || count[1] != n {
		t.Errorf("q = 1 kept %d, q = 0 kept %d of %d", count[0], count[1], n)
	}
	if rate := float64(count[2]) / n; math.Abs(rate-0.7) > 0.02 {
		t.Errorf("q = 0.3 kept a share %v, want about 0.7", rate)
	}
}

func TestExecute(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		p    float64
		want float64
	}{{0, 0}, {1, 1}, {0.7, 0.7}} {
		hits := 0
		for range 10000 {
			if Execute(rng, c.p) {
				hits++
			}
		}
		if rate := float64(hits) / 10000; math.Abs(rate-c.want) > 0.02 {
			t.Errorf("Execute(p_exe %v) fired a share %v, want %v", c.p, rate, c.want)
		}
	}
}
