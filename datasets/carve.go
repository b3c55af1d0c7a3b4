package datasets

import (
	"math"
	"math/rand/v2"
	"sort"
)

// carveStratified moves round(frac * n_c) of the samples of each class c
// out of idx into a validation set, chosen uniformly by rng; both outputs
// keep the order of idx. Classes are visited in increasing order, each
// class's members are shuffled with rng, so the result is fixed by the
// stream and does not depend on map order.
func carveStratified(idx, labels []int, frac float64, rng *rand.Rand) (train, val []int) {
	byClass := map[int][]int{}
	for _, i := range idx {
		byClass[labels[i]] = append(byClass[labels[i]], i)
	}
	classes := make([]int, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	sort.Ints(classes)
	toVal := map[int]bool{}
	for _, c := range classes {
		m := byClass[c]
		rng.Shuffle(len(m), func(i, j int) { m[i], m[j] = m[j], m[i] })
		k := int(math.Round(frac * float64(len(m))))
		for _, i := range m[:k] {
			toVal[i] = true
		}
	}
	for _, i := range idx {
		if toVal[i] {
			val = append(val, i)
		} else {
			train = append(train, i)
		}
	}
	return train, val
}
