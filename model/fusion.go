package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/miebench/miebench/nn"
)

// NewFusion builds a fusion head over features of widths dims.
// It returns nil for kind "" or "none".
func NewFusion(kind string, modalities []string, dims []int, classes int, rng *rand.Rand) (Fusion, error) {
	if err := CheckFusion(kind, len(dims)); err != nil {
		return nil, err
	}
	switch kind {
	case "concat":
		total := 0
		for _, d := range dims {
			total += d
		}
		return &Concat{FC: nn.NewLinear("head.fc", total, classes, rng), dims: append([]int(nil), dims...)}, nil
	case "sum":
		s := &Sum{}
		for i, d := range dims {
			s.FC = append(s.FC, nn.NewLinear("head.fc_"+modalities[i], d, classes, rng))
		}
		return s, nil
	case "film":
		return &FiLM{
			FC:    nn.NewLinear("head.fc", dims[0], 2*dims[1], rng),
			FCOut: nn.NewLinear("head.fc_out", dims[1], classes, rng),
			dim:   dims[1],
		}, nil
	case "gated":
		hidden := dims[1]
		return &Gated{
			FCGate: nn.NewLinear("head.fc_x", dims[0], hidden, rng),
			FCVal:  nn.NewLinear("head.fc_y", dims[1], hidden, rng),
			FCOut:  nn.NewLinear("head.fc_out", hidden, classes, rng),
		}, nil
	}
	return nil, nil
}

// Concat is Linear(sum D_m -> C) on the concatenated features.
type Concat struct {
	FC   *nn.Linear
	dims []int
}

// Decomposes implements Fusion.
func (c *Concat) Decomposes() bool { return true }

// Kind implements Fusion.
func (c *Concat) Kind() string { return "concat" }

// Params implements Fusion.
func (c *Concat) Params() []*nn.Param { return c.FC.Params() }

// Forward implements Fusion.
func (c *Concat) Forward(z []*nn.Tensor, train bool) *nn.Tensor {
	return c.FC.Forward(concatCols(z), train)
}

// Backward implements Fusion.
func (c *Concat) Backward(dout *nn.Tensor) []*nn.Tensor {
	return splitCols(c.FC.Backward(dout), c.dims)
}

// Partial implements Fusion: out_m = z_m W_m^T + b/M, W split by columns.
func (c *Concat) Partial(z []*nn.Tensor) []*nn.Tensor {
	w, b := c.FC.W.Value, c.FC.B.Value
	classes, total := w.Shape[0], w.Shape[1]
	out := make([]*nn.Tensor, len(z))
	off := 0
	share := float32(1) / float32(len(z))
	for m, zm := range z {
		n, d := zm.Rows(), c.dims[m]
		o := nn.NewTensor(n, classes)
		for i := range n {
			copy(o.Row(i), b.Data)
		}
		// o = share*b + z_m W[:, off:off+d]^T, with W_m a strided view of W.
		for i := range o.Data {
			o.Data[i] *= share
		}
		blas32.Implementation().Sgemm(blas.NoTrans, blas.Trans, n, classes, d, 1, zm.Data, d, w.Data[off:], total, 1, o.Data, classes)
		out[m] = o
		off += d
	}
	return out
}

// Sum is sum_m fc_m(z_m).
type Sum struct {
	FC []*nn.Linear
}

// Decomposes implements Fusion.
func (s *Sum) Decomposes() bool { return true }

// Kind implements Fusion.
func (s *Sum) Kind() string { return "sum" }

// Params implements Fusion.
func (s *Sum) Params() []*nn.Param {
	var ps []*nn.Param
	for _, f := range s.FC {
		ps = append(ps, f.Params()...)
	}
	return ps
}

// Forward implements Fusion.
func (s *Sum) Forward(z []*nn.Tensor, train bool) *nn.Tensor {
	var out *nn.Tensor
	for m, f := range s.FC {
		o := f.Forward(z[m], train)
		if out == nil {
			out = o.Clone()
			continue
		}
		for i, v := range o.Data {
			out.Data[i] += v
		}
	}
	return out
}

// Backward implements Fusion.
func (s *Sum) Backward(dout *nn.Tensor) []*nn.Tensor {
	dz := make([]*nn.Tensor, len(s.FC))
	for m, f := range s.FC {
		dz[m] = f.Backward(dout)
	}
	return dz
}

// Partial implements Fusion: each branch with its full bias.
func (s *Sum) Partial(z []*nn.Tensor) []*nn.Tensor {
	out := make([]*nn.Tensor, len(z))
	for m, f := range s.FC {
		out[m] = f.Forward(z[m], false) // evaluation mode: a fresh tensor, the training cache untouched
	}
	return out
}

// FiLM conditions the second modality on the first:
// gamma, beta = split(fc(z_0)); out = fc_out(gamma*z_1 + beta).
type FiLM struct {
	FC, FCOut *nn.Linear
	dim       int
	gb, z1    *nn.Tensor
}

// Decomposes implements Fusion.
func (f *FiLM) Decomposes() bool { return false }

// Kind implements Fusion.
func (f *FiLM) Kind() string { return "film" }

// Params implements Fusion.
func (f *FiLM) Params() []*nn.Param { return append(f.FC.Params(), f.FCOut.Params()...) }

// Forward implements Fusion.
func (f *FiLM) Forward(z []*nn.Tensor, train bool) *nn.Tensor {
	gb := f.FC.Forward(z[0], train)
	n, d := z[1].Rows(), f.dim
	h := nn.NewTensor(n, d)
	for i := range n {
		g, b, x, hr := gb.Row(i)[:d], gb.Row(i)[d:], z[1].Row(i), h.Row(i)
		for j := range d {
			hr[j] = g[j]*x[j] + b[j]
		}
	}
	if train { // gb is FC's training output, kept until its next training Forward
		f.gb, f.z1 = gb, z[1]
	}
	return f.FCOut.Forward(h, train)
}

// Backward implements Fusion.
func (f *FiLM) Backward(dout *nn.Tensor) []*nn.Tensor {
	dh := f.FCOut.Backward(dout)
	n, d := dh.Rows(), f.dim
	dgb := nn.NewTensor(n, 2*d)
	dz1 := nn.NewTensor(n, d)
	for i := range n {
		g, x, dhr := f.gb.Row(i)[:d], f.z1.Row(i), dh.Row(i)
		dg, db, dx := dgb.Row(i)[:d], dgb.Row(i)[d:], dz1.Row(i)
		for j := range d {
			dg[j] = dhr[j] * x[j]
			db[j] = dhr[j]
			dx[j] = dhr[j] * g[j]
		}
	}
	return []*nn.Tensor{f.FC.Backward(dgb), dz1}
}

// Partial implements Fusion: FiLM has no additive decomposition.
func (f *FiLM) Partial([]*nn.Tensor) []*nn.Tensor { return nil }

// Gated gates the second modality by the first:
// out = fc_out(sigmoid(fc_x(z_0)) * fc_y(z_1)).
type Gated struct {
	FCGate, FCVal, FCOut *nn.Linear
	gate, val            *nn.Tensor
}

// Decomposes implements Fusion.
func (g *Gated) Decomposes() bool { return false }

// Kind implements Fusion.
func (g *Gated) Kind() string { return "gated" }

// Params implements Fusion.
func (g *Gated) Params() []*nn.Param {
	ps := append(g.FCGate.Params(), g.FCVal.Params()...)
	return append(ps, g.FCOut.Params()...)
}

// Forward implements Fusion.
func (g *Gated) Forward(z []*nn.Tensor, train bool) *nn.Tensor {
	// Both outputs belong to their Linear until its next training Forward
	// (evaluation outputs are fresh), so the sigmoid can overwrite the gate's.
	gate := g.FCGate.Forward(z[0], train)
	for i, v := range gate.Data {
		gate.Data[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
	val := g.FCVal.Forward(z[1], train)
	h := nn.NewTensor(gate.Shape...)
	for i := range h.Data {
		h.Data[i] = gate.Data[i] * val.Data[i]
	}
	if train {
		g.gate, g.val = gate, val
	}
	return g.FCOut.Forward(h, train)
}

// Backward implements Fusion.
func (g *Gated) Backward(dout *nn.Tensor) []*nn.Tensor {
	dh := g.FCOut.Backward(dout)
	dpre := nn.NewTensor(dh.Shape...)
	dval := nn.NewTensor(dh.Shape...)
	for i, d := range dh.Data {
		s := g.gate.Data[i]
		dpre.Data[i] = d * g.val.Data[i] * s * (1 - s)
		dval.Data[i] = d * s
	}
	return []*nn.Tensor{g.FCGate.Backward(dpre), g.FCVal.Backward(dval)}
}

// Partial implements Fusion: a gated head has no additive decomposition.
func (g *Gated) Partial([]*nn.Tensor) []*nn.Tensor { return nil }

// concatCols concatenates [N, D_m] tensors along columns.
func concatCols(z []*nn.Tensor) *nn.Tensor {
	n, total := z[0].Rows(), 0
	for _, t := range z {
		if t.Rows() != n {
			panic(fmt.Sprintf("model: concat of batches of %d and %d rows", n, t.Rows()))
		}
		total += t.RowLen()
	}
	out := nn.NewTensor(n, total)
	for i := range n {
		row, off := out.Row(i), 0
		for _, t := range z {
			off += copy(row[off:], t.Row(i))
		}
	}
	return out
}

// splitCols splits [N, sum dims] into [N, dims[m]] tensors.
func splitCols(x *nn.Tensor, dims []int) []*nn.Tensor {
	n := x.Rows()
	out := make([]*nn.Tensor, len(dims))
	for m, d := range dims {
		out[m] = nn.NewTensor(n, d)
	}
	for i := range n {
		row, off := x.Row(i), 0
		for m, d := range dims {
			copy(out[m].Row(i), row[off:off+d])
			off += d
		}
	}
	return out
}
