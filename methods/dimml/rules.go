package dimml

import (
	"math"

	"github.com/miebench/miebench/nn"
)

// DimRates is, per feature dimension d, the fraction of samples whose
// nearest class centre on d alone, argmin_c |z_id - mean_c(z_d)|, is their
// own class (ties: the smallest class, torch.argmin's first). Classes
// without samples have no centre. z holds one row per sample.
func DimRates(z [][]float64, y []int, classes int) []float64 {
	d := len(z[0])
	centre := make([][]float64, classes)
	count := make([]int, classes)
	for c := range centre {
		centre[c] = make([]float64, d)
	}
	for i, row := range z {
		count[y[i]]++
		for j, v := range row {
			centre[y[i]][j] += v
		}
	}
	for c := range centre {
		for j := range centre[c] {
			centre[c][j] /= float64(max(count[c], 1))
		}
	}
	rates := make([]float64, d)
	for i, row := range z {
		for j, v := range row {
			best, bd := -1, math.Inf(1)
			for c := range classes {
				if count[c] == 0 {
					continue
				}
				if dist := math.Abs(v - centre[c][j]); dist < bd {
					best, bd = c, dist
				}
			}
			if best == y[i] {
				rates[j] += 1 / float64(len(z))
			}
		}
	}
	return rates
}

// TopDims marks the dimensions whose rate is above the mean rate.
func TopDims(rates []float64) []bool {
	var mean float64
	for _, r := range rates {
		mean += r / float64(len(rates))
	}
	top := make([]bool, len(rates))
	for j, r := range rates {
		top[j] = r > mean
	}
	return top
}

// OnlyDims returns, per modality, the dimensions on top for it and for no
// other modality (released: audio_only = top_a minus top_v), ascending.
func OnlyDims(top [][]bool) [][]int {
	only := make([][]int, len(top))
	for m, t := range top {
		for j, on := range t {
			if !on {
				continue
			}
			alone := true
			for k := range top {
				if k != m && top[k][j] {
					alone = false
				}
			}
			if alone {
				only[m] = append(only[m], j)
			}
		}
	}
	return only
}

// AlignLoss is the released contrastive term that aligns x on dims to the
// detached anchor: the batch mean of -log softmax_j(x_i[dims] .
// anchor_j[dims] / T)[i]. It returns the loss and dL/dx (zero outside
// dims); the anchor gets no gradient.
func AlignLoss(x, anchor *nn.Tensor, dims []int, temperature float64) (float64, *nn.Tensor) {
	n := x.Rows()
	dx := nn.NewTensor(x.Shape...)
	if len(dims) == 0 || n == 0 {
		return math.Log(float64(n)), dx
	}
	dot := func(a, b []float32) float64 {
		var s float64
		for _, j := range dims {
			s += float64(a[j]) * float64(b[j])
		}
		return s
	}
	var loss float64
	s := make([]float64, n)
	for i := range n {
		xi := x.Row(i)
		hi := math.Inf(-1)
		for j := range n {
			s[j] = dot(xi, anchor.Row(j)) / temperature
			hi = math.Max(hi, s[j])
		}
		var z float64
		for j := range n {
			z += math.Exp(s[j] - hi)
		}
		loss += math.Log(z) + hi - s[i]
		g := dx.Row(i)
		for j := range n {
			p := math.Exp(s[j]-hi) / z
			if j == i {
				p--
			}
			aj := anchor.Row(j)
			for _, d := range dims {
				g[d] += float32(p * float64(aj[d]) / temperature / float64(n))
			}
		}
	}
	return loss / float64(n), dx
}

// ConfidenceWeighted is the released inference: per sample, the outputs'
// logits weighted by softmax over outputs of (max class probability /
// temperature).
func ConfidenceWeighted(outs []*nn.Tensor, temperature float64) *nn.Tensor {
	n, c := outs[0].Rows(), outs[0].RowLen()
	probs := make([]*nn.Tensor, len(outs))
	for k, o := range outs {
		probs[k] = nn.Softmax(o)
	}
	res := nn.NewTensor(n, c)
	w := make([]float64, len(outs))
	for i := range n {
		hi := math.Inf(-1)
		for k := range outs {
			var mx float64
			for _, p := range probs[k].Row(i) {
				mx = math.Max(mx, float64(p))
			}
			w[k] = mx / temperature
			hi = math.Max(hi, w[k])
		}
		var z float64
		for k := range w {
			w[k] = math.Exp(w[k] - hi)
			z += w[k]
		}
		row := res.Row(i)
		for k, o := range outs {
			for j, v := range o.Row(i) {
				row[j] += float32(w[k] / z * float64(v))
			}
		}
	}
	return res
}
