// Package partiallogits back-propagates losses on the partial logits of an
// additive fusion head (model.Fusion.Partial of concat and sum), which
// methods that train each modality through its slice of the fusion head
// need (MBSD, LFM, AMCo, G-Blending).
package partiallogits

import (
	"fmt"

	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// Backward takes d[m] = dL/d out_m for the partial logits out_m of head f
// computed from features z (nil entries: no loss on that modality),
// accumulates the head's parameter gradients and returns dL/dz[m] (nil
// where d[m] is nil).
//
// concat, out_m = z_m W_m^T + b/M: dW_m += d_m^T z_m, db += (1/M) sum_i
// d_m[i], dz_m = d_m W_m. sum, out_m = fc_m(z_m): dW_m += d_m^T z_m,
// db_m += sum_i d_m[i], dz_m = d_m W_m. Other heads have no partial logits
// and are an error.
func Backward(f model.Fusion, z, d []*nn.Tensor) ([]*nn.Tensor, error) {
	if len(z) != len(d) {
		return nil, fmt.Errorf("partiallogits: %d feature tensors and %d gradients", len(z), len(d))
	}
	dz := make([]*nn.Tensor, len(z))
	switch h := f.(type) {
	case *model.Concat:
		w, b := h.FC.W, h.FC.B
		classes, total := w.Value.Shape[0], w.Value.Shape[1]
		share := 1 / float32(len(z))
		off := 0
		for m, zm := range z {
			dm := zm.RowLen()
			if off+dm > total {
				return nil, fmt.Errorf("partiallogits: features wider than the concat head's %d inputs", total)
			}
			if d[m] != nil {
				if err := check(m, d[m], zm.Rows(), classes); err != nil {
					return nil, err
				}
				dz[m] = slice(d[m], zm, w, b, off, dm, total, share)
			}
			off += dm
		}
		if off != total {
			return nil, fmt.Errorf("partiallogits: features %d wide for a concat head over %d inputs", off, total)
		}
	case *model.Sum:
		if len(h.FC) != len(z) {
			return nil, fmt.Errorf("partiallogits: %d feature tensors for a sum head over %d modalities", len(z), len(h.FC))
		}
		for m, zm := range z {
			if d[m] == nil {
				continue
			}
			fc := h.FC[m]
			if err := check(m, d[m], zm.Rows(), fc.Out); err != nil {
				return nil, err
			}
			dz[m] = slice(d[m], zm, fc.W, fc.B, 0, fc.In, fc.In, 1)
		}
	default:
		return nil, fmt.Errorf("partiallogits: the %s fusion head has no partial logits", f.Kind())
	}
	return dz, nil
}

func check(m int, d *nn.Tensor, n, classes int) error {
	if d.Rows() != n || d.RowLen() != classes {
		return fmt.Errorf("partiallogits: gradient of modality %d has shape %v, want [%d %d]", m, d.Shape, n, classes)
	}
	return nil
}

// slice accumulates the gradients of out = z W[:, off:off+dm]^T + share*b
// and returns dz = d W[:, off:off+dm].
func slice(d, z *nn.Tensor, w, b *nn.Param, off, dm, total int, share float32) *nn.Tensor {
	n := z.Rows()
	dz := nn.NewTensor(n, dm)
	for i := range n {
		di, zi, dzi := d.Row(i), z.Row(i), dz.Row(i)
		for k, g := range di {
			if g == 0 {
				continue
			}
			wrow := w.Value.Data[k*total+off : k*total+off+dm]
			grow := w.Grad.Data[k*total+off : k*total+off+dm]
			for j := range dm {
				grow[j] += g * zi[j]
				dzi[j] += g * wrow[j]
			}
			b.Grad.Data[k] += share * g
		}
	}
	return dz
}
