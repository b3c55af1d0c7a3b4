package sizing

import "github.com/miebench/miebench/nn"

// scratchTrace is the im2col scratch a model's convolutions take from nn's
// free list, one group per convolution call (the buffers one call holds at
// once, in floats, in the order it takes them; it gives them back in the
// reverse order): fwd in forward order, bwd in walk order (a training
// step's backward runs each encoder's in reverse), eval in forward order at
// the evaluation batch size.
type scratchTrace struct {
	fwd, bwd, eval [][]int64
}

// freeList mirrors nn's scratch free list: a taken buffer is the smallest
// kept one that is large enough (the first of equal ones), or a new one of
// the size asked for; a returned one is kept, and when more than
// nn.MaxFreeScratch are kept the smallest (the first of equal ones) is
// dropped, garbage for the collector. It records the most memory that taken
// and kept buffers hold at once.
type freeList struct {
	free        []int64
	inUse, peak int64
}

// take returns the capacity of the buffer a request for n floats gets.
func (f *freeList) take(n int64) int64 {
	c := n
	if best := nn.ScratchFit(f.free, identity, n); best >= 0 {
		c = f.free[best]
		f.free = append(f.free[:best], f.free[best+1:]...)
	}
	f.inUse += c
	f.peak = max(f.peak, f.inUse+sum(f.free))
	return c
}

// give returns a buffer of capacity c to the list.
func (f *freeList) give(c int64) {
	f.inUse -= c
	f.free = append(f.free, c)
	if len(f.free) > nn.MaxFreeScratch {
		small := nn.ScratchEvict(f.free, identity)
		f.free = append(f.free[:small], f.free[small+1:]...)
	}
}

func identity(c int64) int64 { return c }

// call takes a convolution call's buffers and gives them back.
func (f *freeList) call(group []int64) {
	caps := make([]int64, len(group))
	for i, n := range group {
		caps[i] = f.take(n)
	}
	for i := len(caps) - 1; i >= 0; i-- {
		f.give(caps[i])
	}
}

// scratchPeak is the most scratch memory, in bytes, nn's free list holds
// at once while a process trains the encoders whose traces are given
// (in the model's order): rounds of two training steps (every encoder
// forward, then every encoder backward) and an evaluation forward, as a
// run alternates them, until the list's content repeats.
func scratchPeak(encoders []scratchTrace) int64 {
	var f freeList
	step := func() {
		for _, e := range encoders {
			for _, g := range e.fwd {
				f.call(g)
			}
		}
		for _, e := range encoders {
			for i := len(e.bwd) - 1; i >= 0; i-- {
				f.call(e.bwd[i])
			}
		}
	}
	// The list only ever changes by a bounded number of buffers; a few
	// rounds reach its steady state.
	for range 4 {
		step()
		step()
		for _, e := range encoders {
			for _, g := range e.eval {
				f.call(g)
			}
		}
	}
	return floatBytes * f.peak
}

func sum(s []int64) int64 {
	var t int64
	for _, v := range s {
		t += v
	}
	return t
}
