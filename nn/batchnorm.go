package nn

import (
	"fmt"
	"math"

	simdgemm "github.com/miebench/miebench/nn/gemm"
)

// BatchNorm normalises each channel of [N, C] (1-d) or [N, C, H, W] (2-d)
// batches as PyTorch's BatchNorm1d/2d: in training mode with the batch mean
// and biased variance, updating running statistics with momentum 0.1
// (running = 0.9·running + 0.1·batch, the variance unbiased by M/(M-1) for
// M values per channel); in evaluation mode with the running statistics.
type BatchNorm struct {
	Gamma, Beta             *Param  // named name+".weight", name+".bias"
	RunningMean, RunningVar *Buffer // name+".running_mean", name+".running_var"
	Momentum, Eps           float64
	C                       int

	xhat, y, dx *Tensor
	invStd      []float64
	ok          bool
	mode        inPlace
	dxSlot      *gradSlot // where dx lives when the encoder shares gradient storage

	// fuseReLU applies ReLU to the output in the same pass (encoders set
	// it, with both passes in place, for batch norm followed by ReLU); the
	// result bits are those of the two layers one after the other. Backward
	// recomputes the ReLU's mask from x̂, so the output need not outlive
	// the layer that consumes it.
	fuseReLU bool
}

// NewBatchNorm2D returns batch normalisation over the channels of [N, C, H, W].
func NewBatchNorm2D(name string, c int) *BatchNorm { return newBatchNorm(name, c) }

// NewBatchNorm1D returns batch normalisation over the features of [N, C].
func NewBatchNorm1D(name string, c int) *BatchNorm { return newBatchNorm(name, c) }

func newBatchNorm(name string, c int) *BatchNorm {
	b := &BatchNorm{
		Gamma:       NewParam(name+".weight", c),
		Beta:        NewParam(name+".bias", c),
		RunningMean: &Buffer{Name: name + ".running_mean", Value: NewTensor(c)},
		RunningVar:  &Buffer{Name: name + ".running_var", Value: NewTensor(c)},
		Momentum:    0.1,
		Eps:         1e-5,
		C:           c,
		invStd:      make([]float64, c),
	}
	Fill(b.Gamma.Value, 1)
	Fill(b.RunningVar.Value, 1)
	return b
}

// newBatchNormReLU returns batch normalisation followed by ReLU in one
// layer whose passes overwrite their arguments, for the encoders.
func newBatchNormReLU(name string, c int) *BatchNorm {
	b := newBatchNorm(name, c)
	b.mode = inPlace{forward: true, backward: true}
	b.fuseReLU = true
	return b
}

// dims checks x and returns the batch size and the per-channel plane size.
func (b *BatchNorm) dims(x *Tensor) (n, s int) {
	if len(x.Shape) < 2 || x.Shape[1] != b.C {
		panic(fmt.Sprintf("nn: BatchNorm %s expects [N %d ...], got %v", b.Gamma.Name, b.C, x.Shape))
	}
	return x.Shape[0], ShapeSize(x.Shape[2:])
}

// Forward normalises x.
func (b *BatchNorm) Forward(x *Tensor, train bool) *Tensor {
	n, s := b.dims(x)
	y := x
	if !b.mode.forward {
		y = output(&b.y, train, false, x.Shape...)
	}
	gamma, beta := b.Gamma.Value.Data, b.Beta.Value.Data
	if !train {
		rm, rv := b.RunningMean.Value.Data, b.RunningVar.Value.Data
		parallelFor(b.C, n*s, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				inv := 1 / math.Sqrt(float64(rv[c])+b.Eps)
				scale := float32(float64(gamma[c]) * inv)
				shift := float32(float64(beta[c]) - float64(rm[c])*float64(gamma[c])*inv)
				for i := range n {
					off := (i*b.C + c) * s
					xs := x.Data[off : off+s]
					ys := y.Data[off:][:len(xs)]
					if b.fuseReLU {
						for j, v := range xs {
							ys[j] = reluValue(v*scale + shift)
						}
						continue
					}
					for j, v := range xs {
						ys[j] = v*scale + shift
					}
				}
			}
		})
		return y
	}
	m := n * s
	if m < 2 {
		panic(fmt.Sprintf("nn: BatchNorm %s: training needs more than one value per channel, input %v", b.Gamma.Name, x.Shape))
	}
	xhat := ensure(&b.xhat, false, x.Shape...)
	if b.dxSlot != nil && !b.mode.backward {
		b.dxSlot.reserve(len(x.Data))
	}
	mom := b.Momentum
	parallelFor(b.C, m, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			b.trainChannel(c, x, xhat, y, n, s, mom)
		}
	})
	b.ok = true
	return y
}

// trainChannel normalises channel c with its batch statistics and updates
// its running statistics. The sums run plane by plane in sample order, each
// plane's in float64 (nn/gemm's Sum64 and SumSqDev64).
func (b *BatchNorm) trainChannel(c int, x, xhat, y *Tensor, n, s int, mom float64) {
	m := n * s
	gamma, beta := b.Gamma.Value.Data, b.Beta.Value.Data
	var sum float64
	for i := range n {
		off := (i*b.C + c) * s
		sum += simdgemm.Sum64(x.Data[off : off+s])
	}
	mean := sum / float64(m)
	var ss float64
	for i := range n {
		off := (i*b.C + c) * s
		ss += simdgemm.SumSqDev64(x.Data[off:off+s], mean)
	}
	variance := ss / float64(m)
	inv := 1 / math.Sqrt(variance+b.Eps)
	b.invStd[c] = inv
	fm, finv, g, bt := float32(mean), float32(inv), gamma[c], beta[c]
	for i := range n {
		off := (i*b.C + c) * s
		simdgemm.Normalize(xhat.Data[off:off+s], y.Data[off:off+s], x.Data[off:off+s], fm, finv, g, bt, b.fuseReLU)
	}
	rm, rv := b.RunningMean.Value.Data, b.RunningVar.Value.Data
	rm[c] = float32((1-mom)*float64(rm[c]) + mom*mean)
	rv[c] = float32((1-mom)*float64(rv[c]) + mom*variance*float64(m)/float64(m-1))
}

// Backward accumulates dγ = Σ dy·x̂ and dβ = Σ dy and returns
// dx = γ/(σ·M) · (M·dy - Σdy - x̂·Σ dy·x̂) per channel. With a fused ReLU,
// dy is first zeroed where the output (recomputed from x̂ exactly as
// Forward computed it) is not positive, plane by plane while the plane is
// in cache.
func (b *BatchNorm) Backward(dy *Tensor) *Tensor {
	if !b.ok {
		panic(fmt.Sprintf("nn: BatchNorm %s: Backward without a training Forward", b.Gamma.Name))
	}
	if !SameShape(dy, b.xhat) {
		panic(fmt.Sprintf("nn: BatchNorm %s: gradient shape %v, input shape %v", b.Gamma.Name, dy.Shape, b.xhat.Shape))
	}
	n, s := b.dims(dy)
	m := float64(n * s)
	dx := dy
	if !b.mode.backward {
		dx = gradBuffer(&b.dx, b.dxSlot, false, dy.Shape...)
	}
	xh := b.xhat.Data
	parallelFor(b.C, n*s, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			b.backwardChannel(c, dy.Data, xh, dx.Data, n, s, m)
		}
	})
	return dx
}

// backwardChannel computes channel c's parameter and input gradients. With
// a fused ReLU, dy is first zeroed where the output, relu(γ·x̂ + β)
// recomputed with Forward's arithmetic, is not positive (the mask ReLU's
// Backward would apply), in the same pass as the plane's sums.
func (b *BatchNorm) backwardChannel(c int, dy, xh, dx []float32, n, s int, m float64) {
	g, bt := b.Gamma.Value.Data[c], b.Beta.Value.Data[c]
	var sdy, sdyx float64
	for i := range n {
		off := (i*b.C + c) * s
		var a, d float64
		if b.fuseReLU {
			a, d = simdgemm.MaskSumDot64(dy[off:off+s], xh[off:off+s], g, bt)
		} else {
			a, d = simdgemm.SumDot64(dy[off:off+s], xh[off:off+s])
		}
		sdy += a
		sdyx += d
	}
	b.Gamma.Grad.Data[c] += float32(sdyx)
	b.Beta.Grad.Data[c] += float32(sdy)
	k := float32(float64(g) * b.invStd[c])
	mdy, mdyx := float32(sdy/m), float32(sdyx/m)
	for i := range n {
		off := (i*b.C + c) * s
		simdgemm.NormalizeGrad(dx[off:off+s], dy[off:off+s], xh[off:off+s], k, mdy, mdyx)
	}
}

// Params returns the weight (γ) and the bias (β).
func (b *BatchNorm) Params() []*Param { return []*Param{b.Gamma, b.Beta} }

// Buffers returns the running mean and variance.
func (b *BatchNorm) Buffers() []*Buffer { return []*Buffer{b.RunningMean, b.RunningVar} }
