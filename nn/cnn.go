package nn

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// CNNEncoder is the small convolutional family for fast runs: blocks of
// conv3x3 (padding 1, no bias, a per-block stride) + BatchNorm + ReLU (one
// fused layer in Body) + an optional per-block pooling (max or average,
// window = stride), then a global average pool, the mean over frames, and
// optionally Linear + ReLU.
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

// CNN block poolings: CNNBlock.Pool is one of these.
const (
	PoolMax  = "max"  // max over non-overlapping PoolSize x PoolSize windows
	PoolAvg  = "avg"  // average over non-overlapping PoolSize x PoolSize windows
	PoolNone = "none" // no pooling after the block
)

// CNNBlock configures one block of the CNN encoder.
type CNNBlock struct {
	Width    int    // output channels of the 3x3 convolution
	Stride   int    // the convolution's stride (padding is 1)
	Pool     string // PoolMax, PoolAvg or PoolNone
	PoolSize int    // the pooling's window and stride (ignored for PoolNone)
}

// DefaultCNNBlocks is the classic configuration: one block per width with a
// stride-1 convolution followed by 2x2 max pooling.
func DefaultCNNBlocks(widths []int) []CNNBlock {
	bs := make([]CNNBlock, len(widths))
	for i, w := range widths {
		bs[i] = CNNBlock{Width: w, Stride: 1, Pool: PoolMax, PoolSize: 2}
	}
	return bs
}

// ParseCNNPool reads a block pooling written as "max<k>", "avg<k>" (k >= 1,
// e.g. "max2", "avg4") or "none".
func ParseCNNPool(s string) (kind string, size int, err error) {
	if s == PoolNone {
		return PoolNone, 0, nil
	}
	for _, k := range []string{PoolMax, PoolAvg} {
		if rest, ok := strings.CutPrefix(s, k); ok {
			n, err := strconv.Atoi(rest)
			if err != nil || n < 1 || strconv.Itoa(n) != rest {
				return "", 0, fmt.Errorf("pooling %q: want %s<k> with a window k >= 1, e.g. %s2", s, k, k)
			}
			return k, n, nil
		}
	}
	return "", 0, fmt.Errorf("pooling %q: want max<k>, avg<k> or none", s)
}

// CNNBlocks builds the block list of a CNN encoder from one width per block,
// optional strides (nil: all 1; otherwise one per width) and optional
// poolings in ParseCNNPool's notation (nil: all max2; otherwise one per
// width). It reports malformed or mismatched entries.
func CNNBlocks(widths, strides []int, pools []string) ([]CNNBlock, error) {
	bs := DefaultCNNBlocks(widths)
	if strides != nil && len(strides) != len(widths) {
		return nil, fmt.Errorf("%d strides for %d blocks (widths)", len(strides), len(widths))
	}
	if pools != nil && len(pools) != len(widths) {
		return nil, fmt.Errorf("%d pools for %d blocks (widths)", len(pools), len(widths))
	}
	for i, s := range strides {
		if s < 1 {
			return nil, fmt.Errorf("block %d: stride %d, want at least 1", i, s)
		}
		bs[i].Stride = s
	}
	for i, p := range pools {
		kind, size, err := ParseCNNPool(p)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", i, err)
		}
		bs[i].Pool, bs[i].PoolSize = kind, size
	}
	return bs, nil
}

// NewCNNEncoder returns a small CNN for inputs of per-sample shape inShape,
// [C, H, W] or [T, C, H, W] (T frames folded into the batch and their
// features averaged), with DefaultCNNBlocks(widths): each block halves the
// height and width. With out > 0 a Linear + ReLU maps the pooled features
// to out; otherwise the feature width is the last entry of widths.
// It panics when CheckCNNEncoder reports an error.
func NewCNNEncoder(name string, inShape []int, widths []int, out int, rng *rand.Rand) Encoder {
	if err := CheckCNNEncoder(inShape, widths); err != nil {
		panic(fmt.Sprintf("nn: CNN encoder %q: %v", name, err))
	}
	return NewCNNEncoderBlocks(name, inShape, DefaultCNNBlocks(widths), out, rng)
}

// NewCNNEncoderBlocks is NewCNNEncoder with every block's stride and pooling
// given. It panics when CheckCNNBlocks reports an error.
func NewCNNEncoderBlocks(name string, inShape []int, blocks []CNNBlock, out int, rng *rand.Rand) Encoder {
	if err := CheckCNNBlocks(inShape, blocks); err != nil {
		panic(fmt.Sprintf("nn: CNN encoder %q: %v", name, err))
	}
	e := &CNNEncoder{Body: NewSequential(), relu: NewReLU(), shape: append([]int(nil), inShape...), frames: frameMean{t: 1}}
	s := inShape
	if len(s) == 4 {
		e.frames.t = s[0]
		s = s[1:]
	}
	e.c, e.h, e.w = s[0], s[1], s[2]
	c := e.c
	for i, blk := range blocks {
		// Batch norm with its ReLU fused overwrites the convolution's
		// output and the pooling's input gradient, intermediate results
		// nobody else reads.
		e.Body.Layers = append(e.Body.Layers,
			NewConv2D(prefixed(name, fmt.Sprintf("conv%d", i)), c, blk.Width, 3, 3, blk.Stride, 1, false, rng),
			newBatchNormReLU(prefixed(name, fmt.Sprintf("bn%d", i)), blk.Width))
		switch blk.Pool {
		case PoolMax:
			e.Body.Layers = append(e.Body.Layers, NewMaxPool2D(blk.PoolSize, blk.PoolSize, 0))
		case PoolAvg:
			e.Body.Layers = append(e.Body.Layers, NewAvgPool2D(blk.PoolSize, blk.PoolSize, 0))
		}
		c = blk.Width
	}
	e.Body.Layers = append(e.Body.Layers, NewGlobalAvgPool())
	e.shareGradients()
	e.out = c
	if out > 0 {
		e.FC = NewLinear(prefixed(name, "fc"), c, out, rng)
		e.out = out
	}
	return e
}

// shareGradients lets the pooling and convolution gradients of the body
// alternate between two shared buffers, assigned in backward order: each
// layer writes into the slot that does not hold the gradient it reads
// (batch norm and ReLU work in place). The global pool's gradient and the
// first convolution's, which Backward returns, keep their own buffers.
func (e *CNNEncoder) shareGradients() {
	slots := []*gradSlot{{}, {}}
	var g *gradSlot
	for i := len(e.Body.Layers) - 2; i > 0; i-- {
		switch l := e.Body.Layers[i].(type) {
		case *Conv2D:
			g = otherSlot(slots, g)
			l.dxSlot = g
		case *MaxPool2D:
			g = otherSlot(slots, g)
			l.dxSlot = g
		case *AvgPool2D:
			g = otherSlot(slots, g)
			l.dxSlot = g
		}
	}
	// A convolution followed (after its fused batch norm) by a pooling has
	// an output that is dead once pooled: give it the storage of the
	// pooling's input gradient, of the same size, which Backward fills
	// only after the forward pass is over.
	for i, l := range e.Body.Layers {
		conv, ok := l.(*Conv2D)
		if !ok || i+2 >= len(e.Body.Layers) {
			continue
		}
		switch p := e.Body.Layers[i+2].(type) {
		case *MaxPool2D:
			conv.ySlot = p.dxSlot
		case *AvgPool2D:
			conv.ySlot = p.dxSlot
		}
	}
}

// CheckCNNEncoder reports whether NewCNNEncoder accepts a per-sample input
// shape and block widths: the shape must be [C H W] or [T C H W] with
// positive sizes, there must be at least one positive width, and the height
// and width must stay at least 1 after each block's halving.
func CheckCNNEncoder(inShape []int, widths []int) error {
	return CheckCNNBlocks(inShape, DefaultCNNBlocks(widths))
}

// CheckCNNBlocks reports whether NewCNNEncoderBlocks accepts a per-sample
// input shape and blocks: the shape must be [C H W] or [T C H W] with
// positive sizes, there must be at least one block, every width and stride
// positive, every pooling known, and each pooling window must fit in its
// block's output.
func CheckCNNBlocks(inShape []int, blocks []CNNBlock) error {
	if len(inShape) != 3 && len(inShape) != 4 {
		return fmt.Errorf("input shape %v is neither [C H W] nor [T C H W]", inShape)
	}
	for _, d := range inShape {
		if d < 1 {
			return fmt.Errorf("input shape %v has a dimension below 1", inShape)
		}
	}
	if len(blocks) == 0 {
		return fmt.Errorf("no block widths")
	}
	h, w := inShape[len(inShape)-2], inShape[len(inShape)-1]
	for i, b := range blocks {
		if b.Width < 1 {
			return fmt.Errorf("block %d has width %d", i, b.Width)
		}
		if b.Stride < 1 {
			return fmt.Errorf("block %d has stride %d", i, b.Stride)
		}
		// A 3x3 convolution with padding 1.
		h, w = (h-1)/b.Stride+1, (w-1)/b.Stride+1
		switch b.Pool {
		case PoolNone:
		case PoolMax, PoolAvg:
			if b.PoolSize < 1 || b.PoolSize > MaxPoolMaxWindow {
				return fmt.Errorf("block %d: %s pooling window %d, want 1 to %d", i, b.Pool, b.PoolSize, MaxPoolMaxWindow)
			}
			if h < b.PoolSize || w < b.PoolSize {
				return fmt.Errorf("input %dx%d is too small for block %d: its %s%d pooling would see %dx%d", inShape[len(inShape)-2], inShape[len(inShape)-1], i, b.Pool, b.PoolSize, h, w)
			}
			h, w = h/b.PoolSize, w/b.PoolSize
		default:
			return fmt.Errorf("block %d: unknown pooling %q (valid: %s, %s, %s)", i, b.Pool, PoolMax, PoolAvg, PoolNone)
		}
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

// Backward returns the gradient with respect to the input, shaped like it
// (nil after DropInputGrad).
func (e *CNNEncoder) Backward(dy *Tensor) *Tensor {
	if e.FC != nil {
		dy = e.FC.Backward(e.relu.Backward(dy))
	}
	dx := e.Body.Backward(e.frames.backward(dy))
	if dx == nil {
		return nil
	}
	return dx.Reshape(e.xShape...)
}

// DropInputGrad stops Backward computing the input gradient (the first
// convolution's dx).
func (e *CNNEncoder) DropInputGrad() { e.Body.Layers[0].(*Conv2D).NoInputGrad = true }

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
