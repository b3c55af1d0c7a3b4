package datasets

import (
	"fmt"
	"math/rand/v2"

	"github.com/miebench/miebench/nn"
)

// memSplit is a split held in memory: one [N, shape...] tensor per modality.
type memSplit struct {
	labels  []int
	x       []*nn.Tensor
	skipped int
}

// Len is the number of samples.
func (s *memSplit) Len() int { return len(s.labels) }

// Labels returns the class of every sample.
func (s *memSplit) Labels() []int { return s.labels }

// Skipped counts samples dropped as unreadable.
func (s *memSplit) Skipped() int { return s.skipped }

// Load gathers samples idx into one batch tensor per modality. Samples in
// memory need no augmentation, so aug is ignored.
func (s *memSplit) Load(idx []int, _ *rand.Rand) ([]*nn.Tensor, error) {
	out := make([]*nn.Tensor, len(s.x))
	for m, t := range s.x {
		shape := append([]int{len(idx)}, t.Shape[1:]...)
		b := nn.NewTensor(shape...)
		for i, j := range idx {
			if j < 0 || j >= len(s.labels) {
				return nil, fmt.Errorf("sample index %d out of range [0, %d)", j, len(s.labels))
			}
			copy(b.Row(i), t.Row(j))
		}
		out[m] = b
	}
	return out, nil
}

// memDataset is a dataset whose splits are in memory.
type memDataset struct {
	info   Info
	splits map[string]Split
}

// Info returns the dataset description.
func (d *memDataset) Info() Info { return d.info }

// Split returns the named split.
func (d *memDataset) Split(name string) (Split, error) {
	s, ok := d.splits[name]
	if !ok {
		return nil, fmt.Errorf("dataset %s: no split %q (valid: train, val, test)", d.info.Name, name)
	}
	return s, nil
}
