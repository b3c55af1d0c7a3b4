package mie

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/miebench/miebench/nn"
)

// This file holds MIE's gradient modification (GM): after a modality's
// stage, the uncentred second moment of the batch-mean inputs of each of its
// head layers is accumulated, and its spectrum defines a symmetric matrix T
// that softly damps, in the next modality's head, the input directions the
// previous modality used most.

// mieGram keeps the batch means z̄ of a layer's input rows in float64 (the
// rows of A), from which Y = Σ_batches z̄ z̄ᵀ = AᵀA is defined. mod's
// low-rank path reads only the means; the dim x dim Y is built by gram when
// the direct path needs it, so a wide layer does not hold one all stage.
type mieGram struct {
	dim     int
	mean    []float64
	means   []float64 // row-major batches x dim
	batches int
}

// newMIEGram returns an empty accumulator for inputs of width dim.
func newMIEGram(dim int) *mieGram {
	return &mieGram{dim: dim, mean: make([]float64, dim)}
}

// gram returns Y = Σ_batches z̄ z̄ᵀ, accumulated by one rank-one update per
// batch in the order the batches were added.
func (g *mieGram) gram() *mat.SymDense {
	y := mat.NewSymDense(g.dim, nil)
	for k := range g.batches {
		y.SymRankOne(y, 1, mat.NewVecDense(g.dim, g.means[k*g.dim:(k+1)*g.dim]))
	}
	return y
}

// add adds the outer product of the batch mean of x's rows. x is [N, dim].
func (g *mieGram) add(x *nn.Tensor) error {
	dim := g.dim
	if x.RowLen() != dim {
		return fmt.Errorf("gradient modification: layer input has %d values per sample, accumulator expects %d", x.RowLen(), dim)
	}
	n := x.Rows()
	if n == 0 {
		return nil
	}
	clear(g.mean)
	for i := range n {
		for j, v := range x.Row(i) {
			g.mean[j] += float64(v)
		}
	}
	inv := 1 / float64(n)
	for j := range g.mean {
		g.mean[j] *= inv
	}
	g.means = append(g.means, g.mean...)
	g.batches++
	return nil
}

// mod builds T for the accumulated Y. With fewer batches than input
// dimensions Y = AᵀA has rank at most the batch count, so its non-zero
// spectrum is taken from the small batches x batches matrix K = A Aᵀ
// (eigenpairs (l_k, u_k) give Y's eigenvectors v_k = Aᵀu_k/sqrt(l_k)) and
// T = I + Σ_k (s_k - 1) v_k v_kᵀ = I + Σ_k ((s_k - 1)/l_k) (Aᵀu_k)(Aᵀu_k)ᵀ,
// the same matrix as mieModFromGram(Y) (l_min = 0 there) at a fraction of
// the cost. Otherwise it decomposes Y directly.
func (g *mieGram) mod(tau float64) (*mieGradMod, error) {
	dim := g.dim
	b := g.batches
	if b >= dim {
		return mieModFromGram(g.gram(), tau)
	}
	out := &mieGradMod{dim: dim, t: make([]float32, dim*dim), sMin: 1, sMax: 1}
	if b == 0 {
		for i := range dim {
			out.t[i*dim+i] = 1
		}
		return out, nil
	}
	a := mat.NewDense(b, dim, g.means)
	k := mat.NewSymDense(b, nil)
	k.SymOuterK(1, a)
	var eig mat.EigenSym
	if !eig.Factorize(k, true) {
		return nil, fmt.Errorf("gradient modification: eigendecomposition of the %dx%d batch-mean Gram matrix did not converge", b, b)
	}
	l := eig.Values(nil)
	var u, w mat.Dense
	eig.VectorsTo(&u)
	w.Mul(a.T(), &u) // column k is Aᵀu_k, of squared length l_k
	lmax := l[b-1]
	for j, lj := range l {
		c := 0.0
		if lmax > 0 {
			// (s - 1)/l with s = exp(-tau l/lmax); its limit at l = 0 is -tau/lmax.
			c = -tau / lmax
			if lj > 0 {
				c = math.Expm1(-tau*lj/lmax) / lj
				out.sMin = min(out.sMin, math.Exp(-tau*lj/lmax))
			}
		}
		for i := range dim {
			w.Set(i, j, w.At(i, j)*math.Sqrt(math.Abs(c)))
		}
	}
	// c <= 0 for every k, so T = I - W' W'ᵀ with W' the rescaled columns.
	var t mat.SymDense
	t.SymOuterK(1, &w)
	for i := range dim {
		for j := i; j < dim; j++ {
			x := -t.At(i, j)
			if i == j {
				x++
			}
			out.t[i*dim+j] = float32(x)
			out.t[j*dim+i] = float32(x)
		}
	}
	return out, nil
}

// mieGradMod is one layer's modification matrix T = V S Vᵀ, stored in
// float32 for the per-step product, with the range of its spectrum S.
type mieGradMod struct {
	dim        int
	t          []float32 // dim x dim, row-major, symmetric
	sMin, sMax float64
	out        *nn.Tensor // apply's product G T, reused from step to step
}

// mieModFromGram builds T from Y = V L Vᵀ (Y is symmetric positive
// semi-definite, so its SVD and eigendecomposition coincide):
// S = exp(-tau (L - l_min) / (l_max - l_min)). The direction of the largest
// eigenvalue of Y is damped by e^-tau, that of the smallest is left
// unchanged. When all eigenvalues are equal (including Y = 0) T = I.
func mieModFromGram(y mat.Symmetric, tau float64) (*mieGradMod, error) {
	dim := y.SymmetricDim()
	var eig mat.EigenSym
	if !eig.Factorize(y, true) {
		return nil, fmt.Errorf("gradient modification: eigendecomposition of the %dx%d input second-moment matrix did not converge", dim, dim)
	}
	l := eig.Values(nil) // ascending
	var v mat.Dense
	eig.VectorsTo(&v)
	lmin, lmax := l[0], l[dim-1]
	s := make([]float64, dim)
	for i, li := range l {
		s[i] = 1
		if lmax > lmin {
			s[i] = math.Exp(-tau * (li - lmin) / (lmax - lmin))
		}
	}
	g := &mieGradMod{dim: dim, t: make([]float32, dim*dim), sMin: math.Inf(1), sMax: math.Inf(-1)}
	for _, si := range s {
		g.sMin = min(g.sMin, si)
		g.sMax = max(g.sMax, si)
	}
	// T = (V diag(S)) Vᵀ in float64, symmetrised exactly before rounding.
	var vs, t mat.Dense
	vs.CloneFrom(&v)
	for k, sk := range s {
		for i := range dim {
			vs.Set(i, k, vs.At(i, k)*sk)
		}
	}
	t.Mul(&vs, v.T())
	for i := range dim {
		for j := i; j < dim; j++ {
			x := float32(0.5 * (t.At(i, j) + t.At(j, i)))
			g.t[i*dim+j] = x
			g.t[j*dim+i] = x
		}
	}
	return g, nil
}

// apply replaces a weight gradient G [out, dim] by G T.
func (g *mieGradMod) apply(grad *nn.Tensor) error {
	if len(grad.Shape) != 2 || grad.Shape[1] != g.dim {
		return fmt.Errorf("gradient modification: weight gradient shape %v does not match a %dx%d matrix", grad.Shape, g.dim, g.dim)
	}
	if g.out == nil || g.out.Shape[0] != grad.Shape[0] {
		g.out = nn.NewTensor(grad.Shape...)
	}
	// beta = 0: MatMul writes the product without reading the old contents.
	nn.MatMul(g.out, grad, nn.FromSlice(g.t, g.dim, g.dim), false, false, 1, 0)
	copy(grad.Data, g.out.Data)
	return nil
}
