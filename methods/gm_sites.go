package methods

import (
	"fmt"

	"github.com/miebench/miebench/nn"
)

// MIE gradient-modification scopes (the `gm_scope` hyperparameter).
const (
	mieScopeHead    = "head"    // the head's linear layers (released)
	mieScopeEncoder = "encoder" // also the mlp encoders' linear layers (toward the paper's wider scope)
)

// mieSite is a linear layer whose weight gradient gradient modification may
// change. Sites of two modalities correspond when their keys are equal
// ("head.0" is the first head layer, "enc.1" the second linear layer of an
// mlp encoder) and their weights have the same shape.
type mieSite struct {
	key string
	lin *nn.Linear
}

// mieSites lists modality mod's sites in forward order: with scope encoder
// the encoder's linear layers, then the head's.
func (m *MIE) mieSites(enc nn.Encoder, head *mieHead) ([]mieSite, error) {
	var s []mieSite
	if m.Scope == mieScopeEncoder {
		mlp, ok := enc.(*nn.MLPEncoder)
		if !ok {
			return nil, fmt.Errorf("gm_scope=%s needs mlp encoders (the only ones whose layer inputs are reachable), got %T", mieScopeEncoder, enc)
		}
		for i, l := range mlp.Linears {
			s = append(s, mieSite{key: fmt.Sprintf("enc.%d", i), lin: l})
		}
	}
	for i, l := range head.fc {
		s = append(s, mieSite{key: fmt.Sprintf("head.%d", i), lin: l})
	}
	return s, nil
}

// mieSiteInputs runs modality mod's encoder and head in evaluation mode on x
// and returns the input of every site, in mieSites order.
func (m *MIE) mieSiteInputs(enc nn.Encoder, head *mieHead, x *nn.Tensor) []*nn.Tensor {
	var ins []*nn.Tensor
	var z *nn.Tensor
	if mlp, ok := enc.(*nn.MLPEncoder); ok && m.Scope == mieScopeEncoder {
		h := x.Reshape(x.Rows(), -1)
		for _, l := range mlp.Net.Layers {
			if _, isLinear := l.(*nn.Linear); isLinear {
				ins = append(ins, h)
			}
			h = l.Forward(h, false)
		}
		z = h
	} else {
		z = enc.Forward(x, false)
	}
	_, hin := head.forwardInputs(z)
	return append(ins, hin[:]...)
}

// mieSiteMod is a built modification: weight gradient w.Grad becomes
// w.Grad T.
type mieSiteMod struct {
	w *nn.Param
	g *mieGradMod
}
