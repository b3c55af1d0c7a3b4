package nn

import "sync"

// scratchPool holds temporary float32 buffers (im2col matrices, GEMM
// outputs) that layers need only during one Forward or Backward call, so
// that a deep network keeps a few of them alive instead of several per layer.
// Their contents are always overwritten before use, so reuse cannot change
// results.
var scratchPool sync.Pool

// getScratch returns a buffer of length n from the pool, allocating when the
// pooled one is too small. Return it with putScratch when done.
func getScratch(n int) *[]float32 {
	p, _ := scratchPool.Get().(*[]float32)
	if p == nil || cap(*p) < n {
		s := make([]float32, n)
		return &s
	}
	*p = (*p)[:n]
	return p
}

// putScratch returns a buffer obtained from getScratch to the pool.
func putScratch(p *[]float32) { scratchPool.Put(p) }
