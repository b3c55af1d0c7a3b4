package nn

import "sync"

// scratch holds temporary float32 buffers (im2col matrices, GEMM outputs)
// that layers need only during one Forward or Backward call, so that a deep
// network keeps a few of them alive instead of several per layer. Unlike a
// sync.Pool it keeps them across garbage collections: a pool emptied by
// every collection made each training step allocate (and page-fault in)
// its im2col buffers again. Their contents are always overwritten before
// use, so reuse cannot change results.
var scratch struct {
	mu   sync.Mutex
	free []*[]float32
}

// MaxFreeScratch bounds the buffers kept: layers run one after another, so
// a training run needs a few at a time (two or three per goroutine of a
// convolution). Keeping 16 instead made a two-ResNet-18 step's peak 27 MB
// higher for no measurable speed.
const MaxFreeScratch = 8

// ScratchFit is the free list's choice for a request of n floats among
// kept buffers of the given capacities: the index of the smallest one
// large enough (the first of equal ones), or -1 for a new buffer. Package
// bench/sizing replays the list with it.
func ScratchFit[T any](kept []T, capacity func(T) int64, n int64) int {
	best := -1
	for i, k := range kept {
		if c := capacity(k); c >= n && (best < 0 || c < capacity(kept[best])) {
			best = i
		}
	}
	return best
}

// ScratchEvict is the buffer the free list drops when it keeps more than
// MaxFreeScratch: the index of the smallest (the first of equal ones).
func ScratchEvict[T any](kept []T, capacity func(T) int64) int {
	small := 0
	for i, k := range kept {
		if capacity(k) < capacity(kept[small]) {
			small = i
		}
	}
	return small
}

func scratchCap(p *[]float32) int64 { return int64(cap(*p)) }

// scratchTaken, when set (by tests), is told the size of every request.
var scratchTaken func(n int)

// getScratch returns a buffer of length n: the smallest kept buffer that is
// large enough, or a new one. Return it with putScratch when done.
func getScratch(n int) *[]float32 {
	scratch.mu.Lock()
	if scratchTaken != nil {
		scratchTaken(n)
	}
	if best := ScratchFit(scratch.free, scratchCap, int64(n)); best >= 0 {
		p := scratch.free[best]
		scratch.free = append(scratch.free[:best], scratch.free[best+1:]...)
		scratch.mu.Unlock()
		*p = (*p)[:n]
		return p
	}
	scratch.mu.Unlock()
	s := make([]float32, n)
	return &s
}

// putScratch returns a buffer obtained from getScratch. When more than
// MaxFreeScratch are kept, the smallest is dropped.
func putScratch(p *[]float32) {
	scratch.mu.Lock()
	defer scratch.mu.Unlock()
	scratch.free = append(scratch.free, p)
	if len(scratch.free) > MaxFreeScratch {
		small := ScratchEvict(scratch.free, scratchCap)
		scratch.free = append(scratch.free[:small], scratch.free[small+1:]...)
	}
}
