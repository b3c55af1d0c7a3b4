package greedy

import (
	"fmt"
	"math"

	"github.com/miebench/miebench/nn"
)

// speed is Σ‖g‖² / Σ‖θ‖² over a parameter group: one step's term of the
// conditional learning speed (released compute_BDR). It is an error when
// the group's weights are all zero.
func speed(ps []*nn.Param) (float64, error) {
	var g2, w2 float64
	for _, p := range ps {
		for _, v := range p.Grad.Data {
			g2 += float64(v) * float64(v)
		}
		for _, v := range p.Value.Data {
			w2 += float64(v) * float64(v)
		}
	}
	if w2 == 0 {
		return 0, fmt.Errorf("greedy: a parameter group has zero weights, its learning speed is undefined")
	}
	return g2 / w2, nil
}

// bdr accumulates, for each of the two modalities, the learning-speed
// terms of its MMTM bypass and of its main branch, summed over every step
// at which the rule was evaluated since the start of training.
type bdr struct {
	Bypass, Main [2]float64
}

// add adds one step's speeds and returns d_BDR = BDR_0 − BDR_1 with
// BDR_m = log10(Bypass_m / Main_m).
func (b *bdr) add(bypass, main [2]float64) float64 {
	for m := range 2 {
		b.Bypass[m] += bypass[m]
		b.Main[m] += main[m]
	}
	return math.Log10(b.Bypass[0]/b.Main[0]) - math.Log10(b.Bypass[1]/b.Main[1])
}

// window is the balanced-learning schedule (released
// Bias_Mitigation_Strong). Once unlocked, after a step's backward pass
// with |d_BDR| > Epsilon the modality with the larger BDR (0 when d > 0,
// else 1) has its excitations replaced by their running averages for
// the next Size steps; d_BDR is neither computed nor accumulated during
// those steps. Before the unlock every step accumulates d_BDR.
type window struct {
	Epsilon float64
	Size    int

	Unlocked bool
	Curating bool
	Count    int // steps done in the current window
	Caring   int // the modality averaged while Curating
}

// needsBDR reports whether this step's backward pass must compute (and
// accumulate) d_BDR.
func (w *window) needsBDR() bool { return !w.Curating }

// replaced is the modality whose excitation the next forward replaces by
// its running average, -1 for none.
func (w *window) replaced() int {
	if w.Curating {
		return w.Caring
	}
	return -1
}

// afterBackward advances the schedule after a step's backward pass; d is
// the d_BDR computed in it (read only when needsBDR was true).
func (w *window) afterBackward(d float64) {
	switch {
	case !w.Unlocked:
	case w.Curating:
		w.Count++
		if w.Count == w.Size {
			w.Curating = false
		}
	case math.Abs(d) > w.Epsilon:
		w.Curating, w.Count, w.Caring = true, 0, 0
		if d < 0 {
			w.Caring = 1
		}
	}
}
