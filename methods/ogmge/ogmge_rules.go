package ogmge

import (
	"math"
	"math/rand/v2"

	"github.com/miebench/miebench/methods/scores"
)

// This file holds OGM-GE's per-step rules as pure functions over tensors and
// parameters; ogmge.go wires them into a Method.

// ogmCoefficients returns the modulation coefficient k_m of every modality
// and the ratios rho_m = s_m / s_weakest. The weakest modality keeps k = 1;
// every other modality gets k_m = 1 - tanh(alpha * relu(rho_m - offset)).
// For two modalities this is exactly the released rule: ratio_v = s_v/s_a,
// k_v = 1 - tanh(alpha*relu(ratio_v)) if ratio_v > 1, else
// k_a = 1 - tanh(alpha*relu(1/ratio_v)); offset 0 is the released code and
// offset 1 the paper's relu(ratio - 1). A zero weakest score (all
// probability underflowed) makes the ratio +Inf and the coefficient 0; if
// every score is 0 nothing is modulated.
func ogmCoefficients(s []float64, alpha, offset float64) (k, ratio []float64) {
	w := scores.Weakest(s)
	k = make([]float64, len(s))
	ratio = make([]float64, len(s))
	for m, sm := range s {
		k[m] = 1
		if s[w] == 0 && sm == 0 {
			ratio[m] = 1
			continue
		}
		ratio[m] = sm / s[w]
		if m == w {
			continue
		}
		k[m] = 1 - math.Tanh(alpha*math.Max(ratio[m]-offset, 0))
	}
	return k, ratio
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
