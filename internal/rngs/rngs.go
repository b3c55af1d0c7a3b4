// Package rngs derives independent, reproducible random streams from a seed
// and a purpose string, the one way miebench makes randomness.
package rngs

import (
	"hash/fnv"
	"math/rand/v2"
)

// Stream returns the random stream for one purpose under a seed (e.g.
// "data/shuffle", "av-digits/pairing"). Streams of different purposes are
// independent, and each depends only on (seed, purpose), so one use drawing
// more or fewer numbers never shifts another.
func Stream(seed uint64, purpose string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
