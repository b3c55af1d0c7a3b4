package methods

import (
	"fmt"

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
	Register(Spec{
		Name: "ogm-ge",
		Doc:  ogmDoc,
		Ref:  "Peng et al., Balanced Multimodal Learning via On-the-fly Gradient Modulation, CVPR 2022; github.com/GeWu-Lab/OGM-GE_CVPR2022",
		Params: []ParamSpec{
			{Name: "alpha", Default: 0.8, Doc: "modulation strength alpha in k = 1 - tanh(alpha * relu(ratio - offset))"},
			{Name: "modulation_starts", Default: 0, Doc: "first epoch (0-based, inclusive) with modulation"},
			{Name: "modulation_ends", Default: 50, Doc: "last epoch (0-based, inclusive) with modulation"},
			{Name: "ratio_offset", Default: 0.0, Switch: true, Doc: "0: released relu(ratio), k jumps to 1-tanh(alpha) once ratio > 1; 1: the paper's relu(ratio - 1)"},
			{Name: "ge", Default: true, Doc: "add the generalisation-enhancement noise (OGM-GE); false is plain OGM"},
		},
		Validate: func(h Hyper, p PlanInfo) error {
			return ogmValidate("ogm-ge", h, p)
		},
		New: func(h Hyper) (Method, error) {
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

func ogmValidate(name string, h Hyper, p PlanInfo) error {
	if a := h.Float("alpha"); a < 0 {
		return fmt.Errorf("%s: hyperparameter \"alpha\" is %v, want >= 0", name, a)
	}
	if err := ogmCheckWindow(name, h); err != nil {
		return err
	}
	return ogmCheckPlan(name, p)
}

// ogmCheckWindow rejects a negative or empty modulation window
// [modulation_starts, modulation_ends] (OGM-GE and PMR).
func ogmCheckWindow(name string, h Hyper) error {
	if s, e := h.Int("modulation_starts"), h.Int("modulation_ends"); s < 0 || e < s {
		return fmt.Errorf("%s: modulation window [%d, %d] is empty or negative, want 0 <= modulation_starts <= modulation_ends", name, s, e)
	}
	return nil
}

// ogmCheckPlan accepts every fusion head that has partial logits or whose
// unimodal scores can come from probes, and at least two modalities.
func ogmCheckPlan(name string, p PlanInfo) error {
	if len(p.Modalities) < 2 {
		return fmt.Errorf("%s: needs at least two modalities, the dataset has %v", name, p.Modalities)
	}
	switch p.Fusion {
	case "concat", "sum", "film", "gated":
		return nil
	}
	return fmt.Errorf("%s: needs a fusion head (concat, sum, film or gated), got %q", name, p.Fusion)
}

// OGMGE is OGM-GE (ge true) or OGM (ge false) as released.
type OGMGE struct {
	Base
	Alpha      float64
	Start, End int
	Offset     float64
	GE         bool

	probes bool          // unimodal scores from probe heads (film, gated)
	scope  [][]*nn.Param // per modality, the tensors modulated
}

// Setup adds probe heads where the fusion head has no partial logits and
// fixes the parameter scope.
func (o *OGMGE) Setup(r *Run) error {
	var err error
	o.probes, err = ogmSetupScores("ogm-ge", r)
	if err != nil {
		return err
	}
	o.scope = make([][]*nn.Param, len(r.Model.Modalities))
	for m := range o.scope {
		o.scope[m] = ogmScope(EncoderParams(r, m))
	}
	return nil
}

// ogmSetupScores checks the fusion head and, when it has no partial
// logits, installs one linear probe head per modality; it reports whether
// probes are in use.
func ogmSetupScores(name string, r *Run) (bool, error) {
	md := r.Model
	if md.Fusion == nil {
		return false, fmt.Errorf("%s: needs a fusion head", name)
	}
	if err := needEncoders(name, md); err != nil {
		return false, err
	}
	switch md.Fusion.Kind() {
	case "concat", "sum":
		return false, nil
	}
	for m, enc := range md.Encoders {
		mod := md.Modalities[m]
		head := nn.NewLinear("head."+mod+".probe", enc.OutDim(), md.NumClasses, r.InitRNG)
		model.SetGroup(head.Params(), "head/"+mod)
		md.Heads[m] = head
	}
	return true, nil
}

// ogmUnimodalLogits returns each modality's logits for scoring: the
// fusion head's partial logits, or, with probes, the probe heads' logits,
// whose own CE is back-propagated into the probes only (features detached).
// It must run after a training Forward and before Backward.
func ogmUnimodalLogits(r *Run, out Output, y []int, probes bool) []*nn.Tensor {
	if !probes {
		return r.Model.Fusion.Partial(out.Z)
	}
	logits := make([]*nn.Tensor, len(out.Z))
	for m, z := range out.Z {
		head := r.Model.Heads[m]
		logits[m] = head.Forward(z, true).Clone()
		_, d := nn.SoftmaxCrossEntropy(logits[m], y)
		head.Backward(d) // the input gradient is dropped: probes do not train encoders
	}
	return logits
}

// Step does one OGM-GE step.
func (o *OGMGE) Step(r *Run, b *Batch) (Stats, error) {
	r.Opt.ZeroGrad()
	out := Forward(r, b, true)
	loss, d := nn.SoftmaxCrossEntropy(out.Logits, b.Y)
	uni := ogmUnimodalLogits(r, out, b.Y, o.probes)
	scores := make([]float64, len(uni))
	for m, l := range uni {
		scores[m] = ogmScore(l, b.Y)
	}
	Backward(r, out, d, nil)

	k, ratio := ogmCoefficients(scores, o.Alpha, o.Offset)
	active := o.Start <= r.Epoch && r.Epoch <= o.End
	for m, mod := range r.Model.Modalities {
		applied := 1.0
		if active {
			applied = k[m]
			for _, p := range o.scope[m] {
				ogmModulate(p.Grad.Data, k[m], o.GE, r.RNG)
			}
		}
		r.Log("score_"+mod, scores[m]/float64(b.Len()))
		r.Log("ratio_"+mod, ratio[m])
		r.Log("k_"+mod, applied)
	}
	r.Opt.Step()
	return Stats{Loss: loss}, nil
}
