package methods

import (
	"math"
	"math/rand/v2"

	"github.com/miebench/miebench/nn"
)

// This file holds OGM-GE's per-step rules as pure functions over tensors and
// parameters; ogmge.go wires them into a Method.

// ogmScore is the released code's unimodal score of one modality: the sum
// over the batch of the softmax probability its partial logits give the true
// class, s = sum_i softmax(out_i)[y_i].
func ogmScore(logits *nn.Tensor, y []int) float64 {
	var s float64
	for i, label := range y {
		s += ogmSoftmaxProbAt(logits.Row(i), label)
	}
	return s
}

// ogmSoftmaxProbAt returns softmax(row)[k], computed stably in float64.
func ogmSoftmaxProbAt(row []float32, k int) float64 {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = math.Max(mx, float64(v))
	}
	var z float64
	for _, v := range row {
		z += math.Exp(float64(v) - mx)
	}
	return math.Exp(float64(row[k])-mx) / z
}

// ogmWeakest returns the index of the modality with the smallest score; ties
// go to the last of the tied modalities, which for two modalities reproduces
// the released code's "else" branch at ratio exactly 1 (audio suppressed).
func ogmWeakest(scores []float64) int {
	w := 0
	for m, s := range scores {
		if s <= scores[w] {
			w = m
		}
	}
	return w
}

// ogmCoefficients returns the modulation coefficient k_m of every modality
// and the ratios rho_m = s_m / s_weakest. The weakest modality keeps k = 1;
// every other modality gets k_m = 1 - tanh(alpha * relu(rho_m - offset)).
// For two modalities this is exactly the released rule: ratio_v = s_v/s_a,
// k_v = 1 - tanh(alpha*relu(ratio_v)) if ratio_v > 1, else
// k_a = 1 - tanh(alpha*relu(1/ratio_v)); offset 0 is the released code and
// offset 1 the paper's relu(ratio - 1). A zero weakest score (all
// probability underflowed) makes the ratio +Inf and the coefficient 0; if
// every score is 0 nothing is modulated.
func ogmCoefficients(scores []float64, alpha, offset float64) (k, ratio []float64) {
	w := ogmWeakest(scores)
	k = make([]float64, len(scores))
	ratio = make([]float64, len(scores))
	for m, s := range scores {
		k[m] = 1
		if scores[w] == 0 && s == 0 {
			ratio[m] = 1
			continue
		}
		ratio[m] = s / scores[w]
		if m == w {
			continue
		}
		k[m] = 1 - math.Tanh(alpha*math.Max(ratio[m]-offset, 0))
	}
	return k, ratio
}

// ogmScope returns the parameters of one encoder whose gradients OGM-GE
// modulates: the 4-D tensors (convolution weights), as the released code
// selects them; batch-norm parameters and biases are never touched. An
// encoder without any 4-D tensor (the MLP encoder) gets its 2-D weight
// matrices instead, the linear layers playing the role of the convolutions,
// so that the method is not silently a no-op on feature-vector data.
func ogmScope(params []*nn.Param) []*nn.Param {
	var conv, mat []*nn.Param
	for _, p := range params {
		switch len(p.Grad.Shape) {
		case 4:
			conv = append(conv, p)
		case 2:
			mat = append(mat, p)
		}
	}
	if len(conv) > 0 {
		return conv
	}
	return mat
}

// ogmStd is the unbiased (n-1) standard deviation of g, as torch.std
// computes it; 0 for fewer than two elements.
func ogmStd(g []float32) float64 {
	n := len(g)
	if n < 2 {
		return 0
	}
	var mean float64
	for _, v := range g {
		mean += float64(v)
	}
	mean /= float64(n)
	var ss float64
	for _, v := range g {
		d := float64(v) - mean
		ss += d * d
	}
	return math.Sqrt(ss / float64(n-1))
}

// ogmModulate applies OGM (ge false) g <- k*g, or OGM-GE (ge true)
// g <- k*g + N(0, sigma^2) elementwise with sigma = std(g) + 1e-8 taken from
// the unmodulated gradient. Noise is drawn in element order from rng.
func ogmModulate(g []float32, k float64, ge bool, rng *rand.Rand) {
	sigma := 0.0
	if ge {
		sigma = ogmStd(g) + 1e-8
	}
	for i, v := range g {
		x := k * float64(v)
		if ge {
			x += sigma * rng.NormFloat64()
		}
		g[i] = float32(x)
	}
}
