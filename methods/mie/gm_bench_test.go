package mie

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/nn"
)

// BenchmarkMIEGramMod times building T: a 256-wide head input from 30
// batch means (av-digits), a 512-wide ResNet-18 feature from 100 (about one
// CREMA-D epoch at batch 64; the low-rank path) and from 600 (batch 12; the
// direct decomposition of Y).
func BenchmarkMIEGramMod(b *testing.B) {
	for _, c := range []struct{ dim, batches int }{{256, 30}, {512, 100}, {512, 600}} {
		b.Run(fmt.Sprintf("dim%d_batches%d", c.dim, c.batches), func(b *testing.B) { mieBenchMod(b, c.dim, c.batches) })
	}
}

func mieBenchMod(b *testing.B, dim, batches int) {
	rng := rand.New(rand.NewPCG(1, 2))
	g := newMIEGram(dim)
	x := nn.NewTensor(4, dim)
	for range batches {
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
		}
		if err := g.add(x); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if _, err := g.mod(0.4); err != nil {
			b.Fatal(err)
		}
	}
}
