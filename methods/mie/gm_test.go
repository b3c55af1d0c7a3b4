package mie

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/miebench/miebench/nn"
)

func TestMIEGramAccumulatesBatchMeans(t *testing.T) {
	g := newMIEGram(2)
	// Batch means (2, 3) and (0, 1): Y = [[4, 6], [6, 9]] + [[0, 0], [0, 1]].
	if err := g.add(nn.FromSlice([]float32{1, 2, 3, 4}, 2, 2)); err != nil {
		t.Fatal(err)
	}
	if err := g.add(nn.FromSlice([]float32{0, 1}, 1, 2)); err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{4, 6}, {6, 10}}
	y := g.gram()
	for i := range 2 {
		for j := range 2 {
			if y.At(i, j) != want[i][j] {
				t.Fatalf("Y[%d][%d] = %v, want %v", i, j, y.At(i, j), want[i][j])
			}
		}
	}
	if g.batches != 2 {
		t.Fatalf("batches = %d, want 2", g.batches)
	}
	if err := g.add(nn.NewTensor(1, 3)); err == nil {
		t.Fatal("input of width 3 into a width-2 accumulator: want an error")
	}
}

// TestMIEModDiagonalByHand: batch means (2, 0, 0) and (0, 1, 0) give
// Y = diag(4, 1, 0), eigenvalues 0, 1, 4, so with tau = 0.4,
// S = exp(-0.4 (L - 0)/4) and T = diag(e^-0.4, e^-0.1, 1).
func TestMIEModDiagonalByHand(t *testing.T) {
	g := newMIEGram(3)
	for _, x := range [][]float32{{2, 0, 0}, {0, 1, 0}} {
		if err := g.add(nn.FromSlice(x, 1, 3)); err != nil {
			t.Fatal(err)
		}
	}
	m, err := mieModFromGram(g.gram(), 0.4)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{math.Exp(-0.4), 0, 0, 0, math.Exp(-0.1), 0, 0, 0, 1}
	for i, w := range want {
		if math.Abs(float64(m.t[i])-w) > 1e-6 {
			t.Fatalf("T[%d] = %v, want %v (T = %v)", i, m.t[i], w, m.t)
		}
	}
	if math.Abs(m.sMin-math.Exp(-0.4)) > 1e-12 || m.sMax != 1 {
		t.Fatalf("spectrum range [%v, %v], want [e^-0.4, 1]", m.sMin, m.sMax)
	}
	// G T for G = [[1, 1, 1]] scales the columns.
	grad := nn.FromSlice([]float32{1, 1, 1}, 1, 3)
	if err := m.apply(grad); err != nil {
		t.Fatal(err)
	}
	for i, w := range []float64{math.Exp(-0.4), math.Exp(-0.1), 1} {
		if math.Abs(float64(grad.Data[i])-w) > 1e-6 {
			t.Fatalf("(G T)[%d] = %v, want %v", i, grad.Data[i], w)
		}
	}
	if err := m.apply(nn.NewTensor(2, 2)); err == nil {
		t.Fatal("apply to a [2 2] gradient with a 3 x 3 T: want an error")
	}
}

// TestMIEModProperties: for a random full-rank Y, T is symmetric, its
// eigenvalues lie in [e^-tau, 1], it leaves the smallest-eigenvalue
// direction of Y unchanged and damps the largest by exactly e^-tau.
func TestMIEModProperties(t *testing.T) {
	const dim, tau = 6, 0.4
	rng := rand.New(rand.NewPCG(7, 1))
	g := newMIEGram(dim)
	for range 20 {
		x := nn.NewTensor(3, dim)
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
		}
		if err := g.add(x); err != nil {
			t.Fatal(err)
		}
	}
	m, err := mieModFromGram(g.gram(), tau)
	if err != nil {
		t.Fatal(err)
	}
	tm := mat.NewSymDense(dim, nil)
	for i := range dim {
		for j := range dim {
			if m.t[i*dim+j] != m.t[j*dim+i] {
				t.Fatalf("T not symmetric at (%d,%d)", i, j)
			}
			tm.SetSym(i, j, float64(m.t[i*dim+j]))
		}
	}
	var et mat.EigenSym
	if !et.Factorize(tm, false) {
		t.Fatal("eigendecomposition of T failed")
	}
	for _, l := range et.Values(nil) {
		if l < math.Exp(-tau)-1e-6 || l > 1+1e-6 {
			t.Fatalf("eigenvalue %v of T outside [e^-tau, 1]", l)
		}
	}
	var ey mat.EigenSym
	if !ey.Factorize(g.gram(), true) {
		t.Fatal("eigendecomposition of Y failed")
	}
	var v mat.Dense
	ey.VectorsTo(&v)
	for _, c := range []struct {
		col   int
		scale float64
	}{{0, 1}, {dim - 1, math.Exp(-tau)}} {
		for i := range dim {
			var tv float64
			for j := range dim {
				tv += tm.At(i, j) * v.At(j, c.col)
			}
			if math.Abs(tv-c.scale*v.At(i, c.col)) > 1e-6 {
				t.Fatalf("eigenvector %d of Y: (T v)[%d] = %v, want %v", c.col, i, tv, c.scale*v.At(i, c.col))
			}
		}
	}
}

func TestMIEModFlatSpectrumIsIdentity(t *testing.T) {
	for _, y := range []*mat.SymDense{mat.NewSymDense(2, nil), mat.NewSymDense(2, []float64{3, 0, 0, 3})} {
		m, err := mieModFromGram(y, 0.4)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range []float32{1, 0, 0, 1} {
			if math.Abs(float64(m.t[i]-w)) > 1e-7 {
				t.Fatalf("T = %v for a flat spectrum, want I", m.t)
			}
		}
	}
}

// TestMIEModLowRankMatchesDirect: with fewer batches than input dimensions
// the batch-mean Gram path gives the same T as decomposing Y, and the same
// spectrum range; without any batch T = I.
func TestMIEModLowRankMatchesDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 3))
	for _, batches := range []int{1, 2, 5, 11} {
		const dim = 12
		g := newMIEGram(dim)
		for range batches {
			x := nn.NewTensor(4, dim)
			for i := range x.Data {
				x.Data[i] = float32(rng.NormFloat64() + 0.5)
			}
			if err := g.add(x); err != nil {
				t.Fatal(err)
			}
		}
		low, err := g.mod(0.4)
		if err != nil {
			t.Fatal(err)
		}
		direct, err := mieModFromGram(g.gram(), 0.4)
		if err != nil {
			t.Fatal(err)
		}
		for i := range low.t {
			if math.Abs(float64(low.t[i]-direct.t[i])) > 1e-6 {
				t.Fatalf("%d batches: T[%d] = %v by the Gram path, %v directly", batches, i, low.t[i], direct.t[i])
			}
		}
		if math.Abs(low.sMin-direct.sMin) > 1e-9 || low.sMax != 1 || math.Abs(direct.sMax-1) > 1e-12 {
			t.Fatalf("%d batches: spectrum [%v, %v] by the Gram path, [%v, %v] directly", batches, low.sMin, low.sMax, direct.sMin, direct.sMax)
		}
	}
	id, err := newMIEGram(3).mod(0.4)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range []float32{1, 0, 0, 0, 1, 0, 0, 0, 1} {
		if id.t[i] != w {
			t.Fatalf("no batches: T = %v, want I", id.t)
		}
	}
}
