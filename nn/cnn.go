package nn

import (
	"fmt"
	"math/rand/v2"
)

// CNNEncoder is the small convolutional family for fast runs: per width a
// block conv3x3 (padding 1, no bias) + BatchNorm + ReLU + 2x2 max pool, then
// a global average pool, the mean over frames, and optionally Linear + ReLU.
// Layers are named conv<i>, bn<i> (i from 0) and fc after the prefix.
type CNNEncoder struct {
	Body   *Sequential // the blocks and the global average pool
	FC     *Linear     // nil when the feature is the last block's width
	relu   Layer
	frames frameMean
	shape  []int // per-sample input shape [C, H, W] or [T, C, H, W]
	c, h   int
	w, out int
	xShape []int
}

// NewCNNEncoder returns a small CNN for inputs of per-sample shape inShape,
// [C, H, W] or [T, C, H, W] (T frames folded into the batch and their
// features averaged). With out > 0 a Linear + ReLU maps the pooled features
// to out; otherwise the feature width is the last entry of widths. Each
// block halves the height and width, so they must stay at least 1.
// It panics when CheckCNNEncoder reports an error.
func NewCNNEncoder(name string, inShape []int, widths []int, out int, rng *rand.Rand) Encoder {
	if err := CheckCNNEncoder(inShape, widths); err != nil {
		panic(fmt.Sprintf("nn: CNN encoder %q: %v", name, err))
	}
	e := &CNNEncoder{Body: NewSequential(), relu: NewReLU(), shape: append([]int(nil), inShape...), frames: frameMean{t: 1}}
	s := inShape
	if len(s) == 4 {
		e.frames.t = s[0]
		s = s[1:]
	}
	e.c, e.h, e.w = s[0], s[1], s[2]
	c, h, w := e.c, e.h, e.w
	for i, width := range widths {
		// Batch norm and ReLU overwrite the convolution's output and the
		// pooling's input gradient, intermediate results nobody else reads.
		bn := NewBatchNorm2D(prefixed(name, fmt.Sprintf("bn%d", i)), width)
		bn.mode = inPlace{forward: true, backward: true}
		e.Body.Layers = append(e.Body.Layers,
			NewConv2D(prefixed(name, fmt.Sprintf("conv%d", i)), c, width, 3, 3, 1, 1, false, rng),
			bn,
			newInPlaceReLU(inPlace{forward: true, backward: true}),
			NewMaxPool2D(2, 2, 0))
		c, h, w = width, h/2, w/2
	}
	e.Body.Layers = append(e.Body.Layers, NewGlobalAvgPool())
	e.out = c
	if out > 0 {
		e.FC = NewLinear(prefixed(name, "fc"), c, out, rng)
		e.out = out
	}
	return e
}

// CheckCNNEncoder reports whether NewCNNEncoder accepts a per-sample input
// shape and block widths: the shape must be [C H W] or [T C H W] with
// positive sizes, there must be at least one positive width, and the height
// and width must stay at least 1 after each block's halving.
func CheckCNNEncoder(inShape []int, widths []int) error {
	if len(inShape) != 3 && len(inShape) != 4 {
		return fmt.Errorf("input shape %v is neither [C H W] nor [T C H W]", inShape)
	}
	for _, d := range inShape {
		if d < 1 {
			return fmt.Errorf("input shape %v has a dimension below 1", inShape)
		}
	}
	if len(widths) == 0 {
		return fmt.Errorf("no block widths")
	}
	h, w := inShape[len(inShape)-2], inShape[len(inShape)-1]
	for i, width := range widths {
		if width < 1 {
			return fmt.Errorf("block %d has width %d", i, width)
		}
		if h < 2 || w < 2 {
			return fmt.Errorf("input %dx%d is too small for %d 2x2 pooling blocks (block %d would see %dx%d)", inShape[len(inShape)-2], inShape[len(inShape)-1], len(widths), i, h, w)
		}
		h, w = h/2, w/2
	}
	return nil
}

// Forward maps a batch [N, ...] with the per-sample shape given at
// construction (or that many elements per sample) to [N, OutDim].
func (e *CNNEncoder) Forward(x *Tensor, train bool) *Tensor {
	per := ShapeSize(e.shape)
	if x.RowLen() != per {
		panic(fmt.Sprintf("nn: CNN encoder expects samples of shape %v, got batch %v", e.shape, x.Shape))
	}
	if train {
		e.xShape = append(e.xShape[:0], x.Shape...)
	}
	z := e.Body.Forward(x.Reshape(x.Rows()*e.frames.t, e.c, e.h, e.w), train)
	z = e.frames.forward(z, train)
	if e.FC != nil {
		z = e.relu.Forward(e.FC.Forward(z, train), train)
	}
	return z
}

// Backward returns the gradient with respect to the input, shaped like it.
func (e *CNNEncoder) Backward(dy *Tensor) *Tensor {
	if e.FC != nil {
		dy = e.FC.Backward(e.relu.Backward(dy))
	}
	return e.Body.Backward(e.frames.backward(dy)).Reshape(e.xShape...)
}

// Params returns the convolution and batch-norm parameters, then the fc's.
func (e *CNNEncoder) Params() []*Param {
	ps := e.Body.Params()
	if e.FC != nil {
		ps = append(ps, e.FC.Params()...)
	}
	return ps
}

// Buffers returns the batch-norm running statistics.
func (e *CNNEncoder) Buffers() []*Buffer { return e.Body.Buffers() }

// OutDim is the feature width.
func (e *CNNEncoder) OutDim() int { return e.out }
