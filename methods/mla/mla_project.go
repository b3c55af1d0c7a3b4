package mla

import (
	"fmt"
	"math"

	"github.com/miebench/miebench/nn"
)

// mlaProjector is MLA's orthogonal-weight-modification projection of the
// shared head's weight gradient. P is a D x D matrix (D the feature width)
// that starts as the identity and persists across batches and modalities.
type mlaProjector struct {
	d int
	p []float64 // row-major D x D
	k []float64 // scratch: P r
}

// newMLAProjector returns P = I of size d.
func newMLAProjector(d int) *mlaProjector {
	pr := &mlaProjector{d: d, p: make([]float64, d*d), k: make([]float64, d)}
	for i := range d {
		pr.p[i*d+i] = 1
	}
	return pr
}

// mlaAlpha is the regulariser alpha_t = 0.1^(1 + batch/batches) of the
// projection update at batch index batch of an epoch of batches batches.
func mlaAlpha(batch, batches int) float64 {
	return math.Pow(0.1, 1+float64(batch)/float64(max(batches, 1)))
}

// update applies, for the batch-mean feature r, k = P r,
// P <- P - k kᵀ / (alpha + rᵀ k), then P <- P / ||P||_F.
func (pr *mlaProjector) update(r []float64, alpha float64) error {
	d := pr.d
	if len(r) != d {
		return fmt.Errorf("mla: projection feature has %d values, P is %dx%d", len(r), d, d)
	}
	var rk float64
	for i := range d {
		var s float64
		row := pr.p[i*d : (i+1)*d]
		for j, rj := range r {
			s += row[j] * rj
		}
		pr.k[i] = s
		rk += r[i] * s
	}
	den := alpha + rk
	if den == 0 || math.IsNaN(den) || math.IsInf(den, 0) {
		return fmt.Errorf("mla: projection update denominator alpha + rᵀPr = %v", den)
	}
	var fro float64
	for i := range d {
		ki := pr.k[i] / den
		row := pr.p[i*d : (i+1)*d]
		for j := range d {
			row[j] -= ki * pr.k[j]
			fro += row[j] * row[j]
		}
	}
	fro = math.Sqrt(fro)
	if fro == 0 {
		return fmt.Errorf("mla: projection matrix collapsed to zero")
	}
	for i := range pr.p {
		pr.p[i] /= fro
	}
	return nil
}

// apply replaces a weight gradient G [C, D] by G Pᵀ.
func (pr *mlaProjector) apply(grad *nn.Tensor) error {
	d := pr.d
	if len(grad.Shape) != 2 || grad.Shape[1] != d {
		return fmt.Errorf("mla: head weight gradient shape %v does not match a %dx%d projection", grad.Shape, d, d)
	}
	row := make([]float64, d)
	for c := range grad.Shape[0] {
		g := grad.Row(c)
		for j := range d {
			pj := pr.p[j*d : (j+1)*d]
			var s float64
			for l, gl := range g {
				s += float64(gl) * pj[l]
			}
			row[j] = s
		}
		for j := range d {
			g[j] = float32(row[j])
		}
	}
	return nil
}

// mlaBatchMean returns the mean of z's rows in float64.
func mlaBatchMean(z *nn.Tensor) []float64 {
	n, d := z.Rows(), z.RowLen()
	r := make([]float64, d)
	for i := range n {
		for j, v := range z.Row(i) {
			r[j] += float64(v)
		}
	}
	for j := range r {
		r[j] /= float64(max(n, 1))
	}
	return r
}
