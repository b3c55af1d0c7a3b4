package relearning

import (
	"math"
	"math/rand/v2"
)

// MinMaxScale maps every column of x (rows of equal width) to [-1, 1] by
// its own minimum and maximum, as scikit-learn's MinMaxScaler((-1, 1))
// fitted on x does (a constant column, of range 0, maps to -1). x is not
// changed.
func MinMaxScale(x [][]float64) [][]float64 {
	if len(x) == 0 {
		return nil
	}
	d := len(x[0])
	lo, hi := make([]float64, d), make([]float64, d)
	copy(lo, x[0])
	copy(hi, x[0])
	for _, row := range x {
		for j, v := range row {
			lo[j], hi[j] = math.Min(lo[j], v), math.Max(hi[j], v)
		}
	}
	out := make([][]float64, len(x))
	for i, row := range x {
		out[i] = make([]float64, d)
		for j, v := range row {
			rng := hi[j] - lo[j]
			if rng == 0 {
				rng = 1
			}
			out[i][j] = (v-lo[j])/rng*2 - 1
		}
	}
	return out
}

// Purity is the fraction of samples whose label is their cluster's
// majority label (ties go to the smallest label), as the released
// purity_score computes it.
func Purity(labels, clusters []int) float64 {
	if len(labels) == 0 {
		return 0
	}
	counts := map[int]map[int]int{}
	for i, c := range clusters {
		if counts[c] == nil {
			counts[c] = map[int]int{}
		}
		counts[c][labels[i]]++
	}
	var hit int
	for _, byLabel := range counts {
		best, bestLabel := -1, 0
		for l, n := range byLabel {
			if n > best || (n == best && l < bestLabel) {
				best, bestLabel = n, l
			}
		}
		hit += best
	}
	return float64(hit) / float64(len(labels))
}

// Alpha is the re-initialisation strength tanh(lambda |pTrain - pVal|).
func Alpha(pTrain, pVal, lambda float64) float64 {
	return math.Tanh(lambda * math.Abs(pTrain-pVal))
}

// SoftReinit sets theta <- alpha theta0 + (1 - alpha) theta elementwise.
func SoftReinit(theta, theta0 []float32, alpha float64) {
	for i, v := range theta {
		theta[i] = float32(alpha*float64(theta0[i]) + (1-alpha)*float64(v))
	}
}

// KMeans clusters the rows of x into k clusters with Lloyd's algorithm
// from greedy k-means++ seeds (2 + floor(ln k) candidates per seed, as
// scikit-learn), restarted nInit times, keeping the run of least inertia.
// A run stops after maxIter iterations, when no assignment changes, or
// when the centres move by at most tol times the mean per-column variance
// of x (squared), scikit-learn's criterion. An empty cluster keeps its
// centre. It returns each row's cluster.
func KMeans(x [][]float64, k, nInit, maxIter int, tol float64, rng *rand.Rand) []int {
	n := len(x)
	if n == 0 {
		return nil
	}
	k = min(k, n)
	tolAbs := tol * meanVariance(x)
	var best []int
	bestInertia := math.Inf(1)
	for range max(nInit, 1) {
		centres := seedPlusPlus(x, k, rng)
		labels := make([]int, n)
		for i := range labels {
			labels[i] = -1
		}
		var inertia float64
		for range max(maxIter, 1) {
			changed := false
			inertia = 0
			for i, row := range x {
				c, d := nearest(row, centres)
				inertia += d
				if c != labels[i] {
					labels[i], changed = c, true
				}
			}
			if !changed {
				break
			}
			if shift := updateCentres(x, labels, centres); shift <= tolAbs {
				inertia = 0
				for i, row := range x {
					var d float64
					labels[i], d = nearest(row, centres)
					inertia += d
				}
				break
			}
		}
		if inertia < bestInertia {
			bestInertia, best = inertia, append([]int(nil), labels...)
		}
	}
	return best
}

func meanVariance(x [][]float64) float64 {
	n, d := float64(len(x)), len(x[0])
	var total float64
	for j := range d {
		var s, s2 float64
		for _, row := range x {
			s += row[j]
			s2 += row[j] * row[j]
		}
		m := s / n
		total += s2/n - m*m
	}
	return total / float64(d)
}

func sqDist(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		d := v - b[i]
		s += d * d
	}
	return s
}

func nearest(row []float64, centres [][]float64) (int, float64) {
	best, bd := 0, math.Inf(1)
	for c, ctr := range centres {
		if d := sqDist(row, ctr); d < bd {
			best, bd = c, d
		}
	}
	return best, bd
}

// updateCentres moves every centre to its cluster's mean and returns the
// total squared shift.
func updateCentres(x [][]float64, labels []int, centres [][]float64) float64 {
	d := len(x[0])
	sums := make([][]float64, len(centres))
	counts := make([]int, len(centres))
	for c := range sums {
		sums[c] = make([]float64, d)
	}
	for i, row := range x {
		counts[labels[i]]++
		for j, v := range row {
			sums[labels[i]][j] += v
		}
	}
	var shift float64
	for c := range centres {
		if counts[c] == 0 {
			continue
		}
		for j := range sums[c] {
			sums[c][j] /= float64(counts[c])
		}
		shift += sqDist(sums[c], centres[c])
		centres[c] = sums[c]
	}
	return shift
}

// seedPlusPlus picks k initial centres by greedy k-means++.
func seedPlusPlus(x [][]float64, k int, rng *rand.Rand) [][]float64 {
	n := len(x)
	trials := 2 + int(math.Log(float64(k)))
	centres := [][]float64{append([]float64(nil), x[rng.IntN(n)]...)}
	dist := make([]float64, n)
	var pot float64
	for i, row := range x {
		dist[i] = sqDist(row, centres[0])
		pot += dist[i]
	}
	for len(centres) < k {
		bestCand, bestPot := -1, math.Inf(1)
		var bestDist []float64
		for range trials {
			cand := sample(dist, pot, rng)
			nd := make([]float64, n)
			var p float64
			for i, row := range x {
				nd[i] = math.Min(dist[i], sqDist(row, x[cand]))
				p += nd[i]
			}
			if p < bestPot {
				bestCand, bestPot, bestDist = cand, p, nd
			}
		}
		centres = append(centres, append([]float64(nil), x[bestCand]...))
		dist, pot = bestDist, bestPot
	}
	return centres
}

// sample draws an index with probability dist[i]/pot (uniform when pot is 0).
func sample(dist []float64, pot float64, rng *rand.Rand) int {
	if pot <= 0 {
		return rng.IntN(len(dist))
	}
	u := rng.Float64() * pot
	for i, d := range dist {
		u -= d
		if u < 0 {
			return i
		}
	}
	return len(dist) - 1
}
