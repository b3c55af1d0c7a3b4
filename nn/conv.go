package nn

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"

	simdgemm "github.com/miebench/miebench/nn/gemm"
)

// IM2ColBudget bounds the im2col matrix of one GEMM (in elements): a batch
// is convolved in chunks of as many samples as fit, so small late layers get
// one large product while large early layers stay within memory. A
// convolution whose whole batch fits keeps the matrix for Backward (package
// bench/sizing counts it so).
const IM2ColBudget = 1 << 21

// colBudget is IM2ColBudget, a variable so that tests can force chunking.
var colBudget = IM2ColBudget

// PerSampleMinP is the output plane size from which a chunk is multiplied
// sample by sample (each product still wide enough for the GEMM kernels),
// writing straight into the NCHW output instead of through a chunk-wide
// product that must then be permuted (so it needs no chunk-wide scratch,
// which package bench/sizing counts).
const PerSampleMinP = 256

// perSampleMinP is PerSampleMinP, a variable so that tests can cover both
// paths.
var perSampleMinP = PerSampleMinP

// Conv2D is a 2-D convolution (cross-correlation, as PyTorch's Conv2d) over
// [N, C, H, W] batches with weight [outC, inC, kH, kW], computed as im2col
// followed by one GEMM per chunk of samples.
type Conv2D struct {
	W, B                *Param // B is nil without bias
	InC, OutC, KH, KW   int
	Stride, Pad         int
	x                   *Tensor
	y, dx               *Tensor
	cols                *Tensor // im2col of the whole batch when it fits in one chunk
	colsHoldBatch       bool    // cols holds the last training batch's im2col
	n, h, w, outH, outW int
	chunk               int
	dxSlot              *gradSlot // where dx lives when the encoder shares gradient storage
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

// Forward convolves x [N, inC, H, W] to [N, outC, outH, outW].
func (c *Conv2D) Forward(x *Tensor, train bool) *Tensor {
	n, h, w, oh, ow := c.geometry(x)
	if c.Observe != nil {
		c.Observe(x)
	}
	p := oh * ow
	k := c.InC * c.KH * c.KW
	chunk := max(1, min(n, colBudget/max(1, k*p)))
	var y *Tensor
	if train && c.ySlot != nil {
		c.ySlot.reserve(n * c.OutC * p)
		y = gradBuffer(&c.y, c.ySlot, false, n, c.OutC, oh, ow)
	} else {
		y = output(&c.y, train, false, n, c.OutC, oh, ow)
	}
	if train {
		c.x, c.n, c.h, c.w, c.outH, c.outW, c.chunk = x, n, h, w, oh, ow, chunk
		c.colsHoldBatch = chunk == n
		if c.dxSlot != nil && !c.NoInputGrad {
			c.dxSlot.reserve(len(x.Data))
		}
	}
	keep := train && chunk == n // keep the im2col matrix for Backward
	if chunk == 1 || p >= perSampleMinP {
		c.forwardSamples(x.Data, y.Data, n, h, w, oh, ow, keep)
	} else {
		c.forwardChunks(x.Data, y.Data, n, chunk, h, w, oh, ow, keep)
	}
	if c.B != nil {
		bias := c.B.Value.Data
		parallelFor(n*c.OutC, p, func(lo, hi int) {
			for u := lo; u < hi; u++ {
				b := bias[u%c.OutC]
				plane := y.Data[u*p:][:p]
				for j := range plane {
					plane[j] += b
				}
			}
		})
	}
	return y
}

// forwardSamples convolves sample by sample: each sample's im2col matrix
// [K, P] (rows colStride(P) apart) times the weight gives its [outC, P]
// output in place. With at least as many samples as goroutines, whole
// samples run on separate goroutines, each with its own columns and serial
// GEMMs (cache-sized work, no synchronisation inside a sample); otherwise
// one sample at a time with the im2col and the GEMM parallel. The GEMM's
// bits do not depend on its goroutines, so neither does the output.
func (c *Conv2D) forwardSamples(x, y []float32, n, h, w, oh, ow int, keep bool) {
	p, k := oh*ow, c.InC*c.KH*c.KW
	ld := colStride(p)
	var kept []float32
	if keep {
		kept = ensure(&c.cols, false, n, k*ld).Data
	}
	sample := func(i int, cols []float32, workers int) {
		if keep {
			cols = kept[i*k*ld:][:k*ld]
		}
		c.im2colSample(cols, ld, x, i, h, w, oh, ow, workers == 0)
		gemmOn(workers, false, false, c.OutC, p, k, 1, c.W.Value.Data, k, cols, ld, 0, y[i*c.OutC*p:], p)
	}
	workers := sampleWorkers(n)
	if workers == 1 {
		var cols []float32
		if !keep {
			s := getScratch(k * ld)
			defer putScratch(s)
			cols = *s
		}
		for i := range n {
			sample(i, cols, 0)
		}
		return
	}
	forEachSample(n, workers, func(next func() (int, bool)) {
		var cols []float32
		if !keep {
			s := getScratch(k * ld)
			defer putScratch(s)
			cols = *s
		}
		for i, ok := next(); ok; i, ok = next() {
			sample(i, cols, 1)
		}
	})
}

// forwardChunks convolves chunks of samples whose output planes are small:
// one GEMM over the chunk's im2col matrix [K, g·P], whose product is then
// permuted into the NCHW output.
func (c *Conv2D) forwardChunks(x, y []float32, n, chunk, h, w, oh, ow int, keep bool) {
	p, k := oh*ow, c.InC*c.KH*c.KW
	tmp := getScratch(c.OutC * chunk * p)
	defer putScratch(tmp)
	var scratch *[]float32
	if !keep {
		scratch = getScratch(k * chunk * p)
		defer putScratch(scratch)
	}
	for n0 := 0; n0 < n; n0 += chunk {
		g := min(chunk, n-n0)
		var cols []float32
		if keep {
			cols = ensure(&c.cols, false, k, g*p).Data
		} else {
			cols = (*scratch)[:k*g*p]
		}
		c.im2col(cols, x, n0, g, h, w, oh, ow)
		t := (*tmp)[:c.OutC*g*p]
		gemm(false, false, c.OutC, g*p, k, 1, c.W.Value.Data, k, cols, g*p, 0, t, g*p)
		parallelFor(c.OutC, g*p, func(lo, hi int) {
			for o := lo; o < hi; o++ {
				for i := range g {
					copy(y[((n0+i)*c.OutC+o)*p:][:p], t[o*g*p+i*p:][:p])
				}
			}
		})
	}
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
	perSample := c.chunk == 1 || p >= perSampleMinP
	var dx *Tensor
	if !c.NoInputGrad {
		// Sample by sample, each sample's part is cleared where it is
		// computed.
		dx = gradBuffer(&c.dx, c.dxSlot, !perSample, c.x.Shape...)
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
	var dxData []float32
	if dx != nil {
		dxData = dx.Data
	}
	if perSample {
		c.backwardSamples(dy.Data, dxData)
	} else {
		c.backwardChunks(dy.Data, dxData)
	}
	return dx
}

// weightGradBudget bounds (in floats) the per-sample weight gradients that
// backwardSamples holds before adding them to the weight's gradient.
const weightGradBudget = 1 << 20

// backwardSamples is Backward sample by sample, on separate goroutines as
// in forwardSamples: sample i's weight gradient dyᵢ·colsᵢᵀ goes to its own
// buffer and its input gradient Wᵀ·dyᵢ through col2im to its part of dx;
// the weight gradients of a group of samples are then added to the
// parameter's gradient in sample order, so the sums are the same whatever
// the goroutines. dx is nil when the input gradient is not wanted.
func (c *Conv2D) backwardSamples(dy, dx []float32) {
	n, h, w, oh, ow := c.n, c.h, c.w, c.outH, c.outW
	p, k := oh*ow, c.InC*c.KH*c.KW
	ld := colStride(p)
	wk := c.OutC * k
	workers := sampleWorkers(n)
	group := min(n, max(workers, weightGradBudget/wk))
	parts := getScratch(group * wk)
	defer putScratch(parts)
	sample := func(i, g0 int, cols, dcols []float32, workers int) {
		if c.colsHoldBatch {
			cols = c.cols.Data[i*k*ld:][:k*ld]
		} else {
			c.im2colSample(cols, ld, c.x.Data, i, h, w, oh, ow, workers == 0)
		}
		dyi := dy[i*c.OutC*p:][:c.OutC*p]
		gemmOn(workers, false, true, c.OutC, k, p, 1, dyi, p, cols, ld, 0, (*parts)[(i-g0)*wk:], k)
		if dx == nil {
			return
		}
		gemmOn(workers, true, false, k, p, c.OutC, 1, c.W.Value.Data, k, dyi, p, 0, dcols, ld)
		c.col2imSample(dx, dcols, ld, i, h, w, oh, ow, workers == 0)
	}
	// buffers returns a goroutine's im2col and input-gradient columns.
	buffers := func() (cols, dcols []float32, done func()) {
		var taken []*[]float32
		if !c.colsHoldBatch {
			s := getScratch(k * ld)
			taken, cols = append(taken, s), *s
		}
		if dx != nil {
			s := getScratch(k * ld)
			taken, dcols = append(taken, s), *s
		}
		return cols, dcols, func() {
			for _, s := range taken {
				putScratch(s)
			}
		}
	}
	dw := c.W.Grad.Data
	for g0 := 0; g0 < n; g0 += group {
		g := min(group, n-g0)
		if workers == 1 {
			cols, dcols, done := buffers()
			for i := g0; i < g0+g; i++ {
				sample(i, g0, cols, dcols, 0)
			}
			done()
		} else {
			forEachSampleOf(g0, g, workers, func(next func() (int, bool)) {
				cols, dcols, done := buffers()
				defer done()
				for i, ok := next(); ok; i, ok = next() {
					sample(i, g0, cols, dcols, 1)
				}
			})
		}
		parallelFor(wk, g, func(lo, hi int) {
			for i := range g {
				simdgemm.Add(dw[lo:hi], (*parts)[i*wk+lo:i*wk+hi])
			}
		})
	}
}

// backwardChunks is Backward for chunks of samples with small output
// planes (see forwardChunks): one weight-gradient GEMM over the chunk's
// columns, accumulated into the parameter's gradient, and one for the
// chunk's input-gradient columns, added back into dx by col2im.
func (c *Conv2D) backwardChunks(dy, dx []float32) {
	n, p := c.n, c.outH*c.outW
	k := c.InC * c.KH * c.KW
	var cols, dcols *[]float32
	if !c.colsHoldBatch {
		cols = getScratch(k * c.chunk * p)
		defer putScratch(cols)
	}
	dyc := getScratch(c.OutC * c.chunk * p)
	defer putScratch(dyc)
	if dx != nil {
		dcols = getScratch(k * c.chunk * p)
		defer putScratch(dcols)
	}
	for n0 := 0; n0 < n; n0 += c.chunk {
		g := min(c.chunk, n-n0)
		var cm []float32
		if c.colsHoldBatch {
			cm = c.cols.Data
		} else {
			cm = (*cols)[:k*g*p]
			c.im2col(cm, c.x.Data, n0, g, c.h, c.w, c.outH, c.outW)
		}
		dm := (*dyc)[:c.OutC*g*p]
		parallelFor(c.OutC, g*p, func(lo, hi int) {
			for o := lo; o < hi; o++ {
				for i := range g {
					copy(dm[o*g*p+i*p:][:p], dy[((n0+i)*c.OutC+o)*p:][:p])
				}
			}
		})
		gemm(false, true, c.OutC, k, g*p, 1, dm, g*p, cm, g*p, 1, c.W.Grad.Data, k)
		if dx == nil {
			continue
		}
		dc := (*dcols)[:k*g*p]
		gemm(true, false, k, g*p, c.OutC, 1, c.W.Value.Data, k, dm, g*p, 0, dc, g*p)
		c.col2im(dx, dc, n0, g, c.h, c.w, c.outH, c.outW)
	}
}

// ConvScratch lists what one Forward and one Backward of a convolution
// take from the scratch free list, in floats, in the order taken (buffers
// of concurrent goroutines in goroutine order), for k = inC·kH·kW im2col
// rows, p output pixels per sample, outC outputs and n samples, with
// procs = Threads(); keep reports whether training keeps the batch's
// im2col matrix for Backward instead, inputGrad whether Backward computes
// the input gradient (not after NoInputGrad). Package bench/sizing replays
// the free list with it.
func ConvScratch(k, p, outC, n, procs int, train, inputGrad bool) (fwd, bwd []int64, keep bool) {
	chunk := max(1, min(n, colBudget/max(1, k*p)))
	keep = train && chunk == n
	if chunk == 1 || p >= perSampleMinP {
		cols := int64(k * colStride(p))
		workers := 1
		if procs <= n {
			workers = procs
		}
		for range workers {
			if !keep {
				fwd = append(fwd, cols)
			}
		}
		group := min(n, max(workers, weightGradBudget/(outC*k)))
		bwd = append(bwd, int64(group*outC*k))
		for range workers {
			if !keep {
				bwd = append(bwd, cols)
			}
			if inputGrad {
				bwd = append(bwd, cols)
			}
		}
		return fwd, bwd, keep
	}
	cols, packed := int64(k*p*chunk), int64(outC*p*chunk)
	fwd = append(fwd, packed)
	if !keep {
		fwd = append(fwd, cols)
		bwd = append(bwd, cols)
	}
	bwd = append(bwd, packed)
	if inputGrad {
		bwd = append(bwd, cols)
	}
	return fwd, bwd, keep
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

// sampleWorkers is how many goroutines convolve whole samples of a batch of
// n: Threads(), or 1 (samples one at a time, each parallel inside) when
// there are fewer samples than that.
func sampleWorkers(n int) int {
	w := Threads()
	if n < w {
		return 1
	}
	return w
}

// forEachSample runs body on workers goroutines that share the samples
// 0..n-1: each calls next for the sample to do until it reports none left.
// Samples are claimed in order but may finish in any order, so body must
// compute each one the same way wherever it runs.
func forEachSample(n, workers int, body func(next func() (int, bool))) {
	forEachSampleOf(0, n, workers, body)
}

// forEachSampleOf is forEachSample over samples first..first+n-1.
func forEachSampleOf(first, n, workers int, body func(next func() (int, bool))) {
	var claimed atomic.Int64
	next := func() (int, bool) {
		i := int(claimed.Add(1)) - 1
		return first + i, i < n
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

// gemmOn is gemm on at most workers goroutines (0: as many as Threads()).
func gemmOn(workers int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if workers == 0 {
		gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	tA, tB := blas.NoTrans, blas.NoTrans
	if transA {
		tA = blas.Trans
	}
	if transB {
		tB = blas.Trans
	}
	simdgemm.Implementation{Workers: workers}.Sgemm(tA, tB, m, n, k, alpha, a, max(lda, 1), b, max(ldb, 1), beta, c, max(ldc, 1))
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

// im2col writes the patches of samples n0..n0+g-1 of x into cols [K, g·P]:
// row (ci·kH + ki)·kW + kj, column i·P + oy·outW + ox holds
// x[n0+i, ci, oy·stride - pad + ki, ox·stride - pad + kj], or 0 in the padding.
// Work is split over (sample, input channel) pairs.
func (c *Conv2D) im2col(cols, x []float32, n0, g, h, w, oh, ow int) {
	p := oh * ow
	parallelFor(g*c.InC, c.KH*c.KW*p, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			i, ci := u/c.InC, u%c.InC
			c.im2colPlane(cols, g*p, i*p, x[((n0+i)*c.InC+ci)*h*w:][:h*w], ci, h, w, oh, ow)
		}
	})
}

// im2colSample writes sample i's patches into cols [K, P] with rows ld
// apart, split over input channels when parallel.
func (c *Conv2D) im2colSample(cols []float32, ld int, x []float32, i, h, w, oh, ow int, parallel bool) {
	planes := func(lo, hi int) {
		for ci := lo; ci < hi; ci++ {
			c.im2colPlane(cols, ld, 0, x[(i*c.InC+ci)*h*w:][:h*w], ci, h, w, oh, ow)
		}
	}
	if !parallel {
		planes(0, c.InC)
		return
	}
	parallelFor(c.InC, c.KH*c.KW*oh*ow, planes)
}

// im2colPlane writes the patches of input channel ci, whose h x w plane is
// given, into rows (ci·kH + ki)·kW + kj of cols (ld apart), columns
// off + oy·outW + ox.
func (c *Conv2D) im2colPlane(cols []float32, ld, off int, plane []float32, ci, h, w, oh, ow int) {
	p := oh * ow
	s := c.Stride
	for ki := range c.KH {
		ylo, yhi := validRange(oh, s, ki-c.Pad, h)
		for kj := range c.KW {
			row := (ci*c.KH+ki)*c.KW + kj
			d := cols[row*ld+off:][:p]
			dx := kj - c.Pad
			xlo, xhi := validRange(ow, s, dx, w)
			clear(d[:ylo*ow])
			clear(d[yhi*ow:])
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
		}
	}
}

// col2im adds cols [K, g·P] back into dx at the positions im2col read from,
// for each input element in the fixed order of the kernel offsets (ki, kj).
func (c *Conv2D) col2im(dx, cols []float32, n0, g, h, w, oh, ow int) {
	p := oh * ow
	parallelFor(g*c.InC, c.KH*c.KW*p, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			i, ci := u/c.InC, u%c.InC
			c.col2imPlane(dx[((n0+i)*c.InC+ci)*h*w:][:h*w], cols, g*p, i*p, ci, h, w, oh, ow)
		}
	})
}

// col2imSample sets sample i's part of dx from its input-gradient columns
// [K, P] (rows ld apart): cleared, then col2im's sums, split over input
// channels when parallel.
func (c *Conv2D) col2imSample(dx, cols []float32, ld, i, h, w, oh, ow int, parallel bool) {
	planes := func(lo, hi int) {
		for ci := lo; ci < hi; ci++ {
			plane := dx[(i*c.InC+ci)*h*w:][:h*w]
			clear(plane)
			c.col2imPlane(plane, cols, ld, 0, ci, h, w, oh, ow)
		}
	}
	if !parallel {
		planes(0, c.InC)
		return
	}
	parallelFor(c.InC, c.KH*c.KW*oh*ow, planes)
}

// col2imPlane adds rows (ci·kH + ki)·kW + kj of cols (ld apart, from column
// off) into the input-gradient plane of channel ci.
func (c *Conv2D) col2imPlane(plane, cols []float32, ld, off, ci, h, w, oh, ow int) {
	p := oh * ow
	s := c.Stride
	for ki := range c.KH {
		ylo, yhi := validRange(oh, s, ki-c.Pad, h)
		for kj := range c.KW {
			row := (ci*c.KH+ki)*c.KW + kj
			sp := cols[row*ld+off:][:p]
			dx := kj - c.Pad
			xlo, xhi := validRange(ow, s, dx, w)
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
		}
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
