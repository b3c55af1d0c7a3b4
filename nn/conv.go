package nn

import (
	"fmt"
	"math/rand/v2"

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
		if c.dxSlot != nil {
			c.dxSlot.reserve(len(x.Data))
		}
	}
	keep := train && c.colsHoldBatch // keep the im2col matrix for Backward
	perSample := chunk == 1 || p >= perSampleMinP
	var tmp, scratch *[]float32
	if !perSample {
		tmp = getScratch(c.OutC * chunk * p)
		defer putScratch(tmp)
	}
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
		c.im2col(cols, x.Data, n0, g, h, w, oh, ow)
		if perSample {
			// Sample i's patches are columns i·P.. of cols (row stride g·P).
			for i := range g {
				gemm(false, false, c.OutC, p, k, 1, c.W.Value.Data, k, cols[i*p:], g*p, 0, y.Data[(n0+i)*c.OutC*p:], p)
			}
		} else {
			t := (*tmp)[:c.OutC*g*p]
			gemm(false, false, c.OutC, g*p, k, 1, c.W.Value.Data, k, cols, g*p, 0, t, g*p)
			parallelFor(c.OutC, g*p, func(lo, hi int) {
				for o := lo; o < hi; o++ {
					for i := range g {
						copy(y.Data[((n0+i)*c.OutC+o)*p:][:p], t[o*g*p+i*p:][:p])
					}
				}
			})
		}
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

// Backward accumulates the weight and bias gradients and returns dx.
func (c *Conv2D) Backward(dy *Tensor) *Tensor {
	if c.x == nil {
		panic(fmt.Sprintf("nn: Conv2D %s: Backward without a training Forward", c.W.Name))
	}
	n, p := c.n, c.outH*c.outW
	if len(dy.Data) != n*c.OutC*p {
		panic(fmt.Sprintf("nn: Conv2D %s: gradient shape %v, output shape [%d %d %d %d]", c.W.Name, dy.Shape, n, c.OutC, c.outH, c.outW))
	}
	k := c.InC * c.KH * c.KW
	dx := gradBuffer(&c.dx, c.dxSlot, true, c.x.Shape...)
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
	var cols, dyc, dcols *[]float32
	if !c.colsHoldBatch {
		cols = getScratch(k * c.chunk * p)
		defer putScratch(cols)
	}
	perSample := c.chunk == 1 || p >= perSampleMinP
	if !perSample {
		dyc = getScratch(c.OutC * c.chunk * p)
		defer putScratch(dyc)
	}
	dcols = getScratch(k * c.chunk * p)
	defer putScratch(dcols)
	for n0 := 0; n0 < n; n0 += c.chunk {
		g := min(c.chunk, n-n0)
		var cm []float32
		if c.colsHoldBatch {
			cm = c.cols.Data
		} else {
			cm = (*cols)[:k*g*p]
			c.im2col(cm, c.x.Data, n0, g, c.h, c.w, c.outH, c.outW)
		}
		dc := (*dcols)[:k*g*p]
		if perSample {
			for i := range g {
				dm := dy.Data[(n0+i)*c.OutC*p:][:c.OutC*p]
				gemm(false, true, c.OutC, k, p, 1, dm, p, cm[i*p:], g*p, 1, c.W.Grad.Data, k)
				gemm(true, false, k, p, c.OutC, 1, c.W.Value.Data, k, dm, p, 0, dc[i*p:], g*p)
			}
		} else {
			dm := (*dyc)[:c.OutC*g*p]
			parallelFor(c.OutC, g*p, func(lo, hi int) {
				for o := lo; o < hi; o++ {
					for i := range g {
						copy(dm[o*g*p+i*p:][:p], dy.Data[((n0+i)*c.OutC+o)*p:][:p])
					}
				}
			})
			gemm(false, true, c.OutC, k, g*p, 1, dm, g*p, cm, g*p, 1, c.W.Grad.Data, k)
			gemm(true, false, k, g*p, c.OutC, 1, c.W.Value.Data, k, dm, g*p, 0, dc, g*p)
		}
		c.col2im(dx.Data, dc, n0, g, c.h, c.w, c.outH, c.outW)
	}
	return dx
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
	s := c.Stride
	parallelFor(g*c.InC, c.KH*c.KW*p, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			i, ci := u/c.InC, u%c.InC
			plane := x[((n0+i)*c.InC+ci)*h*w:][:h*w]
			for ki := range c.KH {
				ylo, yhi := validRange(oh, s, ki-c.Pad, h)
				for kj := range c.KW {
					row := (ci*c.KH+ki)*c.KW + kj
					d := cols[row*g*p+i*p:][:p]
					off := kj - c.Pad
					xlo, xhi := validRange(ow, s, off, w)
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
							copy(line[xlo:xhi], src[xlo+off:xhi+off])
							continue
						}
						for ox := xlo; ox < xhi; ox++ {
							line[ox] = src[ox*s+off]
						}
					}
				}
			}
		}
	})
}

// col2im adds cols [K, g·P] back into dx at the positions im2col read from,
// for each input element in the fixed order of the kernel offsets (ki, kj).
func (c *Conv2D) col2im(dx, cols []float32, n0, g, h, w, oh, ow int) {
	p := oh * ow
	s := c.Stride
	parallelFor(g*c.InC, c.KH*c.KW*p, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			i, ci := u/c.InC, u%c.InC
			plane := dx[((n0+i)*c.InC+ci)*h*w:][:h*w]
			for ki := range c.KH {
				ylo, yhi := validRange(oh, s, ki-c.Pad, h)
				for kj := range c.KW {
					row := (ci*c.KH+ki)*c.KW + kj
					sp := cols[row*g*p+i*p:][:p]
					off := kj - c.Pad
					xlo, xhi := validRange(ow, s, off, w)
					for oy := ylo; oy < yhi; oy++ {
						line := sp[oy*ow:][:ow]
						dst := plane[(oy*s+ki-c.Pad)*w:][:w]
						if s == 1 {
							simdgemm.Add(dst[xlo+off:][:xhi-xlo], line[xlo:xhi])
							continue
						}
						for ox := xlo; ox < xhi; ox++ {
							dst[ox*s+off] += line[ox]
						}
					}
				}
			}
		}
	})
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
