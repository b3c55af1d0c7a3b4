package pmr

import (
	"math"

	"github.com/miebench/miebench/methods/scores"
	"github.com/miebench/miebench/nn"
)

// This file holds PMR's rules as pure functions: class prototypes,
// Euclidean distances, the prototype cross-entropy and entropy with their
// gradients with respect to the features, and the coefficient rule.
// pmr.go wires them into a Method.

// pmrProtoAccum sums one modality's features per class.
type pmrProtoAccum struct {
	sum   [][]float64 // [class][dim]
	count []int
}

func newPMRProtoAccum(classes, dim int) *pmrProtoAccum {
	a := &pmrProtoAccum{sum: make([][]float64, classes), count: make([]int, classes)}
	for k := range a.sum {
		a.sum[k] = make([]float64, dim)
	}
	return a
}

// add accumulates the rows of z ([N, D]) under their labels y.
func (a *pmrProtoAccum) add(z *nn.Tensor, y []int) {
	for i, k := range y {
		a.count[k]++
		for j, v := range z.Row(i) {
			a.sum[k][j] += float64(v)
		}
	}
}

// prototypes returns the class means [C, D]. With old == nil (the first
// computation) they are the plain means; otherwise
// c = (1 - momentum) * mean + momentum * old. A class that no accumulated
// sample had keeps its old prototype (zeros when there is none): the
// released code divides by a zero count there and gets NaN.
func (a *pmrProtoAccum) prototypes(old *nn.Tensor, momentum float64) *nn.Tensor {
	c := nn.NewTensor(len(a.sum), len(a.sum[0]))
	for k, s := range a.sum {
		row := c.Row(k)
		if a.count[k] == 0 {
			if old != nil {
				copy(row, old.Row(k))
			}
			continue
		}
		for j, v := range s {
			mean := v / float64(a.count[k])
			if old != nil {
				mean = (1-momentum)*mean + momentum*float64(old.Row(k)[j])
			}
			row[j] = float32(mean)
		}
	}
	return c
}

// pmrDistances returns the Euclidean (not squared) distances d[i][k] =
// ||z_i - c_k|| as an [N, C] matrix in float64.
func pmrDistances(z, c *nn.Tensor) [][]float64 {
	d := make([][]float64, z.Rows())
	for i := range d {
		zi := z.Row(i)
		d[i] = make([]float64, c.Rows())
		for k := range d[i] {
			var ss float64
			for j, v := range c.Row(k) {
				diff := float64(zi[j]) - float64(v)
				ss += diff * diff
			}
			d[i][k] = math.Sqrt(ss)
		}
	}
	return d
}

// pmrDistBackward turns dL/dsim ([N][C], sim = -d) into dL/dz ([N, D]):
// dsim_k/dz = -(z - c_k)/d_k, taken as 0 where d_k = 0 (sqrt is not
// differentiable there).
func pmrDistBackward(z, c *nn.Tensor, d, dsim [][]float64) *nn.Tensor {
	dz := nn.NewTensor(z.Rows(), z.RowLen())
	for i := range d {
		zi, gi := z.Row(i), dz.Row(i)
		for k, dk := range d[i] {
			if dk == 0 || dsim[i][k] == 0 {
				continue
			}
			f := -dsim[i][k] / dk
			for j, v := range c.Row(k) {
				gi[j] += float32(f * (float64(zi[j]) - float64(v)))
			}
		}
	}
	return dz
}

// pmrProtoCE is the prototype classifier's loss for one modality:
// L = mean_i CE(-d(z_i, c), y_i), the score s = sum_i softmax(-d_i)[y_i]
// (the quantity the modalities are compared by) and dL/dz. The prototypes
// are constants (computed without gradients).
func pmrProtoCE(z, c *nn.Tensor, y []int) (loss, score float64, dz *nn.Tensor) {
	loss, score, grad := pmrProtoCEDeferred(z, c, y)
	return loss, score, grad()
}

// pmrProtoCEDeferred is pmrProtoCE with dL/dz computed only when grad is
// called, for callers that need it for some modalities only. grad reads z
// and c, which must not change in between.
func pmrProtoCEDeferred(z, c *nn.Tensor, y []int) (loss, score float64, grad func() *nn.Tensor) {
	d := pmrDistances(z, c)
	n := float64(len(y))
	dsim := make([][]float64, len(d))
	for i, k := range y {
		p := scores.SoftmaxNeg(d[i])
		loss -= math.Log(p[k])
		score += p[k]
		p[k]--
		for j := range p {
			p[j] /= n
		}
		dsim[i] = p
	}
	return loss / n, score, func() *nn.Tensor { return pmrDistBackward(z, c, d, dsim) }
}

// pmrProtoEntropy is the batch mean of the entropy of the prototype
// classifier's prediction softmax(-d), H = mean_i -sum_k p_ik log p_ik, and
// dH/dz.
func pmrProtoEntropy(z, c *nn.Tensor) (h float64, dz *nn.Tensor) {
	d := pmrDistances(z, c)
	n := float64(len(d))
	dsim := make([][]float64, len(d))
	for i := range d {
		p := scores.SoftmaxNeg(d[i])
		var hi float64
		for _, v := range p {
			if v > 0 {
				hi -= v * math.Log(v)
			}
		}
		h += hi
		// dH_i/dsim_k = -p_k (log p_k + H_i).
		g := make([]float64, len(p))
		for k, v := range p {
			if v > 0 {
				g[k] = -v * (math.Log(v) + hi) / n
			}
		}
		dsim[i] = g
	}
	return h / n, pmrDistBackward(z, c, d, dsim)
}

// pmrCoefficients returns the weight of each modality's prototype loss. As
// released, for two modalities with rho = s_a/s_v: the visual term gets
// alpha when rho > 1, the audio term when rho < 1, neither when equal. In
// general every modality whose score is below the largest gets alpha and
// the leaders get 0. With ratioScaling (the paper) the weight is
// alpha * (s_max/s_m - 1), growing with the imbalance.
func pmrCoefficients(scores []float64, alpha float64, ratioScaling bool) []float64 {
	mx := math.Inf(-1)
	for _, s := range scores {
		mx = math.Max(mx, s)
	}
	w := make([]float64, len(scores))
	for m, s := range scores {
		if s >= mx {
			continue
		}
		w[m] = alpha
		if ratioScaling {
			w[m] = alpha * (mx/s - 1)
		}
	}
	return w
}
