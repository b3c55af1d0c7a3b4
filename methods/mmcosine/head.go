package mmcosine

import (
	"fmt"

	"github.com/miebench/miebench/nn"
)

// Head is MMCosine's fusion head: logits = scale * sum_m cos(z_m, W_m[c]),
// where W [C, sum D_m] is split by columns into per-modality slices W_m
// (first modality first, as a concat head lays them out), each class row of
// W_m and each feature z_m are L2-normalised, and no bias is used. Its
// partial logits are the per-modality cosine terms, which add up exactly to
// the fused logits.
type Head struct {
	W     *nn.Param // [C, sum D_m]
	Scale float64
	dims  []int
	terms []*cosine // cache of the last training Forward
}

// NewHead returns a cosine head over weight w [C, sum dims] (shared, not
// copied: the released code normalises the concat head's own fc_out
// weight).
func NewHead(w *nn.Param, dims []int, scale float64) (*Head, error) {
	total := 0
	for _, d := range dims {
		total += d
	}
	if len(w.Value.Shape) != 2 || w.Value.Shape[1] != total {
		return nil, fmt.Errorf("mmcosine: head weight %s has shape %v, want [classes %d]", w.Name, w.Value.Shape, total)
	}
	return &Head{W: w, Scale: scale, dims: append([]int(nil), dims...)}, nil
}

// Kind implements model.Fusion.
func (h *Head) Kind() string { return "cosine" }

// Params implements model.Fusion: the weight only (the released code never
// uses the concat head's bias in the cosine logits).
func (h *Head) Params() []*nn.Param { return []*nn.Param{h.W} }

// slice copies W's columns [off, off+d) into a contiguous [C, d] slice.
func (h *Head) slice(off, d int) []float32 {
	c, total := h.W.Value.Shape[0], h.W.Value.Shape[1]
	out := make([]float32, c*d)
	for k := range c {
		copy(out[k*d:(k+1)*d], h.W.Value.Data[k*total+off:k*total+off+d])
	}
	return out
}

// terms computes every modality's cosine term from features z.
func (h *Head) cosTerms(z []*nn.Tensor) []*cosine {
	if len(z) != len(h.dims) {
		panic(fmt.Sprintf("mmcosine: %d feature tensors for a head over %d modalities", len(z), len(h.dims)))
	}
	c := h.W.Value.Shape[0]
	ts := make([]*cosine, len(z))
	off := 0
	for m, zm := range z {
		d := h.dims[m]
		if zm.RowLen() != d {
			panic(fmt.Sprintf("mmcosine: modality %d features have %d columns, want %d", m, zm.RowLen(), d))
		}
		t, err := newCosine(zm.Data, h.slice(off, d), zm.Rows(), c, d, h.Scale)
		if err != nil {
			panic(err)
		}
		ts[m] = t
		off += d
	}
	return ts
}

// Forward implements model.Fusion.
func (h *Head) Forward(z []*nn.Tensor, train bool) *nn.Tensor {
	ts := h.cosTerms(z)
	if train {
		h.terms = ts
	}
	out := ts[0].logits.Clone()
	for _, t := range ts[1:] {
		nn.Axpy(1, t.logits, out)
	}
	return out
}

// Backward implements model.Fusion: every modality's term receives dout.
func (h *Head) Backward(dout *nn.Tensor) []*nn.Tensor {
	if h.terms == nil {
		panic("mmcosine: Backward without a training Forward")
	}
	total := h.W.Value.Shape[1]
	dz := make([]*nn.Tensor, len(h.terms))
	off := 0
	for m, t := range h.terms {
		gz, gw := t.backward(dout.Data)
		dz[m] = nn.NewTensor(t.n, t.d)
		for i, v := range gz {
			dz[m].Data[i] = float32(v)
		}
		for k := range t.c {
			row := h.W.Grad.Data[k*total+off : k*total+off+t.d]
			for j := range row {
				row[j] += float32(gw[k*t.d+j])
			}
		}
		off += t.d
	}
	return dz
}

// Partial implements model.Fusion: modality m's cosine term
// scale * cos(z_m, W_m[c]).
func (h *Head) Partial(z []*nn.Tensor) []*nn.Tensor {
	ts := h.cosTerms(z)
	out := make([]*nn.Tensor, len(ts))
	for m, t := range ts {
		out[m] = t.logits
	}
	return out
}

// Decomposes implements model.Fusion: the cosine terms are exact partial
// logits.
func (h *Head) Decomposes() bool { return true }
