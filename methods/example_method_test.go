package methods_test

import (
	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/nn"
)

// LabelSmoothing is joint training with label-smoothed cross-entropy: the
// target puts 1-eps on the true class and spreads eps over all classes.
type LabelSmoothing struct {
	methods.Base // joint-training defaults for everything not overridden
	Eps          float64
}

func init() {
	methods.Register(methods.Spec{
		Name: "label-smoothing",
		Doc:  "Joint training with label-smoothed cross-entropy on the fused output.",
		Ref:  "Szegedy et al., Rethinking the Inception architecture, CVPR 2016",
		Params: []methods.ParamSpec{
			{Name: "eps", Default: 0.1, Doc: "probability mass spread uniformly over the classes"},
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &LabelSmoothing{Eps: h.Float("eps")}, nil
		},
	})
}

// Step replaces Base.Step: same forward and backward, smoothed targets.
func (m *LabelSmoothing) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	r.Opt.ZeroGrad()
	out := methods.Forward(r, b, true)
	c := out.Logits.RowLen()
	target := nn.NewTensor(b.Len(), c)
	for i, y := range b.Y {
		row := target.Row(i)
		for j := range row {
			row[j] = float32(m.Eps / float64(c))
		}
		row[y] += float32(1 - m.Eps)
	}
	loss, dLogits := nn.SoftTargetCrossEntropy(out.Logits, target)
	methods.Backward(r, out, dLogits, nil)
	r.Opt.Step()
	return methods.Stats{Loss: loss}, nil
}
