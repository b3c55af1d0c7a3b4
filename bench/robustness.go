package bench

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/miebench/miebench/datasets"
	"github.com/miebench/miebench/internal/rngs"
	"github.com/miebench/miebench/methods"
)

// RobustnessSpec asks for the selected model to be evaluated on the test
// split with one modality at a time made missing or corrupted (a suite's
// `robustness:` block):
//
//	robustness: {missing: true, impute: zero, noise: [0.5, 1.0, 2.0],
//	  corruptions: {audio: {snr_db: [20, 10, 0]}, visual: {occlusion: [0.25, 0.5]}}}
//
// Missing replaces the modality's inputs by zeros (impute: zero, the
// default) or by their mean over the training split (impute: mean). Noise
// adds Gaussian noise of standard deviation level x the input's standard
// deviation over the training split, element by element, at each level,
// to every modality. Corruptions are the dataset's own modality-specific
// corruptions (datasets.Corruption), by modality and corruption name, each
// with its levels from mild to severe; every dataset of the suite must
// declare each one named.
type RobustnessSpec struct {
	Missing     bool                            `json:"missing"`
	Impute      string                          `json:"impute,omitempty"`
	Noise       []float64                       `json:"noise,omitempty"`
	Corruptions map[string]map[string][]float64 `json:"corruptions,omitempty"`
}

// Imputations are the valid RobustnessSpec.Impute values.
var Imputations = []string{"zero", "mean"}

// Robustness is what a run measured under RobustnessSpec: the test accuracy
// with each modality missing, and, per modality, at each noise level.
type Robustness struct {
	Missing map[string]float64   `json:"missing,omitempty"`
	Levels  []float64            `json:"levels,omitempty"` // the noise levels, as in the spec
	Noise   map[string][]float64 `json:"noise,omitempty"`  // per modality, one accuracy per level
	// Corruptions are the modality-specific corruptions' curves, sorted
	// by modality then name.
	Corruptions []CorruptionCurve `json:"corruptions,omitempty"`
}

// CorruptionCurve is the test accuracy at each level of one
// modality-specific corruption.
type CorruptionCurve struct {
	Modality string    `json:"modality"`
	Name     string    `json:"name"`
	Levels   []float64 `json:"levels"` // as in the spec: mild to severe
	Acc      []float64 `json:"acc"`    // one per level
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
	if !r.Missing && len(r.Noise) == 0 && len(r.Corruptions) == 0 {
		return fmt.Errorf("robustness: asks for nothing (set missing: true, noise levels or corruptions)")
	}
	return nil
}

// checkCorruptions validates the spec's corruptions against dataset, whose
// modalities are mods: each modality exists, the dataset declares each
// named corruption of it, and the levels are valid. It returns the
// offending key (robustness.corruptions.M.NAME) with the error.
func (r *RobustnessSpec) checkCorruptions(dataset string, mods []string) (string, error) {
	if r == nil {
		return "", nil
	}
	for _, m := range sortedKeys(r.Corruptions) {
		key := "robustness.corruptions." + m
		if !slices.Contains(mods, m) {
			return key, fmt.Errorf("dataset %s has no modality %q (modalities: %s)", dataset, m, strings.Join(mods, ", "))
		}
		if len(r.Corruptions[m]) == 0 {
			return key, fmt.Errorf("no corruption named for modality %s", m)
		}
		for _, name := range sortedKeys(r.Corruptions[m]) {
			c, err := datasets.FindCorruption(dataset, m, name)
			if err != nil {
				return key + "." + name, err
			}
			if err := c.CheckLevels(r.Corruptions[m][name]); err != nil {
				return key + "." + name, fmt.Errorf("dataset %s, %s.%s: %w", dataset, m, name, err)
			}
		}
	}
	return "", nil
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
	if err := t.corruptions(rob); err != nil {
		return fmt.Errorf("robustness: %w", err)
	}
	t.rec.Robustness = rob
	return nil
}

// corruptions measures the spec's modality-specific corruptions into rob.
// Level i of corruption NAME on modality M draws from the per-sample
// streams of "robustness/corrupt/M/NAME/I" (datasets.Corrupter).
func (t *trainer) corruptions(rob *Robustness) error {
	spec := t.spec.Robustness
	if len(spec.Corruptions) == 0 {
		return nil
	}
	cd, ok := t.data.(datasets.Corrupter)
	if !ok {
		return fmt.Errorf("dataset %s offers no modality-specific corruptions", t.info.Name)
	}
	for _, mod := range sortedKeys(spec.Corruptions) {
		m := slices.IndexFunc(t.info.Modalities, func(x datasets.Modality) bool { return x.Name == mod })
		if m < 0 {
			return fmt.Errorf("dataset %s has no modality %q", t.info.Name, mod)
		}
		for _, name := range sortedKeys(spec.Corruptions[mod]) {
			levels := spec.Corruptions[mod][name]
			curve := CorruptionCurve{Modality: mod, Name: name, Levels: slices.Clone(levels)}
			for i, level := range levels {
				s, err := cd.Corrupt("test", mod, name, level, t.spec.Seed, fmt.Sprintf("robustness/corrupt/%s/%s/%d", mod, name, i))
				if err != nil {
					return fmt.Errorf("%s.%s at %g: %w", mod, name, level, err)
				}
				acc, err := t.splitAccuracy(s, m)
				if err != nil {
					return fmt.Errorf("%s.%s at %g: %w", mod, name, level, err)
				}
				curve.Acc = append(curve.Acc, acc)
			}
			rob.Corruptions = append(rob.Corruptions, curve)
		}
	}
	return nil
}

// splitAccuracy is the fused accuracy on s, a corrupted copy of the test
// split in which only modality m differs: the other modalities' inputs
// come from the test split itself.
func (t *trainer) splitAccuracy(s datasets.Split, m int) (float64, error) {
	labels := s.Labels()
	return t.corruptedBatches(func(lo int, b *methods.Batch) (*methods.Batch, error) {
		idx := make([]int, b.Len())
		for i := range idx {
			idx[i] = lo + i
		}
		x, err := loadBatch(s, labels, idx, nil)
		if err != nil {
			return nil, err
		}
		xs := slices.Clone(b.X)
		xs[m] = x.X[m]
		return &methods.Batch{X: xs, Y: b.Y}, nil
	})
}

// corruptedAccuracy is the fused test accuracy with every sample's inputs
// of modality m passed through corrupt (on a copy) before prediction.
func (t *trainer) corruptedAccuracy(m int, corrupt func(row []float32)) (float64, error) {
	return t.corruptedBatches(func(_ int, b *methods.Batch) (*methods.Batch, error) {
		x := b.X[m].Clone()
		for i := range x.Rows() {
			corrupt(x.Row(i))
		}
		xs := slices.Clone(b.X)
		xs[m] = x
		return &methods.Batch{X: xs, Y: b.Y}, nil
	})
}

// corruptedBatches is the fused test accuracy with every test batch (from
// sample lo on) replaced by corrupt's batch before prediction.
func (t *trainer) corruptedBatches(corrupt func(lo int, b *methods.Batch) (*methods.Batch, error)) (float64, error) {
	correct, n := 0, 0
	err := t.evalBatches("test", func(lo int, b *methods.Batch) error {
		cb, err := corrupt(lo, b)
		if err != nil {
			return err
		}
		p, err := t.method.Predict(t.mr, cb)
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
