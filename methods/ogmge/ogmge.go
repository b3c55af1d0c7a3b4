package ogmge

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/modulation"
	"github.com/miebench/miebench/methods/probe"
	"github.com/miebench/miebench/methods/scores"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const ogmDoc = `OGM-GE: on-the-fly gradient modulation with generalisation enhancement.
Each step: CE on the fused output and backward; each modality's score
s_m = sum over the batch of softmax(out_m)[y] from the fusion head's partial
logits (concat: z_m W_m^T + b/M; sum: fc_m(z_m) with its full bias);
ratio_v = s_v/s_a. The stronger modality's encoder gradients are scaled by
k = 1 - tanh(alpha * relu(ratio - ratio_offset)), the weaker keeps k = 1; at
ratio exactly 1 audio (the first modality) is scaled, as the released code's
else branch does. With ge (default) Gaussian noise N(0, (std(g)+1e-8)^2) is
added elementwise to every modulated tensor of both encoders, std taken from
the unmodulated gradient. Then the optimizer step.

Defaults are the released code's (GeWu-Lab/OGM-GE_CVPR2022): alpha 0.8
(CREMA-D; 0.1 for VGGSound), modulation in epochs 0..50 inclusive, and
relu(ratio) rather than the paper's relu(ratio - 1): switch ratio_offset=1
gives the paper's rule (k = 1 until the ratio passes 1). The journal
version (TPAMI 2024) uses modulation_starts 6 and modulation_ends 60.

Parameter scope: only each encoder's 4-D tensors (convolution weights), as
released; batch-norm, biases and every head are never touched. An encoder
without 4-D tensors (the mlp encoder) has its 2-D linear weights modulated
instead (biases untouched), the closest analogue, since otherwise the method
would do nothing on feature-vector data.

Fusion: concat and sum use partial logits as released. film and gated have
no partial logits (the released script crashes there); the harness then
trains a linear probe per modality on detached features (a head
"head.<modality>.probe" with its own CE; no gradient reaches the encoders)
and takes the scores from the probes' logits; the probes also give the
per-modality accuracy.

M > 2 modalities: every modality except the weakest (smallest score; ties
go to the last of them) gets k_m = 1 - tanh(alpha*relu(s_m/s_weakest -
ratio_offset)); the weakest keeps 1. For two modalities this is exactly the
released rule.

Logged per step: score_<m> (s_m / batch size), ratio_<m> (s_m/s_weakest),
k_<m> (the coefficient applied; 1 outside the modulation window).`

func init() {
	methods.Register(methods.Spec{
		Name: "ogm-ge",
		Doc:  ogmDoc,
		Ref:  "Peng et al., Balanced Multimodal Learning via On-the-fly Gradient Modulation, CVPR 2022; github.com/GeWu-Lab/OGM-GE_CVPR2022",
		Params: []methods.ParamSpec{
			{Name: "alpha", Default: 0.8, Doc: "modulation strength alpha in k = 1 - tanh(alpha * relu(ratio - offset))"},
			{Name: "modulation_starts", Default: 0, Doc: "first epoch (0-based, inclusive) with modulation"},
			{Name: "modulation_ends", Default: 50, Doc: "last epoch (0-based, inclusive) with modulation"},
			{Name: "ratio_offset", Default: 0.0, Switch: true, Doc: "0: released relu(ratio), k jumps to 1-tanh(alpha) once ratio > 1; 1: the paper's relu(ratio - 1)"},
			{Name: "ge", Default: true, Doc: "add the generalisation-enhancement noise (OGM-GE); false is plain OGM"},
		},
		Caps: methods.Caps{MinModalities: 2, Fusions: model.Fusions},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			return ogmValidate(h)
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &OGMGE{
				Alpha:  h.Float("alpha"),
				Start:  h.Int("modulation_starts"),
				End:    h.Int("modulation_ends"),
				Offset: h.Float("ratio_offset"),
				GE:     h.Bool("ge"),
			}, nil
		},
	})
}

func ogmValidate(h methods.Hyper) error {
	if a := h.Float("alpha"); a < 0 {
		return fmt.Errorf("ogm-ge: hyperparameter \"alpha\" is %v, want >= 0", a)
	}
	_, err := modulation.WindowFrom("ogm-ge", h)
	return err
}

// OGMGE is OGM-GE (ge true) or OGM (ge false) as released.
type OGMGE struct {
	methods.Base
	Alpha      float64
	Start, End int
	Offset     float64
	GE         bool

	scorer *probe.Scorer // unimodal logits: partial, or probe heads (film, gated)
	scope  [][]*nn.Param // per modality, the tensors modulated
}

// Setup adds probe heads where the fusion head has no partial logits and
// fixes the parameter scope.
func (o *OGMGE) Setup(r *methods.Run) error {
	var err error
	if o.scorer, err = probe.NewScorer("ogm-ge", r); err != nil {
		return err
	}
	o.scope = make([][]*nn.Param, len(r.Model.Modalities))
	for m := range o.scope {
		o.scope[m] = modulation.ConvOrLinearWeights(methods.EncoderParams(r, m))
	}
	return nil
}

// Step does one OGM-GE step.
func (o *OGMGE) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	r.Opt.ZeroGrad()
	out := methods.Forward(r, b, true)
	loss, d := nn.SoftmaxCrossEntropy(out.Logits, b.Y)
	uni := o.scorer.Logits(r, out, b.Y)
	s := make([]float64, len(uni))
	for m, l := range uni {
		s[m] = scores.TrueClassMass(l, b.Y)
	}
	methods.Backward(r, out, d, nil)

	k, ratio := ogmCoefficients(s, o.Alpha, o.Offset)
	active := modulation.Window{Start: o.Start, End: o.End}.Active(r.Epoch)
	for m, mod := range r.Model.Modalities {
		applied := 1.0
		if active {
			applied = k[m]
			for _, p := range o.scope[m] {
				ogmModulate(p.Grad.Data, k[m], o.GE, r.RNG)
			}
		}
		r.Log("score_"+mod, s[m]/float64(b.Len()))
		r.Log("ratio_"+mod, ratio[m])
		r.Log("k_"+mod, applied)
	}
	r.Opt.Step()
	return methods.Stats{Loss: loss}, nil
}
