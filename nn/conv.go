package nn

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	simdgemm "github.com/miebench/miebench/nn/gemm"
)

// IM2ColBudget bounds the im2col matrix of one GEMM (in elements), and the
// batch whose im2col matrices a convolution keeps from Forward for
// Backward (package bench/sizing counts them so) instead of recomputing
// them.
const IM2ColBudget = 1 << 21

// colBudget is IM2ColBudget, a variable so that tests can force chunking.
var colBudget = IM2ColBudget

// PerSampleMinP is the output plane size from which a convolution multiplies
// sample by sample (each product wide enough for the GEMM kernels), writing
// straight into the NCHW output; smaller planes are convolved in units of
// as many samples as give PerSampleMinP columns, whose product is then
// permuted into the output.
const PerSampleMinP = 256

// perSampleMinP is PerSampleMinP, a variable so that tests can cover both
// paths.
var perSampleMinP = PerSampleMinP

// Conv2D is a 2-D convolution (cross-correlation, as PyTorch's Conv2d) over
// [N, C, H, W] batches with weight [outC, inC, kH, kW], computed as im2col
// followed by one GEMM per unit of samples (convUnit), the units of a
// batch on separate goroutines.
type Conv2D struct {
	W, B                *Param // B is nil without bias
	InC, OutC, KH, KW   int
	Stride, Pad         int
	x                   *Tensor
	y, dx               *Tensor
	cols                *Tensor // the units' im2col matrices, kept for Backward when they fit the budget
	colsHoldBatch       bool    // cols holds the last training batch's im2col
	n, h, w, outH, outW int
	unit                int       // samples per unit of the last training batch
	dxSlot              *gradSlot // where dx lives when the encoder shares gradient storage
	winograd            bool      // the last training Forward used Winograd
	// ySlot, when set, holds the training output: an encoder sets it when
	// the output is dead once the next layers have consumed it (no
	// Backward reads it), so that the storage serves a gradient too.
	ySlot *gradSlot

	// NoInputGrad skips the input gradient: Backward accumulates the
	// parameter gradients only and returns nil. Encoders set it on their
	// first layer when their input is data (DropInputGrad).
	NoInputGrad bool

	// Observe, when non-nil, is called by Forward with its input before
	// convolving, in training and evaluation mode alike; it must not keep
	// or change x. Methods use it to collect layer-input statistics (MIE's
	// gradient modification); set it back to nil afterwards.
	Observe func(x *Tensor)
}

// NewConv2D returns a convolution with a Kaiming-normal (fan_out) weight and,
// when bias is set, a zero bias; parameters are named name+".weight" and
// name+".bias".
func NewConv2D(name string, inC, outC, kH, kW, stride, pad int, bias bool, rng *rand.Rand) *Conv2D {
	if stride < 1 || pad < 0 || kH < 1 || kW < 1 {
		panic(fmt.Sprintf("nn: Conv2D %s: kernel %dx%d, stride %d, padding %d are invalid", name, kH, kW, stride, pad))
	}
	c := &Conv2D{
		W:   NewParam(name+".weight", outC, inC, kH, kW),
		InC: inC, OutC: outC, KH: kH, KW: kW, Stride: stride, Pad: pad,
	}
	if bias {
		c.B = NewParam(name+".bias", outC)
	}
	KaimingNormalFanOut(c.W.Value, outC*kH*kW, rng)
	return c
}

// OutSize returns the output height and width for an input of h x w.
func (c *Conv2D) OutSize(h, w int) (int, int) {
	return (h+2*c.Pad-c.KH)/c.Stride + 1, (w+2*c.Pad-c.KW)/c.Stride + 1
}

// geometry checks x and returns its sizes and the output's.
func (c *Conv2D) geometry(x *Tensor) (n, h, w, oh, ow int) {
	if len(x.Shape) != 4 || x.Shape[1] != c.InC {
		panic(fmt.Sprintf("nn: Conv2D %s expects [N %d H W], got %v", c.W.Name, c.InC, x.Shape))
	}
	n, h, w = x.Shape[0], x.Shape[2], x.Shape[3]
	oh, ow = c.OutSize(h, w)
	if oh < 1 || ow < 1 {
		panic(fmt.Sprintf("nn: Conv2D %s: input %dx%d is smaller than the %dx%d kernel with padding %d", c.W.Name, h, w, c.KH, c.KW, c.Pad))
	}
	return n, h, w, oh, ow
}

// winogradEnabled lets convolutions use Winograd's F(2x2, 3x3)
// (winograd.go); tests turn it off to compare.
var winogradEnabled = true

// When Winograd pays, measured on two cores, forward and backward of one
// convolution against im2col and GEMM (ratio of times, channels in -> out,
// plane, batch): 512, 9 x 6, 8: 0.89; 384, 9 x 6, 8: 0.88; 256, 7 x 7, 16:
// 0.78; 256, 17 x 12, 8: 0.61; 64, 65 x 47, 8: 0.49; 32, 65 x 47, 8: 0.61;
// 32, 16 x 16, 64: 0.81; 32 -> 64, 32 x 32, 64: 0.74; but 256, 9 x 6, 8:
// 1.08; 128, 9 x 6, 16: 1.16; 512, 5 x 5, 8 (tiles padded by a third):
// 1.20; 32, 8 x 8, 64: 1.29; 16 -> 32, 32 x 32, 64: 1.23. The transforms of
// the data cost per channel and tile, the GEMMs they save per pair of
// channels and tile, and the filter transforms per pair of channels once
// per call: so the fewer channels times the batch's tiles.
const winogradMinChannels = 32 // the fewer of input and output channels

// winogradMinWork is the least product of the fewer channels and the
// batch's output tiles; a variable so that tests can take Winograd on
// small shapes.
var winogradMinWork = 40 * 1024

// Winograd reports whether the convolution of n samples of h x w runs
// Winograd's F(2x2, 3x3) (winograd.go) for its output, its input gradient
// and its weight gradient: 3x3 kernels, stride 1, padding 1, and the
// thresholds above.
func (c *Conv2D) Winograd(n, h, w int) bool {
	ch := min(c.InC, c.OutC)
	return winogradEnabled && c.KH == 3 && c.KW == 3 && c.Stride == 1 && c.Pad == 1 &&
		ch >= winogradMinChannels && ch*n*winogradTiles(h, w) >= winogradMinWork
}

// Forward convolves x [N, inC, H, W] to [N, outC, outH, outW].
func (c *Conv2D) Forward(x *Tensor, train bool) *Tensor {
	n, h, w, oh, ow := c.geometry(x)
	if c.Observe != nil {
		c.Observe(x)
	}
	p := oh * ow
	k := c.InC * c.KH * c.KW
	g := convUnit(n, k, p)
	var y *Tensor
	if train && c.ySlot != nil {
		c.ySlot.reserve(n * c.OutC * p)
		y = gradBuffer(&c.y, c.ySlot, false, n, c.OutC, oh, ow)
	} else {
		y = output(&c.y, train, false, n, c.OutC, oh, ow)
	}
	wino := c.Winograd(n, h, w)
	keep := train && keepCols(n, k, p) && !wino // keep the im2col matrices for Backward
	if train {
		c.x, c.n, c.h, c.w, c.outH, c.outW, c.unit = x, n, h, w, oh, ow, g
		c.colsHoldBatch, c.winograd = keep, wino
		if c.dxSlot != nil && !c.NoInputGrad {
			c.dxSlot.reserve(len(x.Data))
		}
	}
	if wino {
		c.winogradPass(y.Data, x.Data, h, w, n, false)
		c.addBias(y.Data, n, p)
		return y
	}
	units, unitCols := ceilDiv(n, g), k*colStride(g*p)
	var kept []float32
	if keep {
		kept = ensure(&c.cols, false, units*unitCols).Data
	}
	eachItem(units, func(get func(int) []float32) func(u, workers int) {
		var cols, prod []float32
		if !keep {
			cols = get(unitCols)
		}
		if g > 1 {
			prod = get(c.OutC * g * p)
		}
		return func(u, workers int) {
			n0 := u * g
			gu := min(g, n-n0)
			ld := colStride(gu * p)
			cm := cols
			if keep {
				cm = kept[u*unitCols:][:unitCols]
			}
			c.im2col(cm, ld, x.Data, n0, gu, h, w, oh, ow, workers == 0)
			if gu == 1 && g == 1 {
				gemmOn(workers, false, false, c.OutC, p, k, 1, c.W.Value.Data, k, cm, ld, 0, y.Data[n0*c.OutC*p:], p)
				return
			}
			t := prod[:c.OutC*gu*p]
			gemmOn(workers, false, false, c.OutC, gu*p, k, 1, c.W.Value.Data, k, cm, ld, 0, t, gu*p)
			permute(workers, c.OutC, gu, p, func(o, i int) (dst, src []float32) {
				return y.Data[((n0+i)*c.OutC+o)*p:][:p], t[o*gu*p+i*p:][:p]
			})
		}
	})
	c.addBias(y.Data, n, p)
	return y
}

// addBias adds the bias, if any, to every output plane of p pixels.
func (c *Conv2D) addBias(y []float32, n, p int) {
	if c.B == nil {
		return
	}
	bias := c.B.Value.Data
	parallelFor(n*c.OutC, p, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			b := bias[u%c.OutC]
			plane := y[u*p:][:p]
			for j := range plane {
				plane[j] += b
			}
		}
	})
}

// convUnit is how many samples of a batch of n one GEMM takes, for k
// im2col rows and p output pixels per sample: 1 for planes of at least
// PerSampleMinP pixels, otherwise enough samples for that many columns
// within the im2col budget, evened out over the units (8 samples of 5
// per unit become two units of 4, not 5 and 3). It depends on the shapes
// only, so the sums of the weight gradient do not depend on the
// goroutines.
func convUnit(n, k, p int) int {
	if p >= perSampleMinP {
		return 1
	}
	g := max(1, min(n, ceilDiv(perSampleMinP, p), colBudget/max(1, k*p)))
	return ceilDiv(n, ceilDiv(n, g))
}

// keepCols reports whether a training Forward of n samples keeps their
// im2col matrices for Backward: when they fit the budget together.
func keepCols(n, k, p int) bool { return n*k*p <= colBudget }

// ceilDiv is ⌈x/y⌉ for positive y.
func ceilDiv(x, y int) int { return (x + y - 1) / y }

// eachItem runs the items 0..items-1 (the units of a batch, Winograd's
// groups of samples): with at least as many items as Threads(), on that
// many goroutines, each calling setup once for its buffers (get takes one
// from the scratch free list, given back at the end) and then the returned
// function for the items it claims, with workers = 1 (serial GEMMs and
// passes); otherwise one item after another on this goroutine with
// workers = 0 (everything parallel inside). Each item must be computed the
// same way wherever it runs.
func eachItem(units int, setup func(get func(int) []float32) func(u, workers int)) {
	run := func(workers int, next func() (int, bool)) {
		var taken []*[]float32
		get := func(n int) []float32 {
			s := getScratch(n)
			taken = append(taken, s)
			return *s
		}
		f := setup(get)
		for u, ok := next(); ok; u, ok = next() {
			f(u, workers)
		}
		for i := len(taken) - 1; i >= 0; i-- {
			putScratch(taken[i])
		}
	}
	workers := itemWorkers(units)
	if workers == 1 {
		u := 0
		run(0, func() (int, bool) { u++; return u - 1, u <= units })
		return
	}
	forEachItem(units, workers, func(next func() (int, bool)) { run(1, next) })
}

// permute copies g planes of p values per output channel between a unit's
// product [outC, g·P] and the NCHW tensor: pair returns the destination and
// source planes of channel o, sample i. In parallel over channels unless
// workers is 1.
func permute(workers, outC, g, p int, pair func(o, i int) (dst, src []float32)) {
	planes := func(lo, hi int) {
		for o := lo; o < hi; o++ {
			for i := range g {
				dst, src := pair(o, i)
				copy(dst, src)
			}
		}
	}
	if workers == 1 {
		planes(0, outC)
		return
	}
	parallelFor(outC, g*p, planes)
}

// Backward accumulates the weight and bias gradients and returns dx (nil
// when NoInputGrad is set).
func (c *Conv2D) Backward(dy *Tensor) *Tensor {
	if c.x == nil {
		panic(fmt.Sprintf("nn: Conv2D %s: Backward without a training Forward", c.W.Name))
	}
	n, p := c.n, c.outH*c.outW
	if len(dy.Data) != n*c.OutC*p {
		panic(fmt.Sprintf("nn: Conv2D %s: gradient shape %v, output shape [%d %d %d %d]", c.W.Name, dy.Shape, n, c.OutC, c.outH, c.outW))
	}
	var dx *Tensor
	if !c.NoInputGrad {
		// Each unit clears its samples' part before adding into it.
		dx = gradBuffer(&c.dx, c.dxSlot, false, c.x.Shape...)
	}
	if c.B != nil {
		// Per channel, the samples in order: the same sums whatever the split.
		db := c.B.Grad.Data
		parallelFor(c.OutC, n*p, func(lo, hi int) {
			for o := lo; o < hi; o++ {
				for i := range n {
					var s float32
					for _, v := range dy.Data[(i*c.OutC+o)*p:][:p] {
						s += v
					}
					db[o] += s
				}
			}
		})
	}
	if !c.winograd {
		c.backwardUnits(dy.Data, dx)
		return dx
	}
	winogradWeightGrad(c.W.Grad.Data, c.x.Data, dy.Data, c.InC, c.OutC, c.h, c.w, n)
	if dx != nil {
		c.winogradPass(dx.Data, dy.Data, c.h, c.w, n, true)
	}
	return dx
}

// winogradPass transforms the current weights into scratch and convolves
// the n planes of h x w in with them into out by Winograd: the forward
// pass, or with inputGrad the input gradient from the output gradient in
// (the transposed convolution, channels swapped).
func (c *Conv2D) winogradPass(out, in []float32, h, w, n int, inputGrad bool) {
	u := getScratch(16 * c.OutC * c.InC)
	defer putScratch(u)
	winogradFilters(*u, c.W.Value.Data, c.OutC, c.InC)
	inC, outC := c.InC, c.OutC
	if inputGrad {
		inC, outC = outC, inC
	}
	winogradBatch(out, in, *u, inC, outC, h, w, n, inputGrad)
}

// weightGradBudget bounds (in floats) the per-unit weight gradients that
// backwardUnits holds before adding them to the weight's gradient.
const weightGradBudget = 1 << 20

// backwardUnits is Backward unit by unit, on separate goroutines as in
// Forward: unit u's weight gradient dyᵤ·colsᵤᵀ goes to its own buffer and
// its input gradient Wᵀ·dyᵤ through col2im to its samples' part of dx; the
// weight gradients of a group of units are then added to the parameter's
// gradient in unit order, so the sums are the same whatever the
// goroutines. dx is nil when the input gradient is not wanted.
func (c *Conv2D) backwardUnits(dy []float32, dx *Tensor) {
	n, h, w, oh, ow := c.n, c.h, c.w, c.outH, c.outW
	p, k, g := oh*ow, c.InC*c.KH*c.KW, c.unit
	wk, unitCols := c.OutC*k, k*colStride(g*p)
	units := ceilDiv(n, g)
	group := min(units, max(itemWorkers(units), weightGradBudget/wk))
	parts := getScratch(group * wk)
	defer putScratch(parts)
	dw := c.W.Grad.Data
	for u0 := 0; u0 < units; u0 += group {
		gn := min(group, units-u0)
		eachItem(gn, func(get func(int) []float32) func(u, workers int) {
			var cols, dm, dcols []float32
			if !c.colsHoldBatch {
				cols = get(unitCols)
			}
			if g > 1 {
				dm = get(c.OutC * g * p)
			}
			if dx != nil {
				dcols = get(unitCols)
			}
			return func(u, workers int) {
				n0 := (u0 + u) * g
				gu := min(g, n-n0)
				ld := colStride(gu * p)
				cm := cols
				if c.colsHoldBatch {
					cm = c.cols.Data[(u0+u)*unitCols:][:unitCols]
				} else {
					c.im2col(cm, ld, c.x.Data, n0, gu, h, w, oh, ow, workers == 0)
				}
				d := dy[n0*c.OutC*p:][:c.OutC*p]
				if g > 1 {
					d = dm[:c.OutC*gu*p]
					permute(workers, c.OutC, gu, p, func(o, i int) (dst, src []float32) {
						return d[o*gu*p+i*p:][:p], dy[((n0+i)*c.OutC+o)*p:][:p]
					})
				}
				gemmOn(workers, false, true, c.OutC, k, gu*p, 1, d, gu*p, cm, ld, 0, (*parts)[u*wk:], k)
				if dx == nil {
					return
				}
				gemmOn(workers, true, false, k, gu*p, c.OutC, 1, c.W.Value.Data, k, d, gu*p, 0, dcols, ld)
				c.col2im(dx.Data, dcols, ld, n0, gu, h, w, oh, ow, workers == 0)
			}
		})
		parallelFor(wk, gn, func(lo, hi int) {
			for u := range gn {
				simdgemm.Add(dw[lo:hi], (*parts)[u*wk+lo:u*wk+hi])
			}
		})
	}
}

// ConvShape is a convolution's geometry on one sample: what ConvScratch
// needs to know.
type ConvShape struct {
	InC, OutC, KH, KW, Stride, Pad int
	H, W                           int // input plane
}

// ConvScratch lists what one Forward and one Backward of a convolution of
// shape s take from the scratch free list, in floats, in the order taken
// (the buffers of concurrent goroutines one goroutine after another), for
// n samples with procs = Threads(); kept is the floats of the im2col
// matrices a training Forward keeps for Backward instead (0 when it keeps
// none), inputGrad whether Backward computes the input gradient (not after
// NoInputGrad). Package bench/sizing replays the free list with it.
func ConvScratch(s ConvShape, n, procs int, train, inputGrad bool) (fwd, bwd []int64, kept int64) {
	c := Conv2D{InC: s.InC, OutC: s.OutC, KH: s.KH, KW: s.KW, Stride: s.Stride, Pad: s.Pad}
	oh, ow := c.OutSize(s.H, s.W)
	workers := func(items int) int { return workersFor(items, procs) }
	if c.Winograd(n, s.H, s.W) {
		t := winogradTiles(oh, ow)
		wg := winogradGroup(n, t)
		buffers := func(inC, outC int) []int64 {
			return []int64{int64(16 * winogradStride(inC, wg*t)), int64(16 * winogradStride(outC, wg*t))}
		}
		pass := func(inC, outC int) (req []int64) {
			for range workers(ceilDiv(n, wg)) {
				req = append(req, buffers(inC, outC)...)
			}
			return req
		}
		filters := int64(16 * s.OutC * s.InC)
		fwd = append([]int64{filters}, pass(s.InC, s.OutC)...)
		bwd = append(buffers(s.InC, s.OutC), filters)
		if inputGrad {
			bwd = append(append(bwd, filters), pass(s.OutC, s.InC)...)
		}
		return fwd, bwd, 0
	}
	k, p := s.InC*s.KH*s.KW, oh*ow
	g := convUnit(n, k, p)
	keep := train && keepCols(n, k, p)
	units, unitCols := ceilDiv(n, g), int64(k*colStride(g*p))
	if keep {
		kept = int64(units) * unitCols
	}
	prod := int64(s.OutC * g * p)
	for range workers(units) {
		if !keep {
			fwd = append(fwd, unitCols)
		}
		if g > 1 {
			fwd = append(fwd, prod)
		}
	}
	group := min(units, max(workers(units), weightGradBudget/(s.OutC*k)))
	bwd = append(bwd, int64(group*s.OutC*k))
	for range workers(group) {
		if !keep {
			bwd = append(bwd, unitCols)
		}
		if g > 1 {
			bwd = append(bwd, prod)
		}
		if inputGrad {
			bwd = append(bwd, unitCols)
		}
	}
	return fwd, bwd, kept
}

// colStride is the row stride of a per-sample im2col matrix with p
// columns: p, or a little more when p floats are a multiple of 4 KiB, whose
// rows would all map to the same cache sets (the GEMM then copies such an
// operand instead of reading it in place).
func colStride(p int) int {
	if (4*p)%4096 == 0 {
		return p + 16
	}
	return p
}

// itemWorkers is how many goroutines share n independent items (the units
// of a batch, Winograd's groups): Threads(), or 1 (one item at a time, each
// parallel inside) when there are fewer items than that.
func itemWorkers(n int) int { return workersFor(n, Threads()) }

// workersFor is itemWorkers for procs goroutines.
func workersFor(n, procs int) int {
	if n < procs {
		return 1
	}
	return procs
}

// forEachItem runs body on workers goroutines that share the items
// 0..n-1 (units of a batch, groups of samples, Winograd's 16 GEMMs): each
// calls next for the item to do until it reports none left. Items are
// claimed in order but may finish in any order, so body must compute each
// one the same way wherever it runs.
func forEachItem(n, workers int, body func(next func() (int, bool))) {
	var claimed atomic.Int64
	next := func() (int, bool) {
		i := int(claimed.Add(1)) - 1
		return i, i < n
	}
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body(next)
		}()
	}
	wg.Wait()
}

// validRange returns the output positions [lo, hi) of a row of n outputs
// whose input index o·stride + off falls inside [0, size).
func validRange(n, stride, off, size int) (lo, hi int) {
	// o·stride + off >= 0  <=>  o >= ceil(-off/stride)
	if off < 0 {
		lo = (-off + stride - 1) / stride
	}
	// o·stride + off < size  <=>  o < ceil((size-off)/stride)
	if size-off > 0 {
		hi = (size - off + stride - 1) / stride
	}
	lo, hi = min(lo, n), min(hi, n)
	return lo, max(lo, hi)
}

// im2col writes the patches of samples n0..n0+g-1 of x into cols [K, g·P]
// with rows ld apart: row (ci·kH + ki)·kW + kj, column i·P + oy·outW + ox
// holds x[n0+i, ci, oy·stride - pad + ki, ox·stride - pad + kj], or 0 in
// the padding. In parallel over (sample, input channel) pairs when asked.
func (c *Conv2D) im2col(cols []float32, ld int, x []float32, n0, g, h, w, oh, ow int, parallel bool) {
	p := oh * ow
	planes := func(lo, hi int) {
		for u := lo; u < hi; u++ {
			i, ci := u/c.InC, u%c.InC
			c.im2colPlane(cols, ld, i*p, x[((n0+i)*c.InC+ci)*h*w:][:h*w], ci, h, w, oh, ow)
		}
	}
	if !parallel {
		planes(0, g*c.InC)
		return
	}
	parallelFor(g*c.InC, c.KH*c.KW*p, planes)
}

// eachOffset calls f for each kernel offset (ki, kj) of input channel ci,
// in order: its im2col row, ki, the output rows [ylo, yhi) and columns
// [xlo, xhi) whose input falls inside the h x w plane, and the column
// offset dx = kj - pad.
func (c *Conv2D) eachOffset(ci, h, w, oh, ow int, f func(row, ki, ylo, yhi, dx, xlo, xhi int)) {
	for ki := range c.KH {
		ylo, yhi := validRange(oh, c.Stride, ki-c.Pad, h)
		for kj := range c.KW {
			dx := kj - c.Pad
			xlo, xhi := validRange(ow, c.Stride, dx, w)
			f((ci*c.KH+ki)*c.KW+kj, ki, ylo, yhi, dx, xlo, xhi)
		}
	}
}

// im2colPlane writes the patches of input channel ci, whose h x w plane is
// given, into rows (ci·kH + ki)·kW + kj of cols (ld apart), columns
// off + oy·outW + ox.
func (c *Conv2D) im2colPlane(cols []float32, ld, off int, plane []float32, ci, h, w, oh, ow int) {
	s := c.Stride
	c.eachOffset(ci, h, w, oh, ow, func(row, ki, ylo, yhi, dx, xlo, xhi int) {
		d := cols[row*ld+off:][:oh*ow]
		clear(d[:ylo*ow])
		clear(d[yhi*ow:])
		if s == 1 && ow == w && ylo < yhi {
			// Output rows as wide as input rows: the valid rows are
			// one shifted copy of the plane; the columns that fall
			// into the padding are cleared after it.
			shiftedCopy(d[ylo*ow:yhi*ow], plane, (ylo+ki-c.Pad)*w+dx)
			clearColumns(d, ylo, yhi, ow, xlo, xhi)
			return
		}
		for oy := ylo; oy < yhi; oy++ {
			line := d[oy*ow:][:ow]
			src := plane[(oy*s+ki-c.Pad)*w:][:w]
			// The padding columns are few: plain stores beat a
			// call to clear per row.
			for j := range line[:xlo] {
				line[j] = 0
			}
			for j := range line[xhi:] {
				line[xhi+j] = 0
			}
			if s == 1 {
				copy(line[xlo:xhi], src[xlo+dx:xhi+dx])
				continue
			}
			for ox := xlo; ox < xhi; ox++ {
				line[ox] = src[ox*s+dx]
			}
		}
	})
}

// shiftedCopy sets dst[i] = src[start+i], and 0 where start+i falls outside
// src (a padding element at either end of the block).
func shiftedCopy(dst, src []float32, start int) {
	lo, hi := max(0, -start), min(len(dst), len(src)-start)
	clear(dst[:lo])
	clear(dst[max(hi, lo):])
	if lo < hi {
		copy(dst[lo:hi], src[start+lo:start+hi])
	}
}

// clearColumns zeroes columns outside [xlo, xhi) of rows [ylo, yhi) of the
// row-major plane d of rows ow wide.
func clearColumns(d []float32, ylo, yhi, ow, xlo, xhi int) {
	if xlo == 0 && xhi == ow {
		return
	}
	for oy := ylo; oy < yhi; oy++ {
		line := d[oy*ow:][:ow]
		for j := range line[:xlo] {
			line[j] = 0
		}
		for j := range line[xhi:] {
			line[xhi+j] = 0
		}
	}
}

// col2im sets the input gradient of samples n0..n0+g-1 in dx from their
// columns [K, g·P] (rows ld apart): each plane cleared, then the columns
// added back at the positions im2col read from, for each input element in
// the fixed order of the kernel offsets (ki, kj). In parallel over
// (sample, input channel) pairs when asked.
func (c *Conv2D) col2im(dx, cols []float32, ld, n0, g, h, w, oh, ow int, parallel bool) {
	p := oh * ow
	planes := func(lo, hi int) {
		for u := lo; u < hi; u++ {
			i, ci := u/c.InC, u%c.InC
			plane := dx[((n0+i)*c.InC+ci)*h*w:][:h*w]
			clear(plane)
			c.col2imPlane(plane, cols, ld, i*p, ci, h, w, oh, ow)
		}
	}
	if !parallel {
		planes(0, g*c.InC)
		return
	}
	parallelFor(g*c.InC, c.KH*c.KW*p, planes)
}

// col2imPlane adds rows (ci·kH + ki)·kW + kj of cols (ld apart, from column
// off) into the input-gradient plane of channel ci.
func (c *Conv2D) col2imPlane(plane, cols []float32, ld, off, ci, h, w, oh, ow int) {
	s := c.Stride
	c.eachOffset(ci, h, w, oh, ow, func(row, ki, ylo, yhi, dx, xlo, xhi int) {
		sp := cols[row*ld+off:][:oh*ow]
		if s == 1 && ow == w && ylo < yhi {
			// As in im2colPlane, the valid rows are one shifted
			// block of the plane: the columns that fall into the
			// padding are zeroed in the (scratch) columns first, so
			// that one addition covers the block; adding those
			// zeros changes nothing but a -0 into +0.
			clearColumns(sp, ylo, yhi, ow, xlo, xhi)
			shiftedAdd(plane, sp[ylo*ow:yhi*ow], (ylo+ki-c.Pad)*w+dx)
			return
		}
		for oy := ylo; oy < yhi; oy++ {
			line := sp[oy*ow:][:ow]
			dst := plane[(oy*s+ki-c.Pad)*w:][:w]
			if s == 1 {
				simdgemm.Add(dst[xlo+dx:][:xhi-xlo], line[xlo:xhi])
				continue
			}
			for ox := xlo; ox < xhi; ox++ {
				dst[ox*s+dx] += line[ox]
			}
		}
	})
}

// shiftedAdd adds src[i] to dst[start+i] where start+i falls inside dst
// (elsewhere src holds padding, which is dropped).
func shiftedAdd(dst, src []float32, start int) {
	lo, hi := max(0, -start), min(len(src), len(dst)-start)
	if lo < hi {
		simdgemm.Add(dst[start+lo:start+hi], src[lo:hi])
	}
}

// Params returns the weight and, if present, the bias.
func (c *Conv2D) Params() []*Param {
	if c.B == nil {
		return []*Param{c.W}
	}
	return []*Param{c.W, c.B}
}

// Buffers returns nil.
func (c *Conv2D) Buffers() []*Buffer { return nil }
