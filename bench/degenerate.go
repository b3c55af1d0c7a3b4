package bench

import (
	"fmt"
	"math"
)

// Degenerate runs. A run that finished without NaN or Inf may still have
// learnt nothing; such a run keeps status "ok" (its numbers are what they
// are) but its record gets a warning, and tables mark and footnote it. The
// rules, for a dataset of C classes:
//
//   - Near chance: at the selected epoch, on the selection split
//     (validation unless the suite selects on test), the accuracy is at
//     most 1/C + ChanceMargin·(1 − 1/C), or the macro-F1 is at most 1/C. A
//     model that always predicts one class has macro-F1 at most 1/C
//     whatever the class balance, so the second test catches collapse on
//     imbalanced data, where accuracy alone can look fine.
//   - Loss exploded: some epoch's mean training loss exceeds
//     LossBlowUpFactor·ln C (ln C is the cross-entropy of a uniform
//     prediction, the loss at initialisation: the AMSS+ collapse on CREMA-D
//     had 1322 in its first epoch). The bound is absolute, not relative to
//     the run's own first epochs, because a method's training loss is more
//     than the fused cross-entropy and may change definition during a run:
//     PMR's prototype terms grow its loss 6.5-fold over 20 epochs of the
//     quick suite while validation accuracy stays at 96%, and UMT's
//     distillation stage starts at 15-20 times its teachers' final loss
//     with 95% accuracy on av-digits. A loss that rises without a collapse
//     of accuracy is not a degenerate run; a collapse is caught by the
//     near-chance rule.
const (
	ChanceMargin     = 0.05
	LossBlowUpFactor = 100.0
)

// DegenerateWarnings returns the warnings the rules above give for an ok
// record of a dataset with the given number of classes (none for a failed
// record or fewer than 2 classes).
func DegenerateWarnings(rec *Record, classes int) []string {
	if rec.Status != "ok" || classes < 2 {
		return nil
	}
	var out []string
	chance := 1 / float64(classes)
	split := rec.SelectedOn
	if split == "" {
		split = "val"
	}
	name := map[string]string{"val": "validation", "test": "test"}[split]
	if m, ok := rec.Metrics[split]; ok {
		limit := chance + ChanceMargin*(1-chance)
		switch {
		case m.Acc <= limit:
			out = append(out, fmt.Sprintf("near chance: %s accuracy %.1f%% at the selected epoch is within %.0f%% of the range above chance (1/%d = %.1f%%)",
				name, 100*m.Acc, 100*ChanceMargin, classes, 100*chance))
		case m.MacroF1 <= chance:
			out = append(out, fmt.Sprintf("near chance: %s macro-F1 %.1f%% at the selected epoch is at most 1/%d = %.1f%% (the model predicts few classes)",
				name, 100*m.MacroF1, classes, 100*chance))
		}
	}
	if len(rec.History) > 0 {
		uniform := math.Log(float64(classes))
		for _, e := range rec.History {
			if e.TrainLoss > LossBlowUpFactor*uniform {
				out = append(out, fmt.Sprintf("training loss exploded: %.4g at epoch %d, more than %g × ln %d = %.4g (a uniform prediction's loss)",
					e.TrainLoss, e.Epoch, LossBlowUpFactor, classes, LossBlowUpFactor*uniform))
				break // the first exploding epoch is enough
			}
		}
	}
	return out
}

// datasetClasses is the number of classes of a run's dataset (0 if it
// cannot be opened); the runner's process has it open already.
func datasetClasses(ds DatasetSpec) int {
	d, err := OpenDataset(ds)
	if err != nil {
		return 0
	}
	return len(d.Info().Classes)
}
