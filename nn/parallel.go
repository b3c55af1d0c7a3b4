package nn

import (
	"sync"

	simdgemm "github.com/miebench/miebench/nn/gemm"
)

// minParallelWork is the amount of work (in elements touched) below which
// parallelFor runs serially: a goroutine costs about as much as a few
// thousand elementwise operations.
const minParallelWork = 1 << 15

// SetThreads bounds the goroutines one layer call uses (its GEMMs, and its
// passes split over samples or channels) to n, at most GOMAXPROCS; n <= 0
// restores the default, GOMAXPROCS. A process that trains several runs at
// once gives each run its share of the cores instead of letting every
// layer start GOMAXPROCS goroutines that then wait for each other. Results
// do not depend on it. It also bounds every other caller of gonum's blas32
// (see package nn/gemm's SetDefaultWorkers).
func SetThreads(n int) { simdgemm.SetDefaultWorkers(n) }

// Threads is the most goroutines one layer call uses: GOMAXPROCS, or the
// SetThreads bound if lower.
func Threads() int { return simdgemm.DefaultWorkers() }

// parallelFor calls f on contiguous sub-ranges of [0, n) that together cover
// it, on up to Threads() goroutines when n·cost is at least minParallelWork.
// Callers keep f's writes disjoint between indices and compute each index
// the same way whatever the split, so results do not depend on the number
// of goroutines.
func parallelFor(n, cost int, f func(lo, hi int)) {
	workers := min(Threads(), n)
	if workers <= 1 || n*cost < minParallelWork {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}
