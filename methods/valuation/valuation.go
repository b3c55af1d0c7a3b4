// Package valuation is sample-level and modality-level modality
// valuation (Wei et al., Enhancing Multimodal Cooperation via
// Sample-level Modality Valuation, CVPR 2024): each training sample's
// modalities are valued by Shapley values of subset predictions, and the
// low-valued modality is trained more by extra copies of samples with the
// other modalities dropped.
package valuation

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const doc = `Sample-level (level=sample) or modality-level (level=modality) modality valuation.
Joint training (CE on the fused output). After every epoch e >= warmup - 1
(0-based), every training sample is valued in evaluation mode: v(S) is 1
when the fused prediction of modality subset S (the others' features set to
0, as the released exec_drop) is right, the full set counting full_value
(2 as released), and phi_m is the Shapley value (for two modalities
phi_a = (v(a) + v(a,v) - v(v)) / 2, released). The next epoch runs over
the training set once plus extra copies that keep one modality only (the
others' features zeroed and no gradient reaching their encoders):
level=sample: each sample gets, for each modality m, 1, 2 or 3 copies
keeping m when phi_m is in (0.4, 1), (-0.1, 0.4) or below -0.1;
level=modality: the mean phi_m over a random part_ratio of the training set
(drawn with replacement, as np.random.choice) gives gap_m = 1 - mean; the
modality of the largest gap gets int((gap_max - gap_min) * 2/3 * alpha * N)
copies of random samples (with replacement), keeping it only.

Defaults are the released code's (GeWu-Lab/Valuate-and-Enhance-Multimodal-
Cooperation, sample_level.py and modality_level.py): warmup 5, part_ratio
0.2, alpha 1 (the linear func); its optimiser is Adam lr 5e-5, weight decay
1e-4, StepLR(30, 0.1), 60 epochs, batch 64. The released valuation pass
reads the training set with its training augmentation; here without.
Switch full_value: 1 gives the Shapley value proper (efficiency: the
values sum to v(full)).

M > 2: Shapley values over all 2^M - 1 subsets, copies keep one modality
(sample level); the modality level compares the largest and smallest gap.
For two modalities both are the released rules. Any fusion head.

Logged in each valuation epoch: phi_<m> (mean over the training set, or
over the part at the modality level), copies_<m> (extra copies keeping m
for the next epoch), epoch_samples (the next epoch's sample count).`

func init() {
	methods.Register(methods.Spec{
		Name: "sample-valuation",
		Doc:  doc,
		Ref:  "Wei et al., Enhancing Multimodal Cooperation via Sample-level Modality Valuation, CVPR 2024; github.com/GeWu-Lab/Valuate-and-Enhance-Multimodal-Cooperation",
		Params: []methods.ParamSpec{
			{Name: "level", Default: "sample", Doc: "sample (per-sample copies) or modality (one resampling amount from a part's mean values)"},
			{Name: "warmup", Default: 5, Doc: "epochs of plain joint training; the first valuation follows epoch warmup - 1"},
			{Name: "part_ratio", Default: 0.2, Doc: "modality level: fraction of the training set valued for the mean"},
			{Name: "alpha", Default: 1.0, Doc: "modality level: resampling amount factor"},
			{Name: "full_value", Default: 2.0, Switch: true, Doc: "worth of a right prediction of the full set: 2 as released, 1 for the Shapley value proper"},
		},
		Caps: methods.Caps{MinModalities: 2, Fusions: model.Fusions},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			if l := h.String("level"); l != "sample" && l != "modality" {
				return fmt.Errorf("sample-valuation: hyperparameter \"level\" is %q, want sample or modality", l)
			}
			if v := h.Int("warmup"); v < 1 {
				return fmt.Errorf("sample-valuation: hyperparameter \"warmup\" is %d, want >= 1", v)
			}
			if v := h.Float("part_ratio"); !(v > 0 && v <= 1) {
				return fmt.Errorf("sample-valuation: hyperparameter \"part_ratio\" is %v, want in (0, 1]", v)
			}
			if v := h.Float("alpha"); v < 0 {
				return fmt.Errorf("sample-valuation: hyperparameter \"alpha\" is %v, want >= 0", v)
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &Valuation{
				Modality: h.String("level") == "modality", Warmup: h.Int("warmup"),
				Part: h.Float("part_ratio"), Alpha: h.Float("alpha"), FullValue: h.Float("full_value"),
			}, nil
		},
	})
}

// Valuation is joint training with the released valuation and resampling.
type Valuation struct {
	methods.Base
	Modality  bool // modality level (else sample level)
	Warmup    int
	Part      float64
	Alpha     float64
	FullValue float64

	keep []int // per entry of the current epoch's sample list: the kept modality, -1 all
}

// Setup checks the model.
func (v *Valuation) Setup(r *methods.Run) error {
	if err := v.Base.Setup(r); err != nil {
		return fmt.Errorf("sample-valuation: %w", err)
	}
	return methods.NeedEncoders("sample-valuation", r.Model)
}

// value returns phi per training sample (nil rows for samples not valued)
// for the samples in want (nil: all).
func (v *Valuation) value(r *methods.Run, want map[int]bool) (map[int][]float64, error) {
	nm := len(r.Model.Modalities)
	phis := map[int][]float64{}
	err := r.Loop.EvalBatches("train", func(b *methods.Batch) error {
		z := methods.Encode(r, b, false)
		correct := make([][]bool, b.Len())
		for i := range correct {
			correct[i] = make([]bool, 1<<nm)
		}
		for s := 1; s < 1<<nm; s++ {
			keep := make([]bool, nm)
			for m := range keep {
				keep[m] = s&(1<<m) != 0
			}
			out := methods.FuseSubset(r, z, keep, false)
			for i, y := range b.Y {
				correct[i][s] = argmax(out.Row(i)) == y
			}
		}
		for i, idx := range b.Index {
			if want == nil || want[idx] {
				phis[idx] = Shapley(correct[i], nm, v.FullValue)
			}
		}
		return nil
	})
	return phis, err
}

// EndEpoch values the training samples and sets the next epoch's samples.
func (v *Valuation) EndEpoch(r *methods.Run, epoch int) error {
	if epoch < v.Warmup-1 {
		return nil
	}
	md := r.Model
	nm := len(md.Modalities)
	var n int
	if err := r.Loop.EvalBatches("train", func(b *methods.Batch) error { n += b.Len(); return nil }); err != nil {
		return fmt.Errorf("sample-valuation: %w", err)
	}
	idx := make([]int, n)
	keep := make([]int, n)
	for i := range idx {
		idx[i], keep[i] = i, -1
	}
	mean := make([]float64, nm)
	copies := make([]int, nm)
	if v.Modality {
		part := make([]int, int(float64(n)*v.Part))
		want := map[int]bool{}
		for i := range part {
			part[i] = r.RNG.IntN(n)
			want[part[i]] = true
		}
		phis, err := v.value(r, want)
		if err != nil {
			return fmt.Errorf("sample-valuation: %w", err)
		}
		for _, s := range part {
			for m, p := range phis[s] {
				mean[m] += p / float64(len(part))
			}
		}
		weak, count := ModalityResample(mean, v.Alpha, n)
		for range count {
			idx = append(idx, r.RNG.IntN(n))
			keep = append(keep, weak)
		}
		copies[weak] = count
	} else {
		phis, err := v.value(r, nil)
		if err != nil {
			return fmt.Errorf("sample-valuation: %w", err)
		}
		for s := range n {
			for m, p := range phis[s] {
				mean[m] += p / float64(n)
				for range Copies(p) {
					idx = append(idx, s)
					keep = append(keep, m)
					copies[m]++
				}
			}
		}
	}
	for m, mod := range md.Modalities {
		r.Log("phi_"+mod, mean[m])
		r.Log("copies_"+mod, float64(copies[m]))
	}
	r.Log("epoch_samples", float64(len(idx)))
	v.keep = keep
	if err := r.Loop.SetEpochSamples(idx); err != nil {
		return fmt.Errorf("sample-valuation: %w", err)
	}
	return nil
}

// Step is joint training in which a copy keeps only its modality: the
// others' features are zeroed and their rows get no gradient.
func (v *Valuation) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	if v.keep == nil || b.Entry == nil {
		return v.Base.Step(r, b)
	}
	r.Opt.ZeroGrad()
	z := methods.Encode(r, b, true)
	for m := range z {
		z[m] = z[m].Clone()
	}
	dropRows := func(ts []*nn.Tensor) {
		for i, e := range b.Entry {
			if k := v.keep[e]; k >= 0 {
				for m, t := range ts {
					if m != k && t != nil {
						clear(t.Row(i))
					}
				}
			}
		}
	}
	dropRows(z)
	logits := methods.Fuse(r, z, true)
	loss, d := nn.SoftmaxCrossEntropy(logits, b.Y)
	dz := methods.BackwardFusion(r, d)
	dropRows(dz)
	methods.BackwardEncoders(r, dz)
	r.Opt.Step()
	return methods.Stats{Loss: loss}, nil
}

func argmax(row []float32) int {
	best := 0
	for j, x := range row {
		if x > row[best] {
			best = j
		}
	}
	return best
}
