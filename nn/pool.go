package nn

import (
	"fmt"

	simdgemm "github.com/miebench/miebench/nn/gemm"
)

// poolGeom is the window geometry shared by the 2-D pooling layers.
type poolGeom struct {
	k, stride, pad int
}

// outSize returns the output size for an input of h x w (floor mode, as
// PyTorch's default ceil_mode=False).
func (g poolGeom) outSize(name string, x *Tensor) (n, c, h, w, oh, ow int) {
	if len(x.Shape) != 4 {
		panic(fmt.Sprintf("nn: %s expects [N C H W], got %v", name, x.Shape))
	}
	n, c, h, w = x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	oh = (h+2*g.pad-g.k)/g.stride + 1
	ow = (w+2*g.pad-g.k)/g.stride + 1
	if oh < 1 || ow < 1 {
		panic(fmt.Sprintf("nn: %s: input %dx%d is smaller than the window %d with padding %d", name, h, w, g.k, g.pad))
	}
	return
}

func newPoolGeom(name string, k, stride, pad int) poolGeom {
	if k < 1 || stride < 1 || pad < 0 || 2*pad > k {
		panic(fmt.Sprintf("nn: %s: window %d, stride %d, padding %d are invalid (padding at most half the window)", name, k, stride, pad))
	}
	return poolGeom{k, stride, pad}
}

// MaxPool2D takes the maximum over each k x k window; padding never wins
// (it counts as -∞, as in PyTorch's MaxPool2d). The gradient flows to the
// first maximum of a window in row-major order.
type MaxPool2D struct {
	poolGeom
	// arg8 (windows of up to 16 x 16) or arg16 (larger ones) holds per
	// output where its maximum is in its window, as row·k + column: one
	// or two bytes instead of a four-byte plane index.
	arg8   []uint8
	arg16  []uint16
	y, dx  *Tensor
	xShape []int
	dxSlot *gradSlot // where dx lives when the encoder shares gradient storage
}

// MaxPoolMaxWindow is the largest window NewMaxPool2D accepts: a maximum's
// position in its window is kept in 16 bits (8 up to MaxPoolByteWindow).
const MaxPoolMaxWindow = 256

// MaxPoolByteWindow is the largest window whose maxima's positions take
// one byte each.
const MaxPoolByteWindow = 16

// windowPos is the type of a maximum's position in its window.
type windowPos interface{ ~uint8 | ~uint16 }

// NewMaxPool2D returns a max pooling layer; k must be at most
// MaxPoolMaxWindow.
func NewMaxPool2D(k, stride, pad int) Layer {
	if k > MaxPoolMaxWindow {
		panic(fmt.Sprintf("nn: MaxPool2D: window %d is larger than %d", k, MaxPoolMaxWindow))
	}
	return &MaxPool2D{poolGeom: newPoolGeom("MaxPool2D", k, stride, pad)}
}

// Forward pools x [N, C, H, W].
func (m *MaxPool2D) Forward(x *Tensor, train bool) *Tensor {
	n, c, h, w, oh, ow := m.outSize("MaxPool2D", x)
	y := output(&m.y, train, false, n, c, oh, ow)
	var arg8 []uint8
	var arg16 []uint16
	if train {
		if m.k <= MaxPoolByteWindow {
			arg8 = positions(&m.arg8, len(y.Data))
		} else {
			arg16 = positions(&m.arg16, len(y.Data))
		}
		m.xShape = append(m.xShape[:0], x.Shape...)
		if m.dxSlot != nil {
			m.dxSlot.reserve(len(x.Data))
		}
	}
	parallelFor(n*c, h*w, func(lo, hi int) {
		if m.k <= MaxPoolByteWindow {
			maxPoolPlanes(m, x.Data, y.Data, arg8, maxPool3RowBytes, lo, hi, h, w, oh, ow)
		} else {
			maxPoolPlanes(m, x.Data, y.Data, arg16, maxPool3Row[uint16], lo, hi, h, w, oh, ow)
		}
	})
	return y
}

// positions returns *buf resized to n, reallocated when too small.
func positions[T windowPos](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	return (*buf)[:n]
}

// maxPoolPlanes pools planes lo..hi-1 of m, recording arg-maxes when arg
// is not nil; row3 pools the interior of a row of 3x3 windows
// (maxPool3Row or a faster equivalent).
func maxPoolPlanes[T windowPos](m *MaxPool2D, x, y []float32, arg []T, row3 func(src, out []float32, arg []T, w, y0, xa, xb, stride, pad int), lo, hi, h, w, oh, ow int) {
	if m.k == 2 && m.stride == 2 && m.pad == 0 {
		maxPool2x2(x, y, arg, lo, hi, h, w, oh, ow)
		return
	}
	for pl := lo; pl < hi; pl++ {
		src := x[pl*h*w:][:h*w]
		dst := y[pl*oh*ow:][:oh*ow]
		for oy := range oh {
			y0 := oy*m.stride - m.pad
			// Outputs [xa, xb) of an interior row have their whole window
			// inside the plane: 3x3 windows (ResNet's stem) take an
			// unrolled path with the same first-maximum scan.
			xa, xb := 0, 0
			if m.k == 3 && y0 >= 0 && y0+3 <= h {
				xa, xb = validRange(ow, m.stride, -m.pad, w-2)
				var a []T
				if arg != nil {
					a = arg[pl*oh*ow+oy*ow:][:ow]
				}
				row3(src, dst[oy*ow:][:ow], a, w, y0, xa, xb, m.stride, m.pad)
			}
			for ox := range ow {
				if ox >= xa && ox < xb {
					continue
				}
				x0 := ox*m.stride - m.pad
				ylo, yhi := max(y0, 0), min(y0+m.k, h)
				xlo, xhi := max(x0, 0), min(x0+m.k, w)
				at := ylo*w + xlo
				best := src[at]
				for iy := ylo; iy < yhi; iy++ {
					row := src[iy*w:][xlo:xhi]
					for j, v := range row {
						if v > best {
							best, at = v, iy*w+xlo+j
						}
					}
				}
				dst[oy*ow+ox] = best
				if arg != nil {
					iy := at / w
					arg[pl*oh*ow+oy*ow+ox] = T((iy-y0)*m.k + at - iy*w - x0)
				}
			}
		}
	}
}

// maxPool3Row pools outputs [xa, xb) of one output row whose 3x3 windows,
// rows y0..y0+2 and columns ox·stride-pad.., lie inside the plane, scanning
// each window in row-major order and keeping the first maximum, as the
// general path does.
func maxPool3Row[T windowPos](src, out []float32, arg []T, w, y0, xa, xb, stride, pad int) {
	for ox := xa; ox < xb; ox++ {
		at := y0*w + ox*stride - pad
		r0 := src[at : at+3 : at+3]
		r1 := src[at+w : at+w+3 : at+w+3]
		r2 := src[at+2*w : at+2*w+3 : at+2*w+3]
		best, bi := r0[0], T(0)
		if r0[1] > best {
			best, bi = r0[1], 1
		}
		if r0[2] > best {
			best, bi = r0[2], 2
		}
		if r1[0] > best {
			best, bi = r1[0], 3
		}
		if r1[1] > best {
			best, bi = r1[1], 4
		}
		if r1[2] > best {
			best, bi = r1[2], 5
		}
		if r2[0] > best {
			best, bi = r2[0], 6
		}
		if r2[1] > best {
			best, bi = r2[1], 7
		}
		if r2[2] > best {
			best, bi = r2[2], 8
		}
		out[ox] = best
		if arg != nil {
			arg[ox] = bi
		}
	}
}

// maxPool3RowBytes is maxPool3Row for one-byte positions, stride-2 rows
// (ResNet's stem) through nn/gemm's vectorised MaxPool3Stride2, which
// makes the same comparisons; in evaluation (no positions kept) rows of
// up to 512 outputs put theirs in a buffer on the stack.
func maxPool3RowBytes(src, out []float32, arg []uint8, w, y0, xa, xb, stride, pad int) {
	if stride != 2 || xb <= xa || (arg == nil && xb-xa > 512) {
		maxPool3Row(src, out, arg, w, y0, xa, xb, stride, pad)
		return
	}
	var scratch [512]uint8
	pos := scratch[:xb-xa]
	if arg != nil {
		pos = arg[xa:xb]
	}
	at := y0*w + xa*stride - pad
	simdgemm.MaxPool3Stride2(out[xa:xb], pos, src[at:], src[at+w:], src[at+2*w:])
}

// maxPool2x2 is maxPoolPlanes for 2x2 windows with stride 2 and no padding,
// the CNN encoder's pooling, with the same first-maximum rule.
func maxPool2x2[T windowPos](x, y []float32, arg []T, lo, hi, h, w, oh, ow int) {
	for pl := lo; pl < hi; pl++ {
		src := x[pl*h*w:][:h*w]
		dst := y[pl*oh*ow:][:oh*ow]
		for oy := range oh {
			r0 := src[2*oy*w:][:2*ow]
			r1 := src[(2*oy+1)*w:][:2*ow]
			out := dst[oy*ow:][:ow]
			if arg == nil {
				for ox := range out {
					out[ox] = max(r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1])
				}
				continue
			}
			a := arg[pl*oh*ow+oy*ow:][:ow]
			for ox := range out {
				// Written so that the compiler selects with conditional
				// moves: the comparisons of random activations are
				// unpredictable branches. Ties keep the earlier element.
				// Window positions: 0 1 on the first row, 2 3 on the second.
				// The positions are ints until stored: x86 has no
				// conditional move of bytes, so uint8 selects would branch.
				v0, v1, v2, v3 := r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1]
				i01 := 0
				if v1 > v0 {
					i01 = 1
				}
				i23 := 2
				if v3 > v2 {
					i23 = 3
				}
				m01, m23 := max(v0, v1), max(v2, v3)
				at := i01
				if m23 > m01 {
					at = i23
				}
				out[ox], a[ox] = max(m01, m23), T(at)
			}
		}
	}
}

// Backward routes each output gradient to its window's maximum.
func (m *MaxPool2D) Backward(dy *Tensor) *Tensor {
	if m.xShape == nil {
		panic("nn: MaxPool2D: Backward without a training Forward")
	}
	if len(dy.Data) != len(m.y.Data) {
		panic(fmt.Sprintf("nn: MaxPool2D: gradient shape %v, output shape %v", dy.Shape, m.y.Shape))
	}
	dx := gradBuffer(&m.dx, m.dxSlot, true, m.xShape...)
	w := m.xShape[3]
	hw := m.xShape[2] * w
	ow := m.y.Shape[3]
	o := m.y.Shape[2] * ow
	parallelFor(len(dy.Data)/o, o, func(lo, hi int) {
		if m.k <= MaxPoolByteWindow {
			maxPoolRoute(m, dx.Data, dy.Data, m.arg8, lo, hi, hw, w, o, ow)
		} else {
			maxPoolRoute(m, dx.Data, dy.Data, m.arg16, lo, hi, hw, w, o, ow)
		}
	})
	return dx
}

// maxPoolRoute adds the output gradients dy of planes lo..hi-1 (o outputs,
// ow per row) to their windows' maxima in dx (hw inputs, w per row).
func maxPoolRoute[T windowPos](m *MaxPool2D, dx, dy []float32, arg []T, lo, hi, hw, w, o, ow int) {
	for pl := lo; pl < hi; pl++ {
		plane := dx[pl*hw:][:hw]
		a := arg[pl*o:][:o]
		for j, d := range dy[pl*o:][:o] {
			oy, ox := j/ow, j%ow
			r, c := int(a[j])/m.k, int(a[j])%m.k
			plane[(oy*m.stride-m.pad+r)*w+ox*m.stride-m.pad+c] += d
		}
	}
}

// Params returns nil.
func (m *MaxPool2D) Params() []*Param { return nil }

// Buffers returns nil.
func (m *MaxPool2D) Buffers() []*Buffer { return nil }

// AvgPool2D averages each k x k window; zero padding is counted in the
// divisor k² (PyTorch's AvgPool2d default count_include_pad=True).
type AvgPool2D struct {
	poolGeom
	y, dx  *Tensor
	xShape []int
	oh, ow int
	dxSlot *gradSlot // where dx lives when the encoder shares gradient storage
}

// NewAvgPool2D returns an average pooling layer.
func NewAvgPool2D(k, stride, pad int) Layer {
	return &AvgPool2D{poolGeom: newPoolGeom("AvgPool2D", k, stride, pad)}
}

// Forward pools x [N, C, H, W].
func (a *AvgPool2D) Forward(x *Tensor, train bool) *Tensor {
	n, c, h, w, oh, ow := a.outSize("AvgPool2D", x)
	y := output(&a.y, train, false, n, c, oh, ow)
	if train {
		a.xShape = append(a.xShape[:0], x.Shape...)
		a.oh, a.ow = oh, ow
		if a.dxSlot != nil {
			a.dxSlot.reserve(len(x.Data))
		}
	}
	inv := 1 / float32(a.k*a.k)
	parallelFor(n*c, h*w, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			src := x.Data[pl*h*w:][:h*w]
			dst := y.Data[pl*oh*ow:][:oh*ow]
			for oy := range oh {
				y0 := oy*a.stride - a.pad
				for ox := range ow {
					x0 := ox*a.stride - a.pad
					var s float32
					for iy := max(y0, 0); iy < min(y0+a.k, h); iy++ {
						for ix := max(x0, 0); ix < min(x0+a.k, w); ix++ {
							s += src[iy*w+ix]
						}
					}
					dst[oy*ow+ox] = s * inv
				}
			}
		}
	})
	return y
}

// Backward spreads each output gradient evenly over its window.
func (a *AvgPool2D) Backward(dy *Tensor) *Tensor {
	if a.xShape == nil {
		panic("nn: AvgPool2D: Backward without a training Forward")
	}
	h, w := a.xShape[2], a.xShape[3]
	oh, ow := a.oh, a.ow
	if len(dy.Data) != a.xShape[0]*a.xShape[1]*oh*ow {
		panic(fmt.Sprintf("nn: AvgPool2D: gradient shape %v does not match the output of input %v", dy.Shape, a.xShape))
	}
	dx := gradBuffer(&a.dx, a.dxSlot, true, a.xShape...)
	inv := 1 / float32(a.k*a.k)
	parallelFor(a.xShape[0]*a.xShape[1], h*w, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			dst := dx.Data[pl*h*w:][:h*w]
			src := dy.Data[pl*oh*ow:][:oh*ow]
			for oy := range oh {
				y0 := oy*a.stride - a.pad
				for ox := range ow {
					x0 := ox*a.stride - a.pad
					d := src[oy*ow+ox] * inv
					for iy := max(y0, 0); iy < min(y0+a.k, h); iy++ {
						for ix := max(x0, 0); ix < min(x0+a.k, w); ix++ {
							dst[iy*w+ix] += d
						}
					}
				}
			}
		}
	})
	return dx
}

// Params returns nil.
func (a *AvgPool2D) Params() []*Param { return nil }

// Buffers returns nil.
func (a *AvgPool2D) Buffers() []*Buffer { return nil }

// GlobalAvgPool averages every channel plane: [N, C, ...] -> [N, C].
type GlobalAvgPool struct {
	y, dx  *Tensor
	xShape []int
}

// NewGlobalAvgPool returns a global average pooling layer.
func NewGlobalAvgPool() Layer { return &GlobalAvgPool{} }

// Forward averages over all dimensions after the channel.
func (g *GlobalAvgPool) Forward(x *Tensor, train bool) *Tensor {
	if len(x.Shape) < 2 {
		panic(fmt.Sprintf("nn: GlobalAvgPool expects [N C ...], got %v", x.Shape))
	}
	n, c := x.Shape[0], x.Shape[1]
	s := ShapeSize(x.Shape[2:])
	y := output(&g.y, train, false, n, c)
	if train {
		g.xShape = append(g.xShape[:0], x.Shape...)
	}
	parallelFor(n*c, s, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			var sum float32
			for _, v := range x.Data[i*s:][:s] {
				sum += v
			}
			y.Data[i] = sum / float32(s)
		}
	})
	return y
}

// Backward spreads each gradient evenly over its plane.
func (g *GlobalAvgPool) Backward(dy *Tensor) *Tensor {
	if g.xShape == nil {
		panic("nn: GlobalAvgPool: Backward without a training Forward")
	}
	n, c := g.xShape[0], g.xShape[1]
	if len(dy.Data) != n*c {
		panic(fmt.Sprintf("nn: GlobalAvgPool: gradient shape %v, want [%d %d]", dy.Shape, n, c))
	}
	s := ShapeSize(g.xShape[2:])
	dx := ensure(&g.dx, false, g.xShape...)
	parallelFor(len(dy.Data), s, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v := dy.Data[i] / float32(s)
			plane := dx.Data[i*s:][:s]
			for j := range plane {
				plane[j] = v
			}
		}
	})
	return dx
}

// Params returns nil.
func (g *GlobalAvgPool) Params() []*Param { return nil }

// Buffers returns nil.
func (g *GlobalAvgPool) Buffers() []*Buffer { return nil }
