package bench

import (
	"fmt"
	"testing"

	"github.com/miebench/miebench/methods"
)

// loopProbe is joint training that exercises the Loop a method sees: at
// the end of every epoch it evaluates train and val, reads the history,
// is refused the test split, and makes the next epoch run over the first
// 40 training samples twice.
type loopProbe struct {
	methods.Base
	batches []int         // BatchesPerEpoch seen in each epoch's first step
	entries map[int][]int // per epoch, the sample indices trained on
	err     error
}

func (l *loopProbe) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	if r.Batch == 0 {
		l.batches = append(l.batches, r.BatchesPerEpoch)
	}
	for i, e := range b.Entry {
		if b.Index[i] != e && len(l.batches) == 1 {
			return methods.Stats{}, fmt.Errorf("epoch 0: entry %d holds sample %d, want the entry itself", e, b.Index[i])
		}
	}
	l.entries[r.Epoch] = append(l.entries[r.Epoch], b.Index...)
	return l.Base.Step(r, b)
}

func (l *loopProbe) EndEpoch(r *methods.Run, epoch int) error {
	if h := r.Loop.History(); len(h) != epoch {
		return fmt.Errorf("end of epoch %d: history has %d epochs", epoch, len(h))
	}
	for _, split := range []string{"train", "val"} {
		sc, err := r.Loop.Evaluate(split)
		if err != nil {
			return err
		}
		if !(sc.Acc > 0 && sc.Acc <= 1) || len(sc.ModalAcc) != 2 || len(sc.ModalLoss) != 2 {
			return fmt.Errorf("evaluate %s: %+v", split, sc)
		}
	}
	if _, err := r.Loop.Evaluate("test"); err == nil {
		return fmt.Errorf("Evaluate(test) was not refused")
	}
	if err := r.Loop.EvalBatches("test", func(*methods.Batch) error { return nil }); err == nil {
		return fmt.Errorf("EvalBatches(test) was not refused")
	}
	if err := r.Loop.SetEpochSamples([]int{-1}); err == nil {
		return fmt.Errorf("SetEpochSamples with index -1 was accepted")
	}
	var idx []int
	for i := range 80 {
		idx = append(idx, i%40)
	}
	return r.Loop.SetEpochSamples(idx)
}

func TestLoopOffersEvaluationHistoryAndResampling(t *testing.T) {
	probe := &loopProbe{entries: map[int][]int{}}
	methods.Register(methods.Spec{Name: "t-loop", New: func(methods.Hyper) (methods.Method, error) { return probe, nil }})
	spec := syntheticSpec("t-loop", nil, 1)
	spec.Train.Epochs = 3
	rec := mustTrain(t, spec)
	if rec.Status != "ok" {
		t.Fatalf("status %s: %s", rec.Status, rec.Error)
	}
	// 400 samples in batches of 32: 13 batches; then 80 samples: 3.
	if want := []int{13, 3, 3}; fmt.Sprint(probe.batches) != fmt.Sprint(want) {
		t.Errorf("batches per epoch %v, want %v", probe.batches, want)
	}
	for epoch := 1; epoch < 3; epoch++ {
		count := map[int]int{}
		for _, i := range probe.entries[epoch] {
			count[i]++
		}
		if len(count) != 40 || len(probe.entries[epoch]) != 80 {
			t.Errorf("epoch %d trained on %d samples, %d distinct; want 80 and 40", epoch, len(probe.entries[epoch]), len(count))
		}
		for i, n := range count {
			if i >= 40 || n != 2 {
				t.Errorf("epoch %d: sample %d seen %d times, want samples < 40 twice each", epoch, i, n)
				break
			}
		}
	}
}
