package mie

import (
	"fmt"
	"strings"

	"github.com/miebench/miebench/nn"
)

// MIE gradient-modification scopes (the `gm_scope` hyperparameter).
const (
	mieScopeHead    = "head"    // the head's linear layers (released)
	mieScopeEncoder = "encoder" // also the encoders' linear and convolution layers (toward the paper's wider scope)
)

// mieSite is a layer whose weight gradient gradient modification may
// change: a linear layer (weight [out, in]) or a convolution (weight
// [out, inC, kH, kW], treated as [out, inC*kH*kW] acting on im2col patches).
// Sites of two modalities correspond when their keys are equal ("head.0" is
// the first head layer, "enc.1" the second linear layer of an mlp encoder,
// "layer1.0.conv1.weight" a convolution by its name inside the encoder) and
// their weights have the same shape.
type mieSite struct {
	key  string
	w    *nn.Param  // the weight whose gradient G becomes G T
	in   int        // T's size: the linear layer's inputs or the patch length inC*kH*kW
	lin  *nn.Linear // set for linear layers
	conv *nn.Conv2D // set for convolutions
}

// mieSites lists a modality's sites in forward order: with scope encoder
// the encoder's layers, then the head's.
func (m *MIE) mieSites(enc nn.Encoder, head *mieHead) ([]mieSite, error) {
	var s []mieSite
	if m.Scope == mieScopeEncoder {
		switch e := enc.(type) {
		case *nn.MLPEncoder:
			for i, l := range e.Linears {
				s = append(s, mieLinearSite(fmt.Sprintf("enc.%d", i), l))
			}
		case *nn.CNNEncoder:
			for _, l := range e.Body.Layers {
				if c, ok := l.(*nn.Conv2D); ok {
					s = append(s, mieConvSite(c))
				}
			}
		case *nn.ResNet18:
			s = append(s, mieConvSite(e.Stem.Layers[0].(*nn.Conv2D)))
			for _, b := range e.Blocks {
				s = append(s, mieConvSite(b.Conv1), mieConvSite(b.Conv2))
				if b.DownConv != nil {
					s = append(s, mieConvSite(b.DownConv))
				}
			}
		default:
			return nil, fmt.Errorf("gm_scope=%s supports mlp, cnn and resnet18 encoders, got %T", mieScopeEncoder, enc)
		}
	}
	for i, l := range head.fc {
		s = append(s, mieLinearSite(fmt.Sprintf("head.%d", i), l))
	}
	return s, nil
}

func mieLinearSite(key string, l *nn.Linear) mieSite {
	return mieSite{key: key, w: l.W, in: l.In, lin: l}
}

// mieConvSite keys a convolution by its weight's name inside the encoder
// ("enc.<modality>." stripped), so that the same layer of two modalities'
// encoders corresponds.
func mieConvSite(c *nn.Conv2D) mieSite {
	key := c.W.Name
	if parts := strings.SplitN(key, ".", 3); len(parts) == 3 && parts[0] == "enc" {
		key = parts[2]
	}
	return mieSite{key: key, w: c.W, in: c.InC * c.KH * c.KW, conv: c}
}

// mieSiteInputs runs a modality's encoder and head in evaluation mode on x
// and returns, in mieSites order, each site's input: the layer input
// [N, in] of a linear layer, the batch-and-position mean of the im2col
// patches [1, in] of a convolution (the accumulator only needs batch means).
// sites is mieSites(enc, head), built once by the caller rather than on
// every batch.
func (m *MIE) mieSiteInputs(enc nn.Encoder, head *mieHead, sites []mieSite, x *nn.Tensor) []*nn.Tensor {
	var ins []*nn.Tensor
	var z *nn.Tensor
	mlp, isMLP := enc.(*nn.MLPEncoder)
	switch {
	case m.Scope != mieScopeEncoder:
		z = enc.Forward(x, false)
	case isMLP:
		h := x.Reshape(x.Rows(), -1)
		for _, l := range mlp.Net.Layers {
			if _, isLinear := l.(*nn.Linear); isLinear {
				ins = append(ins, h)
			}
			h = l.Forward(h, false)
		}
		z = h
	default:
		for _, s := range sites {
			if s.conv == nil {
				continue
			}
			i, c := len(ins), s.conv
			ins = append(ins, nil)
			c.Observe = func(x *nn.Tensor) { ins[i] = mieMeanPatch(c, x) }
		}
		z = enc.Forward(x, false)
		for _, s := range sites {
			if s.conv != nil {
				s.conv.Observe = nil
			}
		}
	}
	_, hin := head.forwardInputs(z)
	return append(ins, hin[:]...)
}

// mieMeanPatch is the mean, over the batch and the output positions, of the
// im2col patch a convolution multiplies by its weight: entry
// (ci*kH + ki)*kW + kj is the mean of x[n, ci, oh*s+ki-p, ow*s+kj-p], zero
// where the window reaches into the padding. Returned as [1, inC*kH*kW].
func mieMeanPatch(c *nn.Conv2D, x *nn.Tensor) *nn.Tensor {
	n, h, w := x.Shape[0], x.Shape[2], x.Shape[3]
	oh, ow := c.OutSize(h, w)
	out := nn.NewTensor(1, c.InC*c.KH*c.KW)
	inv := 1 / float64(n*oh*ow)
	for ci := range c.InC {
		for ki := range c.KH {
			for kj := range c.KW {
				sum := 0.0
				for b := range n {
					plane := x.Data[(b*c.InC+ci)*h*w : (b*c.InC+ci+1)*h*w]
					for o := range oh {
						r := o*c.Stride + ki - c.Pad
						if r < 0 || r >= h {
							continue
						}
						row := plane[r*w : (r+1)*w]
						for q := range ow {
							if col := q*c.Stride + kj - c.Pad; col >= 0 && col < w {
								sum += float64(row[col])
							}
						}
					}
				}
				out.Data[(ci*c.KH+ki)*c.KW+kj] = float32(sum * inv)
			}
		}
	}
	return out
}

// mieSiteMod is a built modification: weight gradient w.Grad, viewed as
// [out, in], becomes w.Grad T.
type mieSiteMod struct {
	w *nn.Param
	g *mieGradMod
}
