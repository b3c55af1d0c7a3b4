package gemm

import (
	"sync"
	"sync/atomic"
)

// items is work split into numbered items.
type items interface{ item(i int) }

// parallelFor calls f.item(i) for every i in [0, n) on up to workers
// goroutines (the caller's included) and returns when all calls have
// returned. Items are handed out in order from a shared counter. With one
// worker or one item it runs them inline, allocating nothing.
func parallelFor(workers, n int, f items) {
	if workers <= 1 || n <= 1 {
		for i := range n {
			f.item(i)
		}
		return
	}
	w := min(workers, n)
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			f.item(i)
		}
	}
	var wg sync.WaitGroup
	for range w - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
}
