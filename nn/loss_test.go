package nn

import (
	"math"
	"testing"
)

func TestSoftmaxCrossEntropyValues(t *testing.T) {
	want := math.Log(math.Exp(1)+math.Exp(2)+math.Exp(3)) - 3 // 0.40760596
	for _, shift := range []float32{0, 1000, -1000} {
		logits := FromSlice([]float32{1 + shift, 2 + shift, 3 + shift}, 1, 3)
		loss, d := SoftmaxCrossEntropy(logits, []int{2})
		if math.Abs(loss-want) > 1e-6 {
			t.Errorf("shift %g: loss %.8g, want %.8g", shift, loss, want)
		}
		p := Softmax(logits)
		lp := LogSoftmax(logits)
		z := math.Exp(1) + math.Exp(2) + math.Exp(3)
		for j, e := range []float64{math.Exp(1) / z, math.Exp(2) / z, math.Exp(3) / z} {
			g := e
			if j == 2 {
				g--
			}
			if math.Abs(float64(d.Data[j])-g) > 1e-6 || math.Abs(float64(p.Data[j])-e) > 1e-6 || math.Abs(float64(lp.Data[j])-math.Log(e)) > 1e-4 {
				t.Errorf("shift %g class %d: grad %g softmax %g logsoftmax %g, want %g %g %g", shift, j, d.Data[j], p.Data[j], lp.Data[j], g, e, math.Log(e))
			}
		}
	}
	// The mean over the batch: two rows, uniform logits over 4 classes.
	loss, d := SoftmaxCrossEntropy(NewTensor(2, 4), []int{0, 3})
	if math.Abs(loss-math.Log(4)) > 1e-7 {
		t.Errorf("uniform loss %g, want log 4", loss)
	}
	if math.Abs(float64(d.Data[0])-(0.25-1)/2) > 1e-7 || math.Abs(float64(d.Data[1])-0.25/2) > 1e-7 {
		t.Errorf("uniform gradient %v", d.Data)
	}
}

func TestSoftTargetMatchesHardLabels(t *testing.T) {
	rng := newTestRNG(11)
	logits := randTensor(rng, 3, 3, 4)
	labels := []int{1, 0, 3}
	onehot := NewTensor(3, 4)
	for i, y := range labels {
		onehot.Data[i*4+y] = 1
	}
	l1, d1 := SoftmaxCrossEntropy(logits, labels)
	l2, d2 := SoftTargetCrossEntropy(logits, onehot)
	if math.Abs(l1-l2) > 1e-6 {
		t.Errorf("soft loss %g, hard loss %g", l2, l1)
	}
	for i := range d1.Data {
		if math.Abs(float64(d1.Data[i]-d2.Data[i])) > 1e-7 {
			t.Errorf("gradient %d: soft %g hard %g", i, d2.Data[i], d1.Data[i])
		}
	}
}

func TestGradLosses(t *testing.T) {
	rng := newTestRNG(12)
	logits := randTensor(rng, 2, 3, 5)
	labels := []int{4, 0, 2}
	_, d := SoftmaxCrossEntropy(logits, labels)
	checkTensor(t, "hard", logits.Data, d.Clone().Data, func() float64 {
		l, _ := SoftmaxCrossEntropy(logits, labels)
		return l
	}, rng)
	targets := randTensor(rng, 0.5, 3, 5)
	for i := range targets.Data {
		targets.Data[i] += 0.5 // positive, rows not normalised: tests the Σt term
	}
	_, d = SoftTargetCrossEntropy(logits, targets)
	checkTensor(t, "soft", logits.Data, d.Clone().Data, func() float64 {
		l, _ := SoftTargetCrossEntropy(logits, targets)
		return l
	}, rng)
}
