package mmpareto

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/grads"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const doc = `MMPareto: Pareto integration of the multimodal and the unimodal gradients.
Losses: L_mm = CE(fused output) and, per modality, L_m = CE(head_m(z_m)) with
a linear unimodal head head.<m>.uni. For each encoder m its gradient under
L_mm (g1) and under L_m (g2) are kept apart: if cos(g1, g2) > 0 (over the
whole flattened encoder) the weights are (0.5, 0.5), otherwise the
min-norm weights of the two (the Pareto step; the released two-task solver,
which clamps to 0.999 / 0.001 at the ends). Per parameter tensor,
g = 2 (w1 g1 + w2 g2), rescaled to the norm of g1 + g2 when that is larger,
then times gamma. Every head (fusion and unimodal) takes its plain gradient
of L_mm + sum_m L_m. The unimodal heads give the per-modality accuracy, as
released.

Defaults are the released code's (GeWu-Lab/MMPareto_ICML2024, MMPareto.py):
gamma 1.5, the rescaling per tensor, the cosine over all encoder
parameters (batch-norm and biases included); its optimiser is SGD lr 2e-3,
momentum 0.9, weight decay 1e-4, batch 64, 50 epochs, StepLR(30, 0.1).
Switch pareto=false gives BalanceBenchmark's effective rule: it captures
both gradients after back-propagating every loss, so the two are the same
accumulated gradient, the cosine is always 1 and each encoder simply gets
gamma (g1 + g2) (its conflict branch, which would leave the weights at 0,
never runs).

Any number of modalities (each encoder is integrated with its own
unimodal loss) and every fusion head (only the fused output and the
unimodal heads are used).

Logged per step: cos_<m> (the cosine of g1 and g2), conflict_<m> (1 when the
min-norm branch ran), w_<m> (the weight on the multimodal gradient),
rescaled_<m> (share of the encoder's tensors rescaled), loss_<m> (L_m).`

func init() {
	methods.Register(methods.Spec{
		Name: "mmpareto",
		Doc:  doc,
		Ref:  "Wei and Hu, MMPareto: Boosting Multimodal Learning with Innocent Unimodal Assistance, ICML 2024; github.com/GeWu-Lab/MMPareto_ICML2024",
		Params: []methods.ParamSpec{
			{Name: "gamma", Default: 1.5, Doc: "factor on every integrated encoder gradient"},
			{Name: "pareto", Default: true, Switch: true, Doc: "true: the released cosine test and min-norm weights; false: BalanceBenchmark's effective rule, gamma (g1 + g2) on every encoder"},
		},
		Caps: methods.Caps{MinModalities: 2, Fusions: model.Fusions},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			if g := h.Float("gamma"); !(g > 0) {
				return fmt.Errorf("mmpareto: hyperparameter \"gamma\" is %v, want > 0", g)
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &MMPareto{Gamma: h.Float("gamma"), Pareto: h.Bool("pareto")}, nil
		},
	})
}

// MMPareto is MMPareto as released.
type MMPareto struct {
	methods.Base
	Gamma  float64
	Pareto bool
}

// Setup adds one linear unimodal head per modality; they are the
// per-modality accuracy source, as in the released evaluation.
func (p *MMPareto) Setup(r *methods.Run) error {
	md := r.Model
	if md.Fusion == nil {
		return fmt.Errorf("mmpareto: needs a fusion head")
	}
	if err := methods.NeedEncoders("mmpareto", md); err != nil {
		return err
	}
	for m, enc := range md.Encoders {
		mod := md.Modalities[m]
		name := "head." + mod + ".uni"
		head := nn.NewLinear(name, enc.OutDim(), md.NumClasses, r.InitStream(name))
		model.SetGroup(head.Params(), "head/"+mod)
		md.Heads[m] = head
	}
	return nil
}

// Step does one MMPareto step.
func (p *MMPareto) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	md := r.Model
	r.Opt.ZeroGrad()
	out := methods.Forward(r, b, true)
	loss, d := nn.SoftmaxCrossEntropy(out.Logits, b.Y)
	dzmm := md.Fusion.Backward(d)
	dzuni := make([]*nn.Tensor, len(md.Encoders))
	lossUni := make([]float64, len(md.Encoders))
	for m, head := range md.Heads {
		var du *nn.Tensor
		lossUni[m], du = nn.SoftmaxCrossEntropy(head.Forward(out.Z[m], true), b.Y)
		dzuni[m] = head.Backward(du)
		loss += lossUni[m]
	}
	for m, enc := range md.Encoders {
		ps := enc.Params()
		enc.Backward(dzmm[m])
		g1 := grads.Capture(ps)
		grads.Zero(ps)
		enc.Backward(dzuni[m])
		g2 := grads.Capture(ps)
		dst := make([][]float32, len(ps))
		for i, q := range ps {
			dst[i] = q.Grad.Data
		}
		aa, ab, bb := Dots(g1, g2)
		wmm, wuni, conflict := 0.5, 0.5, false
		if p.Pareto {
			wmm, wuni, conflict = Weights(aa, ab, bb)
		}
		n := Combine(dst, g1, g2, wmm, wuni, p.Gamma)
		mod := md.Modalities[m]
		c := 0.0
		if conflict {
			c = 1
		}
		r.Log("cos_"+mod, Cosine(aa, ab, bb))
		r.Log("conflict_"+mod, c)
		r.Log("w_"+mod, wmm)
		r.Log("rescaled_"+mod, float64(n)/float64(len(ps)))
		r.Log("loss_"+mod, lossUni[m])
	}
	r.Opt.Step()
	return methods.Stats{Loss: loss}, nil
}
