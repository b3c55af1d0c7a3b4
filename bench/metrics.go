package bench

import (
	"math"
	"sort"

	"github.com/miebench/miebench/nn"
)

// Argmax returns each row's index of the largest score (the first on ties).
func Argmax(scores *nn.Tensor) []int {
	n := scores.Rows()
	out := make([]int, n)
	for i := range n {
		row := scores.Row(i)
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		out[i] = best
	}
	return out
}

// Accuracy is the fraction of predictions equal to the labels.
func Accuracy(pred, y []int) float64 {
	if len(y) == 0 {
		return 0
	}
	hit := 0
	for i := range y {
		if pred[i] == y[i] {
			hit++
		}
	}
	return float64(hit) / float64(len(y))
}

// MacroF1 is the unweighted mean over classes of F1 = 2TP / (2TP + FP + FN),
// over the classes that occur in the labels or the predictions (as
// scikit-learn's f1_score with average="macro"); a class with TP = FP = FN = 0
// does not occur and is not counted.
func MacroF1(pred, y []int, classes int) float64 {
	tp := make([]int, classes)
	fp := make([]int, classes)
	fn := make([]int, classes)
	for i := range y {
		if pred[i] == y[i] {
			tp[y[i]]++
		} else {
			fp[pred[i]]++
			fn[y[i]]++
		}
	}
	sum, n := 0.0, 0
	for c := range classes {
		den := 2*tp[c] + fp[c] + fn[c]
		if den == 0 {
			continue
		}
		sum += 2 * float64(tp[c]) / float64(den)
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// MeanAveragePrecision is the macro mean over classes with at least one
// positive sample of the average precision of ranking all samples by that
// class's probability (softmax of the log-scores): AP = sum over positives,
// in descending score order, of precision at that positive's rank, divided
// by the number of positives. Ties are broken by sample index, so the value
// is deterministic.
func MeanAveragePrecision(logScores *nn.Tensor, y []int, classes int) float64 {
	probs := nn.Softmax(logScores)
	n := len(y)
	idx := make([]int, n)
	sum, counted := 0.0, 0
	for c := range classes {
		pos := 0
		for _, l := range y {
			if l == c {
				pos++
			}
		}
		if pos == 0 {
			continue
		}
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool {
			return probs.Data[idx[a]*classes+c] > probs.Data[idx[b]*classes+c]
		})
		hits, ap := 0, 0.0
		for rank, i := range idx {
			if y[i] == c {
				hits++
				ap += float64(hits) / float64(rank+1)
			}
		}
		sum += ap / float64(pos)
		counted++
	}
	if counted == 0 {
		return 0
	}
	return sum / float64(counted)
}

// MeanCrossEntropy is the mean of -log softmax(logScores)[y].
func MeanCrossEntropy(logScores *nn.Tensor, y []int) float64 {
	ls := nn.LogSoftmax(logScores)
	c := ls.RowLen()
	s := 0.0
	for i, l := range y {
		s -= float64(ls.Data[i*c+l])
	}
	if len(y) == 0 {
		return math.NaN()
	}
	return s / float64(len(y))
}
