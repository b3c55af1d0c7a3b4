package greedy

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/miebench/miebench/nn"
)

// mmtm is the multimodal transfer module of the released code (MMTM with
// its balanced-learning variant) between the same stage of two encoders.
// For stage outputs x_m [N·T_m, C_m, H_m, W_m] it squeezes each modality
// by the mean over frames, height and width, q_m [N, C_m], maps the
// concatenation q = [q_0 q_1] by e = relu(W_s q + b_s) (hidden width
// 2 (C_0+C_1) / ratio) and each modality's excitation s_m = sigmoid(W_m e
// + b_m), and returns x_m scaled channel by channel, x_m · s_m (the same
// s_m for every frame of a sample).
//
// A training forward also updates each modality's running average of the
// batch-mean excitation (the plain mean over every training forward so
// far); with replace = m, modality m's excitation is that running average
// instead (a constant: no gradient reaches W_m through it).
type mmtm struct {
	Squeeze *nn.Linear
	Excite  [2]*nn.Linear
	// sharedAverage: both running averages follow modality 0's
	// excitation (the released code's bug).
	sharedAverage bool
	avg           [2][]float64
	steps         int

	// Cache of the last training forward.
	x       [2]*nn.Tensor // copies of the inputs
	t       [2]int
	s       [2]*nn.Tensor // excitations used [N, C_m]
	e       *nn.Tensor    // relu output [N, hidden]
	replace int
}

// mmtmHidden is the released hidden width int(2 (c0 + c1) / ratio), at least 1.
func mmtmHidden(c0, c1, ratio int) int { return max(1, 2*(c0+c1)/ratio) }

// newMMTM returns the module for channel counts c; its parameters are
// named name.squeeze and name.<modality>.
func newMMTM(name string, mods [2]string, c [2]int, ratio int, sharedAverage bool, rng *rand.Rand) *mmtm {
	h := mmtmHidden(c[0], c[1], ratio)
	l := &mmtm{Squeeze: nn.NewLinear(name+".squeeze", c[0]+c[1], h, rng), sharedAverage: sharedAverage, replace: -1}
	for m := range 2 {
		l.Excite[m] = nn.NewLinear(name+"."+mods[m], h, c[m], rng)
		l.avg[m] = make([]float64, c[m])
	}
	return l
}

// Params returns the squeeze's parameters, then each excitation's.
func (l *mmtm) Params() []*nn.Param {
	return append(append(l.Squeeze.Params(), l.Excite[0].Params()...), l.Excite[1].Params()...)
}

// Buffers returns nothing: the running averages are not part of the
// model's saved state (as in the released code).
func (l *mmtm) Buffers() []*nn.Buffer { return nil }

// squeeze returns the per-sample channel means [N, C] of x [N·t, C, ...].
func squeeze(x *nn.Tensor, t int) *nn.Tensor {
	nt, c := x.Shape[0], x.Shape[1]
	n, p := nt/t, x.RowLen()/c
	q := nn.NewTensor(n, c)
	inv := 1 / float64(t*p)
	for i := range n {
		for ch := range c {
			var sum float64
			for f := range t {
				for _, v := range x.Data[((i*t+f)*c+ch)*p:][:p] {
					sum += float64(v)
				}
			}
			q.Data[i*c+ch] = float32(sum * inv)
		}
	}
	return q
}

// forward applies the module; t[m] is modality m's frames per sample and
// replace the modality whose excitation is its running average (-1: none,
// only in training).
func (l *mmtm) forward(x [2]*nn.Tensor, t [2]int, replace int, train bool) [2]*nn.Tensor {
	var q [2]*nn.Tensor
	for m := range 2 {
		q[m] = squeeze(x[m], t[m])
	}
	n := q[0].Shape[0]
	if q[1].Shape[0] != n {
		panic(fmt.Sprintf("greedy: MMTM inputs of %d and %d samples", n, q[1].Shape[0]))
	}
	c0, c1 := q[0].Shape[1], q[1].Shape[1]
	qc := nn.NewTensor(n, c0+c1)
	for i := range n {
		copy(qc.Data[i*(c0+c1):], q[0].Data[i*c0:][:c0])
		copy(qc.Data[i*(c0+c1)+c0:], q[1].Data[i*c1:][:c1])
	}
	e := l.Squeeze.Forward(qc, train).Clone()
	for i, v := range e.Data {
		e.Data[i] = max(v, 0)
	}
	var s [2]*nn.Tensor
	for m := range 2 {
		s[m] = l.Excite[m].Forward(e, train).Clone()
		for i, v := range s[m].Data {
			s[m].Data[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	}
	if train {
		for m := range 2 {
			src := s[m]
			if l.sharedAverage {
				src = s[0]
			}
			c := len(l.avg[m])
			if src.Shape[1] != c {
				panic(fmt.Sprintf("greedy: the shared running average needs equal channel counts, got %d and %d", src.Shape[1], c))
			}
			for ch := range c {
				var mean float64
				for i := range n {
					mean += float64(src.Data[i*c+ch])
				}
				mean /= float64(n)
				l.avg[m][ch] = (mean + l.avg[m][ch]*float64(l.steps)) / float64(l.steps+1)
			}
		}
		l.steps++
		if replace >= 0 {
			c := len(l.avg[replace])
			for i := range n {
				for ch := range c {
					s[replace].Data[i*c+ch] = float32(l.avg[replace][ch])
				}
			}
		}
		l.e, l.s, l.t, l.replace = e, s, t, replace
	}
	var y [2]*nn.Tensor
	for m := range 2 {
		if train {
			l.x[m] = x[m].Clone()
		}
		y[m] = scaleChannels(x[m], s[m], t[m])
	}
	return y
}

// scaleChannels returns x [N·t, C, ...] with channel c of sample i's
// frames multiplied by s[i, c].
func scaleChannels(x, s *nn.Tensor, t int) *nn.Tensor {
	y := nn.NewTensor(x.Shape...)
	c := x.Shape[1]
	p := x.RowLen() / c
	for r := range x.Shape[0] {
		for ch := range c {
			k := s.Data[(r/t)*c+ch]
			off := (r*c + ch) * p
			for j, v := range x.Data[off : off+p] {
				y.Data[off+j] = v * k
			}
		}
	}
	return y
}

// backward returns the gradients with respect to both inputs and
// accumulates the parameter gradients.
func (l *mmtm) backward(dy [2]*nn.Tensor) [2]*nn.Tensor {
	n := l.e.Shape[0]
	de := nn.NewTensor(l.e.Shape...)
	var dx [2]*nn.Tensor
	for m := range 2 {
		x, s, t := l.x[m], l.s[m], l.t[m]
		c := x.Shape[1]
		p := x.RowLen() / c
		dx[m] = scaleChannels(dy[m], s, t)
		if m == l.replace {
			continue
		}
		da := nn.NewTensor(n, c)
		for r := range x.Shape[0] {
			for ch := range c {
				off := (r*c + ch) * p
				var sum float64
				for j, g := range dy[m].Data[off : off+p] {
					sum += float64(g) * float64(x.Data[off+j])
				}
				da.Data[(r/t)*c+ch] += float32(sum)
			}
		}
		for i, v := range s.Data {
			da.Data[i] *= v * (1 - v)
		}
		for i, v := range l.Excite[m].Backward(da).Data {
			de.Data[i] += v
		}
	}
	for i, v := range l.e.Data {
		if v <= 0 {
			de.Data[i] = 0
		}
	}
	dq := l.Squeeze.Backward(de)
	c0, c1 := l.s[0].Shape[1], l.s[1].Shape[1]
	for m, off := range [2]int{0, c0} {
		x, t := l.x[m], l.t[m]
		c := []int{c0, c1}[m]
		p := x.RowLen() / c
		inv := float32(1 / float64(t*p))
		for r := range x.Shape[0] {
			for ch := range c {
				g := dq.Data[(r/t)*(c0+c1)+off+ch] * inv
				for j := range dx[m].Data[(r*c+ch)*p:][:p] {
					dx[m].Data[(r*c+ch)*p+j] += g
				}
			}
		}
	}
	return dx
}
