// Package mmcosine is MMCosine (Xu et al., ICASSP 2023): a fusion head of
// scaled cosine logits, one term per modality, trained with cross-entropy.
package mmcosine

import (
	"fmt"
	"math"

	"github.com/miebench/miebench/nn"
)

// This file holds MMCosine's rule as pure functions: modality-wise L2
// normalisation of features and of the class rows of the head's weight
// slice, and the scaled cosine logits with their gradient.

// normEps is torch.nn.functional.normalize's default eps: a row x becomes
// x / max(||x||, eps).
const normEps = 1e-12

// unitRows returns x [rows, cols] with every row divided by
// max(||row||, eps), as F.normalize(x, dim=1) does, and each row's divisor.
func unitRows(x []float64, rows, cols int) (u, div []float64) {
	u = make([]float64, rows*cols)
	div = make([]float64, rows)
	for i := range rows {
		row := x[i*cols : (i+1)*cols]
		var ss float64
		for _, v := range row {
			ss += v * v
		}
		div[i] = math.Max(math.Sqrt(ss), normEps)
		for j, v := range row {
			u[i*cols+j] = v / div[i]
		}
	}
	return u, div
}

// unitRowsBackward maps du = dL/du to dL/dx for u = unitRows(x): where the
// norm exceeded eps, dx = (du - u (u . du)) / ||x||; below eps the divisor
// is the constant eps and dx = du / eps.
func unitRowsBackward(du, u, div []float64, rows, cols int) []float64 {
	dx := make([]float64, rows*cols)
	for i := range rows {
		ur, gr := u[i*cols:(i+1)*cols], du[i*cols:(i+1)*cols]
		var dot float64
		if div[i] > normEps {
			for j := range ur {
				dot += ur[j] * gr[j]
			}
		}
		for j := range ur {
			dx[i*cols+j] = (gr[j] - ur[j]*dot) / div[i]
		}
	}
	return dx
}

// cosine is one modality's term s * cos(z_n, w_c) of the MMCosine logits,
// with what its backward pass needs.
type cosine struct {
	n, c, d    int
	scale      float64
	zu, wu     []float64 // unit rows of z [n, d] and w [c, d]
	zdiv, wdiv []float64
	logits     *nn.Tensor // [n, c]
}

// newCosine computes logits[i][k] = scale * <z_i/|z_i|, w_k/|w_k|> for
// features z [N, D] and class weights w [C, D] (the modality's slice of the
// head weight, one row per class).
func newCosine(z []float32, w []float32, n, c, d int, scale float64) (*cosine, error) {
	if len(z) != n*d || len(w) != c*d {
		return nil, fmt.Errorf("mmcosine: features have %d values and weights %d, want %d x %d and %d x %d", len(z), len(w), n, d, c, d)
	}
	zf, wf := make([]float64, len(z)), make([]float64, len(w))
	for i, v := range z {
		zf[i] = float64(v)
	}
	for i, v := range w {
		wf[i] = float64(v)
	}
	k := &cosine{n: n, c: c, d: d, scale: scale}
	k.zu, k.zdiv = unitRows(zf, n, d)
	k.wu, k.wdiv = unitRows(wf, c, d)
	k.logits = nn.NewTensor(n, c)
	for i := range n {
		zr := k.zu[i*d : (i+1)*d]
		for j := range c {
			wr := k.wu[j*d : (j+1)*d]
			var dot float64
			for t := range zr {
				dot += zr[t] * wr[t]
			}
			k.logits.Data[i*c+j] = float32(scale * dot)
		}
	}
	return k, nil
}

// backward takes dL/dlogits [N, C] and returns dL/dz [N, D] and dL/dw [C, D]
// through both normalisations.
func (k *cosine) backward(dlogits []float32) (dz, dw []float64) {
	n, c, d := k.n, k.c, k.d
	dzu := make([]float64, n*d)
	dwu := make([]float64, c*d)
	for i := range n {
		for j := range c {
			g := k.scale * float64(dlogits[i*c+j])
			if g == 0 {
				continue
			}
			for t := range d {
				dzu[i*d+t] += g * k.wu[j*d+t]
				dwu[j*d+t] += g * k.zu[i*d+t]
			}
		}
	}
	return unitRowsBackward(dzu, k.zu, k.zdiv, n, d), unitRowsBackward(dwu, k.wu, k.wdiv, c, d)
}
