package gemm

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// ewLengths straddle the 16-float assembly blocks.
var ewLengths = []int{0, 1, 15, 16, 17, 33, 100, 1027}

// ewInput returns n values with special values mixed in: NaN, ±0, ±Inf,
// tiny and huge numbers.
func ewInput(rng *rand.Rand, n int) []float32 {
	special := []float32{float32(math.NaN()), float32(math.Copysign(0, -1)), 0, float32(math.Inf(1)), float32(math.Inf(-1)), 1e-40, -3e38}
	s := make([]float32, n)
	for i := range s {
		if rng.IntN(8) == 0 {
			s[i] = special[rng.IntN(len(special))]
		} else {
			s[i] = 4*rng.Float32() - 2
		}
	}
	return s
}

// sameBits reports whether a and b are equal bit for bit.
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestElementwiseHandValues checks each helper on values worked by hand.
func TestElementwiseHandValues(t *testing.T) {
	y := []float32{1, 2, 3}
	Axpy(2, []float32{1, -1, 0.5}, y)
	if !slices.Equal(y, []float32{3, 0, 4}) {
		t.Errorf("Axpy: got %v, want [3 0 4]", y)
	}
	m := []float32{1, 2, 3, 4, 5, 6}
	AddRows(m, []float32{10, 20, 30})
	if !slices.Equal(m, []float32{11, 22, 33, 14, 25, 36}) {
		t.Errorf("AddRows: got %v", m)
	}
	d := []float32{1, 1, 1}
	SumRows(d, m)
	if !slices.Equal(d, []float32{26, 48, 70}) {
		t.Errorf("SumRows: got %v, want [26 48 70]", d)
	}
	r := make([]float32, 3)
	ReLU(r, []float32{-1, 0.5, float32(math.Copysign(0, -1))})
	if !sameBits(r, []float32{0, 0.5, 0}) {
		t.Errorf("ReLU: got %v", r)
	}
	ReLUGrad(r, []float32{7, 8, 9}, []float32{1, 0, -1})
	if !slices.Equal(r, []float32{7, 0, 0}) {
		t.Errorf("ReLUGrad: got %v, want [7 0 0]", r)
	}
	// w = 1 - 0.5*(2 + 0.5*1) = -0.25
	w := []float32{1}
	SGD(w, []float32{2}, 0.5, 0.5)
	if w[0] != -0.25 {
		t.Errorf("SGD: got %v, want -0.25", w[0])
	}
	// gi = 2 + 0.5*1 = 2.5; buf = 0.5*1 + 2.5 = 3; w = 1 - 0.25*3 = 0.25
	w, buf := []float32{1}, []float32{1}
	SGDMomentum(w, []float32{2}, buf, 0.25, 0.5, 0.5, false)
	if w[0] != 0.25 || buf[0] != 3 {
		t.Errorf("SGDMomentum: w %v buf %v, want 0.25 and 3", w[0], buf[0])
	}
}

// TestElementwiseMatchesLoops checks every helper is bit-identical to its
// plain Go loop (products rounded before they are added, as the helpers
// document) on lengths around the assembly block size, with NaN, ±0, ±Inf,
// subnormal and huge values in the inputs.
func TestElementwiseMatchesLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const lr, wd, mu, alpha = 0.1, 1e-4, 0.9, -1.7
	for _, n := range ewLengths {
		x, y0, z := ewInput(rng, n), ewInput(rng, n), ewInput(rng, n)

		got, want := slices.Clone(y0), slices.Clone(y0)
		Axpy(alpha, x, got)
		for i := range x {
			want[i] += float32(alpha * x[i])
		}
		if !sameBits(got, want) {
			t.Errorf("Axpy n=%d: differs from the loop", n)
		}

		got, want = slices.Clone(y0), slices.Clone(y0)
		Add(got, x)
		for i := range x {
			want[i] += x[i]
		}
		if !sameBits(got, want) {
			t.Errorf("Add n=%d: differs from the loop", n)
		}

		got, want = make([]float32, n), make([]float32, n)
		ReLU(got, x)
		for i, v := range x {
			want[i] = max(v, 0)
		}
		if !sameBits(got, want) {
			t.Errorf("ReLU n=%d: differs from max(v, 0)", n)
		}

		ReLUGrad(got, y0, x)
		for i := range x {
			if x[i] > 0 {
				want[i] = y0[i]
			} else {
				want[i] = 0
			}
		}
		if !sameBits(got, want) {
			t.Errorf("ReLUGrad n=%d: differs from the loop", n)
		}

		got, want = slices.Clone(y0), slices.Clone(y0)
		SGD(got, x, lr, wd)
		for i := range want {
			want[i] -= float32(lr * (x[i] + float32(wd*want[i])))
		}
		if !sameBits(got, want) {
			t.Errorf("SGD n=%d: differs from the loop", n)
		}

		for _, nesterov := range []bool{false, true} {
			gw, gb := slices.Clone(y0), slices.Clone(z)
			ww, wb := slices.Clone(y0), slices.Clone(z)
			SGDMomentum(gw, x, gb, lr, wd, mu, nesterov)
			for i := range ww {
				gi := x[i] + float32(wd*ww[i])
				wb[i] = float32(mu*wb[i]) + gi
				if nesterov {
					gi += float32(mu * wb[i])
				} else {
					gi = wb[i]
				}
				ww[i] -= float32(lr * gi)
			}
			if !sameBits(gw, ww) || !sameBits(gb, wb) {
				t.Errorf("SGDMomentum n=%d nesterov=%v: differs from the loop", n, nesterov)
			}
		}
	}
}

// TestElementwisePanics checks length mismatches are reported.
func TestElementwisePanics(t *testing.T) {
	a, b := make([]float32, 4), make([]float32, 5)
	for name, f := range map[string]func(){
		"Axpy":        func() { Axpy(1, a, b) },
		"Add":         func() { Add(a, b) },
		"AddRows":     func() { AddRows(b, a) },
		"SumRows":     func() { SumRows(a, b) },
		"ReLU":        func() { ReLU(a, b) },
		"ReLUGrad":    func() { ReLUGrad(a, a, b) },
		"SGD":         func() { SGD(a, b, 1, 0) },
		"SGDMomentum": func() { SGDMomentum(a, a, b, 1, 0, 0.9, false) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic on mismatched lengths", name)
				}
			}()
			f()
		}()
	}
}
