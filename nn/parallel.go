package nn

import (
	"runtime"
	"sync"
)

// minParallelWork is the amount of work (in elements touched) below which
// parallelFor runs serially: a goroutine costs about as much as a few
// thousand elementwise operations.
const minParallelWork = 1 << 15

// parallelFor calls f on contiguous sub-ranges of [0, n) that together cover
// it, on up to GOMAXPROCS goroutines when n·cost is at least minParallelWork.
// Callers keep f's writes disjoint between indices and compute each index
// the same way whatever the split, so results do not depend on the number
// of goroutines.
func parallelFor(n, cost int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
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
