package mmcosine

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const doc = `MMCosine: multi-modal cosine loss. The fusion head's logits are
scale * sum_m cos(z_m, W_m[c]): each modality's feature z_m and each class
row of that modality's column slice W_m of the concat head's weight are
L2-normalised (F.normalize, eps 1e-12), the bias is not used; the loss is
plain CE on these logits, every step, from the first epoch. The
per-modality accuracy comes from the cosine terms scale * cos(z_m, W_m[c])
(the head's partial logits, which add up exactly to the fused logits).

Defaults are the released code's (GeWu-Lab/MMCosine_ICASSP23, main_CD.py
with --mmcosine True): scale 10 (BalanceBenchmark's config uses 15, and
only inside its modulation window, 0-80 by default, i.e. always); the
released script trains 200 epochs, batch 32, SGD lr 1e-3 momentum 0.9
weight decay 1e-4, StepLR(100, 0.1). No switch: the paper, the release
and BalanceBenchmark agree on the rule.

Fusion: concat only. The rule normalises slices of one linear head's
weight; the released FiLM and gated variants are symmetric mid-concat
heads that the harness's film and gated are not (a plan-time error). sum
has no single weight to slice (BalanceBenchmark crashes there) and is
refused too.

M > 2 modalities: one cosine term per modality, as BalanceBenchmark does
for three.

Logged per step: cos_y_<m>, the batch mean of modality m's cosine term at
the true class (the released script's data/logit_<m>).`

func init() {
	methods.Register(methods.Spec{
		Name: "mmcosine",
		Doc:  doc,
		Ref:  "Xu et al., MMCosine: Multi-Modal Cosine Loss Towards Balanced Audio-Visual Fine-Grained Learning, ICASSP 2023; github.com/GeWu-Lab/MMCosine_ICASSP23",
		Params: []methods.ParamSpec{
			{Name: "scale", Default: 10.0, Doc: "scaling s of the cosine logits (released 10; BalanceBenchmark 15)"},
		},
		Caps: methods.Caps{Fusions: []string{"concat"}},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			if s := h.Float("scale"); !(s > 0) {
				return fmt.Errorf("mmcosine: hyperparameter \"scale\" is %v, want > 0", s)
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &MMCosine{Scale: h.Float("scale")}, nil
		},
	})
}

// MMCosine trains with CE on the cosine head's logits.
type MMCosine struct {
	methods.Base
	Scale float64
	head  *Head
}

// Setup implements methods.Method: the concat head is replaced by a
// cosine head over the same weight.
func (c *MMCosine) Setup(r *methods.Run) error {
	cat, ok := r.Model.Fusion.(*model.Concat)
	if !ok {
		return fmt.Errorf("mmcosine: needs the concat fusion head, the model has %T", r.Model.Fusion)
	}
	var dims []int
	for m, enc := range r.Model.Encoders {
		if enc == nil {
			return fmt.Errorf("mmcosine: modality %q has no encoder", r.Model.Modalities[m])
		}
		dims = append(dims, enc.OutDim())
	}
	h, err := NewHead(cat.FC.W, dims, c.Scale)
	if err != nil {
		return err
	}
	c.head = h
	r.Model.Fusion = h
	return nil
}

// Step implements methods.Method: CE on the cosine logits, and the
// per-modality true-class cosine terms logged.
func (c *MMCosine) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	r.Opt.ZeroGrad()
	out := methods.Forward(r, b, true)
	loss, d := nn.SoftmaxCrossEntropy(out.Logits, b.Y)
	for m, t := range c.head.terms {
		var s float64
		for i, y := range b.Y {
			s += float64(t.logits.Row(i)[y])
		}
		r.Log("cos_y_"+r.Model.Modalities[m], s/float64(len(b.Y)))
	}
	methods.Backward(r, out, d, nil)
	r.Opt.Step()
	return methods.Stats{Loss: loss}, nil
}
