package nn

import "fmt"

// StagedEncoder is an Encoder whose forward pass can be run stage by stage,
// so that a cross-modal layer (MMTM) can rescale one stage's output before
// the next stage reads it. Enter, then Stage(0) ... Stage(Stages()-1), then
// Exit computes exactly what Forward computes; ExitBackward, then
// StageBackward(Stages()-1) ... StageBackward(0), then EnterBackward
// computes exactly what Backward computes. The layers are the encoder's
// own, with the same caching rules (see Layer): a training pass in stages
// must not be interleaved with another training pass of the same encoder.
type StagedEncoder interface {
	Encoder
	// Stages is the number of stages (the small CNN: one per block;
	// ResNet-18: layer1 with the stem, layer2, layer3, layer4).
	Stages() int
	// StageChannels is stage k's output channel count.
	StageChannels(k int) int
	// Enter folds a batch [N, ...] into per-frame images [N·T, C, H, W]
	// and returns them with T, the frames per sample.
	Enter(x *Tensor, train bool) (*Tensor, int)
	// Stage runs stage k on [N·T, C, H, W].
	Stage(k int, z *Tensor, train bool) *Tensor
	// Exit maps the last stage's output of samples with t frames each to
	// the features [N, OutDim].
	Exit(z *Tensor, t int, train bool) *Tensor
	// ExitBackward is Exit's backward pass.
	ExitBackward(dy *Tensor) *Tensor
	// StageBackward is stage k's backward pass.
	StageBackward(k int, dz *Tensor) *Tensor
	// EnterBackward reshapes the first stage's input gradient like the
	// last training input (nil after DropInputGrad).
	EnterBackward(dz *Tensor) *Tensor
}

// cnnStageBounds returns the Body.Layers index where each block starts,
// and the global pool's index as the end of the last block.
func (e *CNNEncoder) cnnStageBounds() []int {
	var b []int
	for i, l := range e.Body.Layers {
		if _, ok := l.(*Conv2D); ok {
			b = append(b, i)
		}
	}
	return append(b, len(e.Body.Layers)-1)
}

// Stages is the number of conv blocks.
func (e *CNNEncoder) Stages() int { return len(e.cnnStageBounds()) - 1 }

// StageChannels is block k's width.
func (e *CNNEncoder) StageChannels(k int) int {
	return e.Body.Layers[e.cnnStageBounds()[k]].(*Conv2D).W.Value.Shape[0]
}

// Enter reshapes [N, ...] to [N·T, C, H, W].
func (e *CNNEncoder) Enter(x *Tensor, train bool) (*Tensor, int) {
	if per := ShapeSize(e.shape); x.RowLen() != per {
		panic(fmt.Sprintf("nn: CNN encoder expects samples of shape %v, got batch %v", e.shape, x.Shape))
	}
	if train {
		e.xShape = append(e.xShape[:0], x.Shape...)
	}
	return x.Reshape(x.Rows()*e.frames.t, e.c, e.h, e.w), e.frames.t
}

// Stage runs block k: its convolution, batch norm with ReLU and pooling.
func (e *CNNEncoder) Stage(k int, z *Tensor, train bool) *Tensor {
	b := e.cnnStageBounds()
	for _, l := range e.Body.Layers[b[k]:b[k+1]] {
		z = l.Forward(z, train)
	}
	return z
}

// StageBackward runs block k backward.
func (e *CNNEncoder) StageBackward(k int, dz *Tensor) *Tensor {
	b := e.cnnStageBounds()
	for i := b[k+1] - 1; i >= b[k]; i-- {
		dz = e.Body.Layers[i].Backward(dz)
	}
	return dz
}

// Exit applies the global average pool, the frame mean and the optional
// Linear + ReLU.
func (e *CNNEncoder) Exit(z *Tensor, t int, train bool) *Tensor {
	if t != e.frames.t {
		panic(fmt.Sprintf("nn: CNN encoder built for %d frames, got %d", e.frames.t, t))
	}
	z = e.frames.forward(e.Body.Layers[len(e.Body.Layers)-1].Forward(z, train), train)
	if e.FC != nil {
		z = e.relu.Forward(e.FC.Forward(z, train), train)
	}
	return z
}

// ExitBackward is Exit's backward pass.
func (e *CNNEncoder) ExitBackward(dy *Tensor) *Tensor {
	if e.FC != nil {
		dy = e.FC.Backward(e.relu.Backward(dy))
	}
	return e.Body.Layers[len(e.Body.Layers)-1].Backward(e.frames.backward(dy))
}

// EnterBackward reshapes the input gradient like the last training input
// (nil after DropInputGrad).
func (e *CNNEncoder) EnterBackward(dz *Tensor) *Tensor {
	if dz == nil {
		return nil
	}
	return dz.Reshape(e.xShape...)
}

// Stages is 4: layer1 (with the stem), layer2, layer3, layer4.
func (r *ResNet18) Stages() int { return 4 }

// StageChannels is 64, 128, 256, 512 for stages 0 to 3.
func (r *ResNet18) StageChannels(k int) int { return 64 << k }

// Enter reshapes [N, C, H, W] or [N, T, C, H, W] to [N·T, C, H, W].
func (r *ResNet18) Enter(x *Tensor, train bool) (*Tensor, int) {
	t := 1
	switch {
	case len(x.Shape) == 4 && x.Shape[1] == r.inC:
	case len(x.Shape) == 5 && x.Shape[2] == r.inC:
		t = x.Shape[1]
	default:
		panic(fmt.Sprintf("nn: ResNet18 expects [N %d H W] or [N T %d H W], got %v", r.inC, r.inC, x.Shape))
	}
	if train {
		r.xShape = append(r.xShape[:0], x.Shape...)
	}
	s := len(x.Shape)
	return x.Reshape(x.Shape[0]*t, r.inC, x.Shape[s-2], x.Shape[s-1]), t
}

// Stage runs stage k: the stem (for k = 0) and the two blocks of layer k+1.
func (r *ResNet18) Stage(k int, z *Tensor, train bool) *Tensor {
	if k == 0 {
		z = r.Stem.Forward(z, train)
	}
	for _, b := range r.Blocks[2*k : 2*k+2] {
		z = b.Forward(z, train)
	}
	return z
}

// StageBackward runs stage k backward.
func (r *ResNet18) StageBackward(k int, dz *Tensor) *Tensor {
	for i := 2*k + 1; i >= 2*k; i-- {
		dz = r.Blocks[i].Backward(dz)
	}
	if k == 0 {
		dz = r.Stem.Backward(dz)
	}
	return dz
}

// Exit applies the global average pool and the frame mean.
func (r *ResNet18) Exit(z *Tensor, t int, train bool) *Tensor {
	z = r.Pool.Forward(z, train)
	if train {
		r.frames.t = t
		return r.frames.forward(z, train)
	}
	f := frameMean{t: t}
	return f.forward(z, false)
}

// ExitBackward is Exit's backward pass.
func (r *ResNet18) ExitBackward(dy *Tensor) *Tensor { return r.Pool.Backward(r.frames.backward(dy)) }

// EnterBackward reshapes the input gradient like the last training input
// (nil after DropInputGrad).
func (r *ResNet18) EnterBackward(dz *Tensor) *Tensor {
	if dz == nil {
		return nil
	}
	return dz.Reshape(r.xShape...)
}
