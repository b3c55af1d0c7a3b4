package nn

import (
	"fmt"
	"math/rand/v2"

	simdgemm "github.com/miebench/miebench/nn/gemm"
)

// BasicBlock is ResNet's two-convolution residual block:
// relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), where the shortcut is
// the identity or, when the stride or width changes, a 1x1 convolution with
// batch normalisation (downsample.0 and downsample.1, torchvision's names).
type BasicBlock struct {
	Conv1, Conv2 *Conv2D
	BN1, BN2     *BatchNorm
	DownConv     *Conv2D    // nil for the identity shortcut
	DownBN       *BatchNorm // nil for the identity shortcut
	relu2        *ReLU      // after the residual add; bn1's ReLU is fused into BN1
}

// NewBasicBlock returns a block from inC to outC channels whose first
// convolution has the given stride.
func NewBasicBlock(name string, inC, outC, stride int, rng *rand.Rand) *BasicBlock {
	b := &BasicBlock{
		Conv1: NewConv2D(name+".conv1", inC, outC, 3, 3, stride, 1, false, rng),
		BN1:   newBatchNormReLU(name+".bn1", outC),
		Conv2: NewConv2D(name+".conv2", outC, outC, 3, 3, 1, 1, false, rng),
		BN2:   NewBatchNorm2D(name+".bn2", outC),
		// Inner results are overwritten in place: the batch norms and
		// ReLUs write over the convolution outputs, and the first branch's
		// gradients over the second convolution's (BN1 with its ReLU
		// fused). relu2 and bn2 keep their incoming gradient, which the
		// shortcut still needs.
		relu2: newInPlaceReLU(inPlace{forward: true}),
	}
	b.BN2.mode = inPlace{forward: true}
	if stride != 1 || inC != outC {
		b.DownConv = NewConv2D(name+".downsample.0", inC, outC, 1, 1, stride, 0, false, rng)
		b.DownBN = NewBatchNorm2D(name+".downsample.1", outC)
		b.DownBN.mode = inPlace{forward: true, backward: true} // runs after the main branch
	}
	return b
}

// shareGradients puts the block's inner gradients into slots, given the
// slot holding the gradient its Backward receives (nil: a buffer of
// another layer), and returns the slot of the gradient it returns.
//
// In Backward, relu2's gradient d lives until the shortcut has used it, so
// it takes a slot other than the incoming one; bn2's and then conv1's
// gradients take a second slot (bn2's is dead once conv2 has used it; the
// incoming gradient is dead once relu2 has used it, so this may be its
// slot), and conv2's and then the shortcut convolution's a third.
func (b *BasicBlock) shareGradients(slots []*gradSlot, in *gradSlot) *gradSlot {
	d := otherSlot(slots, in)
	x1 := otherSlot(slots, d)
	x2 := otherSlot(slots, d, x1)
	b.relu2.dxSlot = d
	b.BN2.dxSlot, b.Conv1.dxSlot = x1, x1
	b.Conv2.dxSlot = x2
	if b.DownConv != nil {
		b.DownConv.dxSlot = x2
	}
	return x1
}

// shareShortcutOutput puts the shortcut convolution's output, dead once it
// has been added to the main branch (its batch norm keeps x̂ for
// Backward), into slot, which only holds gradients during Backward.
func (b *BasicBlock) shareShortcutOutput(slot *gradSlot) {
	if b.DownConv != nil {
		b.DownConv.ySlot = slot
	}
}

// Forward computes the block's output for x [N, inC, H, W].
func (b *BasicBlock) Forward(x *Tensor, train bool) *Tensor {
	main := b.BN2.Forward(b.Conv2.Forward(b.BN1.Forward(b.Conv1.Forward(x, train), train), train), train)
	short := x
	if b.DownConv != nil {
		short = b.DownBN.Forward(b.DownConv.Forward(x, train), train)
	}
	if !SameShape(main, short) {
		panic(fmt.Sprintf("nn: BasicBlock %s: residual shape %v and shortcut shape %v differ", b.Conv1.W.Name, main.Shape, short.Shape))
	}
	// main is the second convolution's output buffer (or a fresh tensor in
	// evaluation), which nothing reads any more: add the shortcut in place.
	parallelAxpy(short, main)
	return b.relu2.Forward(main, train)
}

// Backward returns the gradient with respect to the block's input, the sum
// of the residual branch's and the shortcut's.
func (b *BasicBlock) Backward(dy *Tensor) *Tensor {
	d := b.relu2.Backward(dy)
	dmain := b.Conv1.Backward(b.BN1.Backward(b.Conv2.Backward(b.BN2.Backward(d))))
	dshort := d
	if b.DownConv != nil {
		dshort = b.DownConv.Backward(b.DownBN.Backward(d))
	}
	// dmain is the first convolution's gradient buffer (its own, or the
	// slot shareGradients gave it), which nothing else reads.
	parallelAxpy(dshort, dmain)
	return dmain
}

// parallelAxpy adds x to y (Axpy with alpha 1) in parallel over ranges of
// elements; each element's sum is the same whatever the split.
func parallelAxpy(x, y *Tensor) {
	if len(x.Data) != len(y.Data) {
		panic(fmt.Sprintf("nn: BasicBlock: residual lengths %d and %d differ", len(x.Data), len(y.Data)))
	}
	parallelFor(len(x.Data), 1, func(lo, hi int) { simdgemm.Axpy(1, x.Data[lo:hi], y.Data[lo:hi]) })
}

// Params returns conv1, bn1, conv2, bn2 and the downsample's parameters.
func (b *BasicBlock) Params() []*Param {
	ps := append(append(append(b.Conv1.Params(), b.BN1.Params()...), b.Conv2.Params()...), b.BN2.Params()...)
	if b.DownConv != nil {
		ps = append(append(ps, b.DownConv.Params()...), b.DownBN.Params()...)
	}
	return ps
}

// Buffers returns the batch-norm running statistics.
func (b *BasicBlock) Buffers() []*Buffer {
	bs := append(b.BN1.Buffers(), b.BN2.Buffers()...)
	if b.DownBN != nil {
		bs = append(bs, b.DownBN.Buffers()...)
	}
	return bs
}

// ResNet18 is the encoder of the audio-visual papers: a 7x7 stride-2
// convolution, batch norm, ReLU and 3x3 stride-2 max pool, four stages of
// two BasicBlocks (64, 128, 256, 512 channels, stages 2-4 halving the
// resolution), and an average over frames, height and width to 512
// features. Parameters carry torchvision's names after the prefix.
type ResNet18 struct {
	Stem   *Sequential // conv1, bn1 (with the ReLU fused), maxpool
	Blocks []*BasicBlock
	Pool   Layer // global average pool over height and width
	frames frameMean
	xShape []int
	inC    int
}

// NewResNet18 returns a ResNet-18 encoder for inChannels input channels
// (1 for spectrograms, 3 for frames).
func NewResNet18(name string, inChannels int, rng *rand.Rand) Encoder {
	r := &ResNet18{
		Stem: NewSequential(
			NewConv2D(prefixed(name, "conv1"), inChannels, 64, 7, 7, 2, 3, false, rng),
			newBatchNormReLU(prefixed(name, "bn1"), 64), // with the stem's ReLU fused
			NewMaxPool2D(3, 2, 1)),
		Pool: NewGlobalAvgPool(),
		inC:  inChannels,
	}
	in := 64
	for stage, width := range []int{64, 128, 256, 512} {
		stride := 1
		if stage > 0 {
			stride = 2
		}
		for i := range 2 {
			blk := NewBasicBlock(prefixed(name, fmt.Sprintf("layer%d.%d", stage+1, i)), in, width, stride, rng)
			r.Blocks = append(r.Blocks, blk)
			in, stride = width, 1
		}
	}
	// The blocks share three gradient buffers, assigned in backward order
	// (the last block receives the global pool's own gradient buffer).
	slots := []*gradSlot{{}, {}, {}}
	var g *gradSlot
	for i := len(r.Blocks) - 1; i >= 0; i-- {
		g = r.Blocks[i].shareGradients(slots, g)
	}
	// The stem's convolution output is dead once pooled (the fused batch
	// norm keeps x̂), so its storage doubles as the pooling's input
	// gradient, of the same size; the shortcut outputs take a block slot.
	// Until the pooling's Backward that storage holds nothing live, so two
	// of the block slots are parts of it (at the batch-64 CREMA-D shapes
	// 2 x 12.8 M floats of the stem's 51 M, 100 MB per encoder): all but
	// the one block 0's Backward returns, which the pooling reads. The
	// first convolution's input gradient, which Backward returns, takes
	// that one too (dead once the pooling has read it).
	stemConv := r.Stem.Layers[0].(*Conv2D)
	stemOut := &gradSlot{}
	stemConv.ySlot = stemOut
	r.Stem.Layers[2].(*MaxPool2D).dxSlot = stemOut
	stemConv.dxSlot = g
	for _, s := range slots {
		if s != g {
			s.in = stemOut
			stemOut.parts = append(stemOut.parts, s)
		}
	}
	for _, b := range r.Blocks {
		b.shareShortcutOutput(slots[1])
	}
	return r
}

// Forward maps [N, C, H, W] or [N, T, C, H, W] to [N, 512].
func (r *ResNet18) Forward(x *Tensor, train bool) *Tensor {
	t := 1
	switch {
	case len(x.Shape) == 4 && x.Shape[1] == r.inC:
	case len(x.Shape) == 5 && x.Shape[2] == r.inC:
		t = x.Shape[1]
	default:
		panic(fmt.Sprintf("nn: ResNet18 expects [N %d H W] or [N T %d H W], got %v", r.inC, r.inC, x.Shape))
	}
	s := len(x.Shape)
	z := r.Stem.Forward(x.Reshape(x.Shape[0]*t, r.inC, x.Shape[s-2], x.Shape[s-1]), train)
	for _, b := range r.Blocks {
		z = b.Forward(z, train)
	}
	z = r.Pool.Forward(z, train)
	if train {
		r.frames.t = t
		r.xShape = append(r.xShape[:0], x.Shape...)
		return r.frames.forward(z, train)
	}
	f := frameMean{t: t}
	return f.forward(z, false)
}

// Backward returns the gradient with respect to the input, shaped like it
// (nil after DropInputGrad).
func (r *ResNet18) Backward(dy *Tensor) *Tensor {
	d := r.Pool.Backward(r.frames.backward(dy))
	for i := len(r.Blocks) - 1; i >= 0; i-- {
		d = r.Blocks[i].Backward(d)
	}
	dx := r.Stem.Backward(d)
	if dx == nil {
		return nil
	}
	return dx.Reshape(r.xShape...)
}

// DropInputGrad stops Backward computing the input gradient (the stem
// convolution's dx).
func (r *ResNet18) DropInputGrad() { r.Stem.Layers[0].(*Conv2D).NoInputGrad = true }

// Params returns every parameter in torchvision's order.
func (r *ResNet18) Params() []*Param {
	ps := r.Stem.Params()
	for _, b := range r.Blocks {
		ps = append(ps, b.Params()...)
	}
	return ps
}

// Buffers returns every batch-norm running statistic.
func (r *ResNet18) Buffers() []*Buffer {
	bs := r.Stem.Buffers()
	for _, b := range r.Blocks {
		bs = append(bs, b.Buffers()...)
	}
	return bs
}

// OutDim is 512.
func (r *ResNet18) OutDim() int { return 512 }
