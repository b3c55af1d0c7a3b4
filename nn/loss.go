package nn

import (
	"fmt"
	"math"
)

// logSumExp returns log Σ exp(row[j]) computed stably by shifting by the
// row maximum, in float64.
func logSumExp(row []float32) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = max(m, float64(v))
	}
	if math.IsInf(m, 0) {
		return m
	}
	var s float64
	for _, v := range row {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

// logits2D checks that logits is a batch of rows and returns its sizes.
func logits2D(what string, logits *Tensor) (n, c int) {
	if len(logits.Shape) != 2 || logits.Shape[1] == 0 {
		panic(fmt.Sprintf("nn: %s: logits must be [N, C] with C > 0, got %v", what, logits.Shape))
	}
	return logits.Shape[0], logits.Shape[1]
}

// Softmax returns the row-wise softmax of logits [N, C].
func Softmax(logits *Tensor) *Tensor {
	n, c := logits2D("Softmax", logits)
	p := NewTensor(n, c)
	for i := range n {
		row := logits.Row(i)
		lse := logSumExp(row)
		for j, v := range row {
			p.Data[i*c+j] = float32(math.Exp(float64(v) - lse))
		}
	}
	return p
}

// LogSoftmax returns the row-wise log-softmax of logits [N, C].
func LogSoftmax(logits *Tensor) *Tensor {
	n, c := logits2D("LogSoftmax", logits)
	p := NewTensor(n, c)
	for i := range n {
		row := logits.Row(i)
		lse := logSumExp(row)
		for j, v := range row {
			p.Data[i*c+j] = float32(float64(v) - lse)
		}
	}
	return p
}

// SoftmaxCrossEntropy returns the batch mean of -log softmax(logits)[label]
// and its gradient with respect to logits, (softmax - onehot)/N. It panics
// when a label is outside [0, C) or the label count differs from N.
func SoftmaxCrossEntropy(logits *Tensor, labels []int) (loss float64, dlogits *Tensor) {
	n, c := logits2D("SoftmaxCrossEntropy", logits)
	if len(labels) != n {
		panic(fmt.Sprintf("nn: SoftmaxCrossEntropy: %d labels for %d rows", len(labels), n))
	}
	if n == 0 {
		return 0, NewTensor(0, c)
	}
	d := NewTensor(n, c)
	inv := 1 / float64(n)
	for i, y := range labels {
		if y < 0 || y >= c {
			panic(fmt.Sprintf("nn: SoftmaxCrossEntropy: label %d of row %d outside [0, %d)", y, i, c))
		}
		row := logits.Row(i)
		lse := logSumExp(row)
		loss += lse - float64(row[y])
		for j, v := range row {
			p := math.Exp(float64(v) - lse)
			if j == y {
				p--
			}
			d.Data[i*c+j] = float32(p * inv)
		}
	}
	return loss * inv, d
}

// SoftTargetCrossEntropy returns the batch mean of -Σ_j t_ij log softmax(z_i)_j
// for targets t [N, C] (rows summing to 1, as mixup produces) and its
// gradient (softmax·Σt - t)/N.
func SoftTargetCrossEntropy(logits, targets *Tensor) (float64, *Tensor) {
	n, c := logits2D("SoftTargetCrossEntropy", logits)
	if !SameShape(logits, targets) {
		panic(fmt.Sprintf("nn: SoftTargetCrossEntropy: targets shape %v, logits shape %v", targets.Shape, logits.Shape))
	}
	if n == 0 {
		return 0, NewTensor(0, c)
	}
	d := NewTensor(n, c)
	inv := 1 / float64(n)
	var loss float64
	for i := range n {
		row, t := logits.Row(i), targets.Row(i)
		lse := logSumExp(row)
		var tsum float64
		for j, v := range row {
			tj := float64(t[j])
			loss -= tj * (float64(v) - lse)
			tsum += tj
		}
		for j, v := range row {
			p := math.Exp(float64(v) - lse)
			d.Data[i*c+j] = float32((p*tsum - float64(t[j])) * inv)
		}
	}
	return loss * inv, d
}
