package nn

import (
	"fmt"
	"math/rand/v2"

	simdgemm "github.com/miebench/miebench/nn/gemm"
)

// Linear is a fully connected layer y = x Wᵀ + b with PyTorch's weight
// layout [out, in]. It accepts a batch [N, ...] whose per-sample size is in.
type Linear struct {
	W, B    *Param
	In, Out int

	// NoInputGrad skips the input gradient: Backward accumulates the
	// parameter gradients only and returns nil.
	NoInputGrad bool

	x      *Tensor // input of the most recent training Forward
	y, dx  *Tensor // reused output and input-gradient buffers
	xShape []int
}

// NewLinear returns a Linear layer with an Xavier-normal weight and a zero
// bias, named name+".weight" and name+".bias".
func NewLinear(name string, in, out int, rng *rand.Rand) *Linear {
	l := &Linear{
		W:   NewParam(name+".weight", out, in),
		B:   NewParam(name+".bias", out),
		In:  in,
		Out: out,
	}
	XavierNormal(l.W.Value, in, out, rng)
	return l
}

// Forward computes x Wᵀ + b for every sample of x.
func (l *Linear) Forward(x *Tensor, train bool) *Tensor {
	if x.RowLen() != l.In {
		panic(fmt.Sprintf("nn: Linear %s expects %d inputs per sample, got shape %v", l.W.Name, l.In, x.Shape))
	}
	n := x.Rows()
	y := output(&l.y, train, false, n, l.Out)
	for i := range n {
		copy(y.Data[i*l.Out:(i+1)*l.Out], l.B.Value.Data)
	}
	gemm(false, true, n, l.Out, l.In, 1, x.Data, l.In, l.W.Value.Data, l.In, 1, y.Data, l.Out)
	if train {
		l.x = x
		l.xShape = append(l.xShape[:0], x.Shape...)
	}
	return y
}

// Backward accumulates dW += dyᵀ x and db += Σ dy and returns dx = dy W,
// shaped like the input (nil when NoInputGrad is set).
func (l *Linear) Backward(dy *Tensor) *Tensor {
	if l.x == nil {
		panic(fmt.Sprintf("nn: Linear %s: Backward without a training Forward", l.W.Name))
	}
	n := l.x.Rows()
	if dy.Rows() != n || dy.RowLen() != l.Out {
		panic(fmt.Sprintf("nn: Linear %s: gradient shape %v, want [%d %d]", l.W.Name, dy.Shape, n, l.Out))
	}
	gemm(true, false, l.Out, l.In, n, 1, dy.Data, l.Out, l.x.Data, l.In, 1, l.W.Grad.Data, l.In)
	simdgemm.SumRows(l.B.Grad.Data, dy.Data[:n*l.Out])
	if l.NoInputGrad {
		return nil
	}
	dx := ensure(&l.dx, false, l.xShape...)
	gemm(false, false, n, l.In, l.Out, 1, dy.Data, l.Out, l.W.Value.Data, l.In, 0, dx.Data, l.In)
	return dx
}

// LastInput returns the input of the most recent training Forward, or nil.
func (l *Linear) LastInput() *Tensor { return l.x }

// Params returns the weight and the bias.
func (l *Linear) Params() []*Param { return []*Param{l.W, l.B} }

// Buffers returns nil: Linear has no buffers.
func (l *Linear) Buffers() []*Buffer { return nil }
