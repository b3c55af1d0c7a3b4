package nn

import "fmt"

// frameMean averages per-frame features [N·T, D] over the T frames of each
// sample to [N, D], and spreads the gradient back evenly. With T = 1 it is
// the identity.
type frameMean struct {
	t     int
	y, dx *Tensor
}

func (f *frameMean) forward(z *Tensor, train bool) *Tensor {
	if f.t == 1 {
		return z
	}
	nt, d := z.Rows(), z.RowLen()
	if nt%f.t != 0 {
		panic(fmt.Sprintf("nn: %d frame features do not split into samples of %d frames", nt, f.t))
	}
	n := nt / f.t
	y := output(&f.y, train, true, n, d)
	inv := 1 / float32(f.t)
	for i := range n {
		dst := y.Data[i*d:][:d]
		for k := range f.t {
			for j, v := range z.Data[(i*f.t+k)*d:][:d] {
				dst[j] += v
			}
		}
		for j := range dst {
			dst[j] *= inv
		}
	}
	return y
}

func (f *frameMean) backward(dy *Tensor) *Tensor {
	if f.t == 1 {
		return dy
	}
	n, d := dy.Rows(), dy.RowLen()
	dx := ensure(&f.dx, false, n*f.t, d)
	inv := 1 / float32(f.t)
	for i := range n {
		src := dy.Data[i*d:][:d]
		for k := range f.t {
			dst := dx.Data[(i*f.t+k)*d:][:d]
			for j, v := range src {
				dst[j] = v * inv
			}
		}
	}
	return dx
}
