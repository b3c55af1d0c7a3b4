package nn

import (
	"math"
	"testing"
)

// TestBatchNormReLUFusedSameBits: batch norm with its ReLU fused gives the
// bits of batch norm followed by ReLU (both in place, as the encoders used
// them), in training and evaluation, for outputs, input gradients,
// parameter gradients and running statistics; values include zeros, -0
// and ties at the kink.
func TestBatchNormReLUFusedSameBits(t *testing.T) {
	for _, shape := range [][]int{{4, 3, 5, 6}, {7, 2, 1, 1}, {3, 5}} {
		rng := newTestRNG(80)
		x := randTensor(rng, 2, shape...)
		x.Data[0], x.Data[1] = 0, float32(math.Copysign(0, -1))
		dy := randTensor(rng, 1, shape...)
		fused := newBatchNormReLU("bn", shape[1])
		plain := NewBatchNorm2D("bn", shape[1])
		plain.mode = inPlace{forward: true, backward: true}
		ref := NewSequential(plain, newInPlaceReLU(inPlace{forward: true, backward: true}))
		for _, l := range []*BatchNorm{fused, plain} {
			for c := range l.C {
				l.Gamma.Value.Data[c] = float32(0.5 + 0.25*float64(c))
				l.Beta.Value.Data[c] = float32(0.1 * float64(c%3-1))
			}
		}
		for step := range 2 {
			yf := fused.Forward(x.Clone(), true).Clone()
			yr := ref.Forward(x.Clone(), true).Clone()
			sameBits(t, "output", step, yf.Data, yr.Data)
			df := fused.Backward(dy.Clone()).Clone()
			dr := ref.Backward(dy.Clone()).Clone()
			sameBits(t, "input gradient", step, df.Data, dr.Data)
			sameBits(t, "gamma gradient", step, fused.Gamma.Grad.Data, plain.Gamma.Grad.Data)
			sameBits(t, "beta gradient", step, fused.Beta.Grad.Data, plain.Beta.Grad.Data)
			sameBits(t, "running mean", step, fused.RunningMean.Value.Data, plain.RunningMean.Value.Data)
			sameBits(t, "running var", step, fused.RunningVar.Value.Data, plain.RunningVar.Value.Data)
			sameBits(t, "evaluation output", step, fused.Forward(x, false).Data, ref.Forward(x, false).Data)
		}
	}
}
