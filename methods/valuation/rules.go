package valuation

import "math"

// Shapley returns each modality's Shapley value of one sample from the
// correctness of the predictions of every modality subset: correct[s]
// for the subset whose bit m is set when modality m is kept (s from 1 to
// 2^M - 1; the empty subset is worth 0). A subset's worth is 1 when its
// prediction is right, except the full set, worth fullValue: the released
// code counts it 2 (its phi_a = (v(a) + v(a,v) - v(v)) / 2 with v(a,v) = 2),
// the Shapley value proper uses 1.
func Shapley(correct []bool, modalities int, fullValue float64) []float64 {
	full := 1<<modalities - 1
	worth := func(s int) float64 {
		switch {
		case s == 0 || !correct[s]:
			return 0
		case s == full:
			return fullValue
		}
		return 1
	}
	fact := func(n int) float64 { return math.Gamma(float64(n) + 1) }
	phi := make([]float64, modalities)
	for m := range modalities {
		bit := 1 << m
		for s := 0; s <= full; s++ {
			if s&bit != 0 {
				continue
			}
			k := popcount(s)
			w := fact(k) * fact(modalities-k-1) / fact(modalities)
			phi[m] += w * (worth(s|bit) - worth(s))
		}
	}
	return phi
}

func popcount(s int) int {
	n := 0
	for ; s != 0; s &= s - 1 {
		n++
	}
	return n
}

// Copies is how many extra copies, keeping modality m only, a sample gets
// for its value phi_m in the sample-level variant: 1 for 0.4 < phi < 1, 2
// for -0.1 < phi < 0.4, 3 for phi < -0.1, none otherwise (the released
// strict bounds).
func Copies(phi float64) int {
	switch {
	case 0.4 < phi && phi < 1:
		return 1
	case -0.1 < phi && phi < 0.4:
		return 2
	case phi < -0.1:
		return 3
	}
	return 0
}

// ModalityResample is the modality-level variant's rule: from each
// modality's mean value, gap_m = 1 - mean_m; the modality with the largest
// gap (ties: the last, as the released else branch picks visual) gets
// int((gap_weak - gap_strong) / 3 * 2 * alpha * n) extra copies of random
// samples, keeping it only; gap_strong is the smallest gap. For two
// modalities this is the released |gap_a - gap_v| * 2/3 * alpha * N.
func ModalityResample(mean []float64, alpha float64, n int) (weak, count int) {
	strong := 0
	for m, v := range mean {
		if 1-v >= 1-mean[weak] {
			weak = m
		}
		if 1-v < 1-mean[strong] {
			strong = m
		}
	}
	diff := (1 - mean[weak]) - (1 - mean[strong])
	return weak, int(diff / 3 * 2 * alpha * float64(n))
}
