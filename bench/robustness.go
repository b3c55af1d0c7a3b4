package bench

import (
	"fmt"
	"math"
	"slices"

	"github.com/miebench/miebench/internal/rngs"
	"github.com/miebench/miebench/methods"
)

// RobustnessSpec asks for the selected model to be evaluated on the test
// split with one modality at a time made missing or corrupted (a suite's
// `robustness:` block):
//
//	robustness: {missing: true, impute: zero, noise: [0.5, 1.0, 2.0]}
//
// Missing replaces the modality's inputs by zeros (impute: zero, the
// default) or by their mean over the training split (impute: mean). Noise
// adds Gaussian noise of standard deviation level x the input's standard
// deviation over the training split, element by element, at each level.
type RobustnessSpec struct {
	Missing bool      `json:"missing"`
	Impute  string    `json:"impute,omitempty"`
	Noise   []float64 `json:"noise,omitempty"`
}

// Imputations are the valid RobustnessSpec.Impute values.
var Imputations = []string{"zero", "mean"}

// Robustness is what a run measured under RobustnessSpec: the test accuracy
// with each modality missing, and, per modality, at each noise level.
type Robustness struct {
	Missing map[string]float64   `json:"missing,omitempty"`
	Levels  []float64            `json:"levels,omitempty"` // the noise levels, as in the spec
	Noise   map[string][]float64 `json:"noise,omitempty"`  // per modality, one accuracy per level
}

// check validates the spec.
func (r *RobustnessSpec) check() error {
	if r == nil {
		return nil
	}
	if r.Impute != "" && !slices.Contains(Imputations, r.Impute) {
		return fmt.Errorf("robustness.impute: unknown imputation %q (%s)", r.Impute, choices(Imputations))
	}
	for _, l := range r.Noise {
		if !(l > 0) || math.IsInf(l, 0) {
			return fmt.Errorf("robustness.noise: want positive finite levels, got %v", r.Noise)
		}
	}
	if !r.Missing && len(r.Noise) == 0 {
		return fmt.Errorf("robustness: asks for nothing (set missing: true or noise levels)")
	}
	return nil
}

// inputStats are per-element means and standard deviations of each
// modality's inputs over the training split (without augmentation).
func (t *trainer) inputStats() (mean, std [][]float64, err error) {
	mods := len(t.info.Modalities)
	sum, sq := make([][]float64, mods), make([][]float64, mods)
	n := 0
	err = t.evalBatches("train", func(_ int, b *methods.Batch) error {
		for m, x := range b.X {
			if sum[m] == nil {
				sum[m], sq[m] = make([]float64, x.RowLen()), make([]float64, x.RowLen())
			}
			for i := range x.Rows() {
				for k, v := range x.Row(i) {
					sum[m][k] += float64(v)
					sq[m][k] += float64(v) * float64(v)
				}
			}
		}
		n += b.Len()
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	mean, std = make([][]float64, mods), make([][]float64, mods)
	for m := range mods {
		mean[m], std[m] = make([]float64, len(sum[m])), make([]float64, len(sum[m]))
		for k := range sum[m] {
			mu := sum[m][k] / float64(n)
			mean[m][k] = mu
			std[m][k] = math.Sqrt(max(0, sq[m][k]/float64(n)-mu*mu))
		}
	}
	return mean, std, nil
}

// robustness evaluates the restored (selected) model on the test split
// under the spec's conditions. Noise for modality m at level i comes from
// rngs.Stream(seed, "robustness/noise/M/I"), drawn in sample order, so the
// result depends only on the run.
func (t *trainer) robustness() error {
	spec := t.spec.Robustness
	if spec == nil {
		return nil
	}
	mean, std, err := t.inputStats()
	if err != nil {
		return fmt.Errorf("robustness: %w", err)
	}
	rob := &Robustness{}
	for m, mod := range t.info.Modalities {
		if spec.Missing {
			acc, err := t.corruptedAccuracy(m, func(row []float32) {
				for k := range row {
					row[k] = 0
					if spec.Impute == "mean" {
						row[k] = float32(mean[m][k])
					}
				}
			})
			if err != nil {
				return fmt.Errorf("robustness: %s missing: %w", mod.Name, err)
			}
			if rob.Missing == nil {
				rob.Missing = map[string]float64{}
			}
			rob.Missing[mod.Name] = acc
		}
		for i, level := range spec.Noise {
			rng := rngs.Stream(t.spec.Seed, fmt.Sprintf("robustness/noise/%s/%d", mod.Name, i))
			acc, err := t.corruptedAccuracy(m, func(row []float32) {
				for k := range row {
					row[k] += float32(level * std[m][k] * rng.NormFloat64())
				}
			})
			if err != nil {
				return fmt.Errorf("robustness: %s noise %g: %w", mod.Name, level, err)
			}
			if rob.Noise == nil {
				rob.Noise = map[string][]float64{}
				rob.Levels = slices.Clone(spec.Noise)
			}
			rob.Noise[mod.Name] = append(rob.Noise[mod.Name], acc)
		}
	}
	t.rec.Robustness = rob
	return nil
}

// corruptedAccuracy is the fused test accuracy with every sample's inputs
// of modality m passed through corrupt (on a copy) before prediction.
func (t *trainer) corruptedAccuracy(m int, corrupt func(row []float32)) (float64, error) {
	correct, n := 0, 0
	err := t.evalBatches("test", func(_ int, b *methods.Batch) error {
		x := b.X[m].Clone()
		for i := range x.Rows() {
			corrupt(x.Row(i))
		}
		xs := slices.Clone(b.X)
		xs[m] = x
		p, err := t.method.Predict(t.mr, &methods.Batch{X: xs, Y: b.Y})
		if err != nil {
			return err
		}
		for i, c := range Argmax(p.Fused) {
			if c == b.Y[i] {
				correct++
			}
		}
		n += b.Len()
		return nil
	})
	if err != nil || n == 0 {
		return 0, err
	}
	return float64(correct) / float64(n), nil
}
