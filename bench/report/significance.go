package report

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Alpha is the significance level of the comparisons with a column's best
// cell: a cell whose one-sided Welch p value is at least Alpha is not
// significantly worse and is shown in bold with the best.
const Alpha = 0.05

// welch returns Welch's t statistic for the difference of the means of two
// samples, (ma - mb) / sqrt(sa²/na + sb²/nb), and its Welch–Satterthwaite
// degrees of freedom (va + vb)² / (va²/(na-1) + vb²/(nb-1)) with
// v = s²/n. s are sample standard deviations; both n must be at least 2.
// With both standard deviations zero, t is ±Inf (0 for equal means) and df
// is NaN.
func welch(ma, sa float64, na int, mb, sb float64, nb int) (t, df float64) {
	va := sa * sa / float64(na)
	vb := sb * sb / float64(nb)
	se := math.Sqrt(va + vb)
	d := ma - mb
	if se == 0 {
		switch {
		case d > 0:
			return math.Inf(1), math.NaN()
		case d < 0:
			return math.Inf(-1), math.NaN()
		}
		return 0, math.NaN()
	}
	df = (va + vb) * (va + vb) / (va*va/float64(na-1) + vb*vb/float64(nb-1))
	return d / se, df
}

// pWorse is the one-sided p value of Welch's t-test of the hypothesis that
// cell c is worse than best (lower mean; higher when lower is better):
// P(T >= t) for T Student-distributed with the Welch degrees of freedom,
// t = (best - c) / se (negated when lower is better). It is 1 for
// identical samples without spread and 0 for different ones.
func pWorse(best, c Cell, lowerBetter bool) float64 {
	t, df := welch(best.Mean, best.Std, best.N, c.Mean, c.Std, c.N)
	if lowerBetter {
		t = -t
	}
	switch {
	case math.IsInf(t, 1):
		return 0
	case math.IsInf(t, -1):
		return 1
	case math.IsNaN(df):
		return 1 // equal means, no spread
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(t)
}
