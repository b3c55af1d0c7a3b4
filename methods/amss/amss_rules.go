package amss

import (
	"math"
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/miebench/miebench/methods/modulation"
	"github.com/miebench/miebench/methods/scores"
	"github.com/miebench/miebench/nn"
)

// This file holds AMSS's rules as pure functions: the modal significance
// coefficients, filter importance, the keep count, weighted sampling without
// replacement and the AMSS / AMSS+ masks. amss.go wires them into a Method.

// amssLabelTerm is the released code's HY: the cross-entropy of the batch
// label histogram p (class fractions, length C) with itself as PyTorch's
// CrossEntropyLoss computes it, treating p as logits:
// HY = -sum_k p_k log softmax(p)_k. Because softmax of fractions is nearly
// uniform this is close to log C, not the label entropy.
func amssLabelTerm(y []int, classes int) float64 {
	p := make([]float64, classes)
	for _, k := range y {
		p[k]++
	}
	for k := range p {
		p[k] /= float64(len(y))
	}
	mx := math.Inf(-1)
	for _, v := range p {
		mx = math.Max(mx, v)
	}
	var z float64
	for _, v := range p {
		z += math.Exp(v - mx)
	}
	logZ := mx + math.Log(z)
	var h float64
	for _, v := range p {
		h -= v * (v - logZ)
	}
	return h
}

// amssFeatureEntropy is H_m: the batch mean of the entropy of softmax over
// each feature vector's components (not over classes).
func amssFeatureEntropy(z *nn.Tensor) float64 {
	var h float64
	for i := range z.Rows() {
		row := z.Row(i)
		mx := math.Inf(-1)
		for _, v := range row {
			mx = math.Max(mx, float64(v))
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - mx)
		}
		logZ := mx + math.Log(s)
		for _, v := range row {
			lp := float64(v) - logZ
			h -= math.Exp(lp) * lp
		}
	}
	return h / float64(z.Rows())
}

// amssScore is score_m = -CE(out_m, y), the negative batch-mean
// cross-entropy of modality m's partial logits.
func amssScore(logits *nn.Tensor, y []int) float64 {
	var ce float64
	for i, k := range y {
		ce -= math.Log(scores.SoftmaxProbAt(logits.Row(i), k))
	}
	return -ce / float64(len(y))
}

// amssExp32 is e^x as a float32 tensor holds it: +Inf beyond float32's
// range, which is where the released code's NaN rule comes from.
func amssExp32(x float64) float64 { return float64(float32(math.Exp(x))) }

// amssCoefficients returns each modality's keep fraction from the
// numerators num_m = score_m + HY + 0.5 and feature entropies H_m, with
// r_m = num_m / H_m and temperature T:
//   - if any numerator is <= 0, every coefficient is 1 - 1/M (0.5 for two);
//   - two modalities, as released: coeff_a = e^(r_v/T) / (e^(r_v/T) +
//     e^(r_a/T)), coeff_v = 1 - coeff_a;
//   - M > 2: coeff_m = sum_{j != m} e^(r_j/T) / sum_j e^(r_j/T), which is
//     the same formula for two;
//
// then each is clamped to [0.1, 0.9] and a NaN (float32 overflow of the
// exponentials gives Inf/Inf) becomes 1 - 1/M. The stronger modality (larger
// r) gets the smaller fraction.
func amssCoefficients(num, h []float64, temp float64) []float64 {
	m := len(num)
	neutral := 1 - 1/float64(m)
	coeff := make([]float64, m)
	for _, v := range num {
		if v <= 0 {
			for i := range coeff {
				coeff[i] = neutral
			}
			return coeff
		}
	}
	e := make([]float64, m)
	var total float64
	for i := range num {
		e[i] = amssExp32(num[i] / h[i] / temp)
		total += e[i]
	}
	if m == 2 {
		coeff[0] = e[1] / (e[1] + e[0])
		coeff[1] = 1 - coeff[0]
	} else {
		for i := range coeff {
			coeff[i] = (total - e[i]) / total
		}
	}
	for i, c := range coeff {
		if math.IsNaN(c) {
			coeff[i] = neutral
			continue
		}
		coeff[i] = math.Min(math.Max(c, 0.1), 0.9)
	}
	return coeff
}

// amssResidualConv matches the local names of convolution weights inside
// ResNet residual layers: layer<i>.<j>.conv<k>.weight, which excludes the
// stem (conv1.weight) and the downsample convolutions
// (layer<i>.<j>.downsample.0.weight).
var amssResidualConv = regexp.MustCompile(`(^|\.)layer\d+\.\d+\.conv\d+\.weight$`)

// amssScope returns the encoder parameters AMSS masks: the 4-D convolution
// weights inside residual layers as released. An encoder without residual
// layers falls back to modulation.ConvOrLinearWeights: all its 4-D convolution
// weights (the small CNN), and without convolutions its 2-D linear weights
// (the MLP encoder), whose output units play the role of filters.
//
// The "downsample" check is not redundant with amssResidualConv on every
// name: the pattern alone also matches enc.<modality>.layer1.0.conv1.weight
// when the modality's name contains "downsample", which the check excludes.
func amssScope(params []*nn.Param) []*nn.Param {
	var res []*nn.Param
	for _, p := range params {
		if len(p.Grad.Shape) == 4 && amssResidualConv.MatchString(p.Name) && !strings.Contains(p.Name, "downsample") {
			res = append(res, p)
		}
	}
	if len(res) > 0 {
		return res
	}
	return modulation.ConvOrLinearWeights(params)
}

// amssImportance returns g_f = sum of squared gradient entries of each
// output filter f (the first dimension) of g.
func amssImportance(g *nn.Tensor) []float64 {
	imp := make([]float64, g.Rows())
	for f := range imp {
		for _, v := range g.Row(f) {
			imp[f] += float64(v) * float64(v)
		}
	}
	return imp
}

// amssKeepCount is p = ceil(n * coeff), kept within [1, n].
func amssKeepCount(n int, coeff float64) int {
	p := int(math.Ceil(float64(n) * coeff))
	return min(max(p, 1), n)
}

// amssSample draws p distinct indices with probability proportional to
// weights, without replacement: each draw picks among the indices not yet
// drawn with probability w_f / sum of their weights. When the remaining
// weight is zero (all-zero gradients, or fewer positive weights than p:
// torch.multinomial refuses that case) the rest are drawn uniformly among
// the remaining indices. Draws consume rng in a fixed order.
func amssSample(weights []float64, p int, rng *rand.Rand) []int {
	n := len(weights)
	taken := make([]bool, n)
	out := make([]int, 0, p)
	for len(out) < p {
		var total float64
		for f, w := range weights {
			if !taken[f] {
				total += w
			}
		}
		pick := -1
		if total > 0 {
			u := rng.Float64() * total
			for f, w := range weights {
				if taken[f] || w <= 0 {
					continue
				}
				pick = f
				if u < w {
					break
				}
				u -= w
			}
		} else {
			j := rng.IntN(n - len(out))
			for f := range weights {
				if taken[f] {
					continue
				}
				if j == 0 {
					pick = f
					break
				}
				j--
			}
		}
		taken[pick] = true
		out = append(out, pick)
	}
	return out
}

// amssMask returns the per-filter gradient multipliers for the kept
// filters: 1 for AMSS, 1/(q_f + 1/N) for AMSS+ (q_f = g_f / sum g, N
// filters; with all-zero importance q is uniform); 0 for dropped filters.
func amssMask(importance []float64, kept []int, plus bool) []float64 {
	n := len(importance)
	var total float64
	for _, g := range importance {
		total += g
	}
	mask := make([]float64, n)
	for _, f := range kept {
		mask[f] = 1
		if plus {
			q := 1 / float64(n)
			if total > 0 {
				q = importance[f] / total
			}
			mask[f] = 1 / (q + 1/float64(n))
		}
	}
	return mask
}

// amssApplyMask multiplies each output filter's gradient by its mask value.
func amssApplyMask(g *nn.Tensor, mask []float64) {
	for f, v := range mask {
		row := g.Row(f)
		for j := range row {
			row[j] = float32(float64(row[j]) * v)
		}
	}
}
