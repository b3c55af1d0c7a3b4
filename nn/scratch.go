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

// maxFreeScratch bounds the buffers kept: layers run one after another, so
// a training run needs two or three at a time (a few more with several
// runs in one process).
const maxFreeScratch = 8

// getScratch returns a buffer of length n: the smallest kept buffer that is
// large enough, or a new one. Return it with putScratch when done.
func getScratch(n int) *[]float32 {
	scratch.mu.Lock()
	best := -1
	for i, p := range scratch.free {
		if cap(*p) >= n && (best < 0 || cap(*p) < cap(*scratch.free[best])) {
			best = i
		}
	}
	if best >= 0 {
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
// maxFreeScratch are kept, the smallest is dropped.
func putScratch(p *[]float32) {
	scratch.mu.Lock()
	defer scratch.mu.Unlock()
	scratch.free = append(scratch.free, p)
	if len(scratch.free) > maxFreeScratch {
		small := 0
		for i, q := range scratch.free {
			if cap(*q) < cap(*scratch.free[small]) {
				small = i
			}
		}
		scratch.free = append(scratch.free[:small], scratch.free[small+1:]...)
	}
}
