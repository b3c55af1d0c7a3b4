package datasets

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Corruption is a modality-specific corruption a dataset offers for the
// robustness evaluation (a suite's robustness.corruptions block): a named
// way of damaging one modality's test inputs at a numeric level, such as
// av-digits' audio snr_db or visual occlusion. Every modality of every
// dataset also gets the generic feature noise of package bench; these are
// the corruptions that need the dataset's own knowledge (the waveform
// behind a spectrogram, the pixel scale behind standardised images).
type Corruption struct {
	Modality string // the modality it damages, e.g. "audio"
	Name     string // e.g. "snr_db"; unique within the modality
	// Levels says what a level means and which levels are valid, for
	// documentation and error messages, e.g. "signal-to-noise ratio in dB".
	Levels string
	// Decreasing is true when smaller levels are more severe (an SNR);
	// otherwise larger levels are. A suite lists levels from mild to
	// severe.
	Decreasing bool
	// Min and Max bound the valid levels (inclusive; both finite).
	Min, Max float64
}

// Corrupter is implemented by datasets whose Builder declares
// Corruptions.
type Corrupter interface {
	// Corrupt returns a copy of split with the inputs of modality corrupted
	// by the named corruption at level; the other modalities and the
	// labels are unchanged. Its randomness comes from per-sample streams
	// derived from (seed, stream, sample), so the result does not depend
	// on batch size or on the order samples are loaded in.
	Corrupt(split, modality, name string, level float64, seed uint64, stream string) (Split, error)
}

// CheckLevels validates a suite's levels for c: each within [Min, Max],
// distinct and listed from mild to severe.
func (c Corruption) CheckLevels(levels []float64) error {
	if len(levels) == 0 {
		return fmt.Errorf("no levels given (%s)", c.Levels)
	}
	for i, l := range levels {
		if math.IsNaN(l) || l < c.Min || l > c.Max {
			return fmt.Errorf("level %v outside [%g, %g] (%s)", l, c.Min, c.Max, c.Levels)
		}
		if i > 0 && (c.Decreasing && !(l < levels[i-1]) || !c.Decreasing && !(l > levels[i-1])) {
			order := "increasing"
			if c.Decreasing {
				order = "decreasing"
			}
			return fmt.Errorf("levels %v are not strictly %s (list them from mild to severe)", levels, order)
		}
	}
	return nil
}

// FindCorruption returns the corruption name of modality that dataset
// declares, or an error naming the dataset's valid corruptions of that
// modality.
func FindCorruption(dataset, modality, name string) (Corruption, error) {
	b, err := Lookup(dataset)
	if err != nil {
		return Corruption{}, err
	}
	var valid []string
	for _, c := range b.Corruptions {
		if c.Modality != modality {
			continue
		}
		if c.Name == name {
			return c, nil
		}
		valid = append(valid, c.Name)
	}
	if len(valid) == 0 {
		return Corruption{}, fmt.Errorf("dataset %s declares no corruption of modality %q (only the generic noise applies; modalities with corruptions: %s)",
			dataset, modality, corruptedModalities(b))
	}
	return Corruption{}, fmt.Errorf("dataset %s has no corruption %q of modality %s (valid: %s)", dataset, name, modality, strings.Join(valid, ", "))
}

// corruptedModalities lists the modalities b declares corruptions for.
func corruptedModalities(b Builder) string {
	var mods []string
	for _, c := range b.Corruptions {
		if !slices.Contains(mods, c.Modality) {
			mods = append(mods, c.Modality)
		}
	}
	if len(mods) == 0 {
		return "none"
	}
	return strings.Join(mods, ", ")
}
