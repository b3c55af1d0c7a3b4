package amss

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/probe"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const amssDoc = `%s
Loss: CE on the fused output only. Each step, from the batch before the
update: HY = CE(p, p) as PyTorch computes it with the batch label
histogram p (class fractions) as logits and as target (about log C, not
the label entropy); H_m = batch mean of the entropy of softmax over the
feature vector z_m; score_m = -CE(out_m, y) with out_m the partial logits;
r_m = (score_m + HY + 0.5) / H_m. If any numerator is <= 0 every
coefficient is 1 - 1/M (0.5 for two modalities); otherwise
coeff_a = e^(r_v/T) / (e^(r_v/T) + e^(r_a/T)), coeff_v = 1 - coeff_a,
exponentials in float32 as released (overflow gives Inf/Inf = NaN), then
clamped to [0.1, 0.9] with NaN -> 1 - 1/M. The stronger modality keeps fewer
filters. After backward, for every masked tensor of modality m: importance
of output filter f is g_f = sum of its squared gradient entries,
q_f = g_f / sum g; keep p = ceil(N * coeff_m) of the N filters, sampled
without replacement with probability proportional to q (seeded from the
run's method stream; all-zero importance or too few non-zero filters:
the rest uniformly). AMSS multiplies kept filters' gradients by 1 and the
others by 0; AMSS+ multiplies kept filters by 1/(q_f + 1/N) (plus=true).
The released code also computes a fusion-head mask and never applies it;
so does nothing here. Training recipe of the paper (a suite setting, not a
hyperparameter): SGD lr 0.01, momentum 0.9, wd 1e-4, StepLR(60, 0.1),
80 epochs, batch 64, drop_last.

Parameter scope as released: the convolution weights inside ResNet
residual layers (layer<i>.<j>.conv<k>.weight), not the stem conv1, not the
downsample convolutions, no batch-norm, biases or heads. Encoders without
residual layers: all their 4-D convolution weights (small cnn), or, without
convolutions, their 2-D linear weights with output units as filters (mlp).

Fusion: concat and sum use partial logits (concat: z_m W_m^T + b/M; sum:
fc_m(z_m)). film and gated have none: a linear probe per modality is
trained on detached features ("head.<modality>.probe", own CE, no gradient
into the encoders) and its logits stand in for out_m; the probes also give
the per-modality accuracy.

M > 2 modalities: coeff_m = sum_{j != m} e^(r_j/T) / sum_j e^(r_j/T) (the
released formula for two), same clamp, NaN and numerator rules.

Logged per step: coeff_<m>, r_<m>, score_<m> (-CE of out_m) and keep_<m>
(kept fraction of filters, averaged over the masked tensors).`

func init() {
	for _, v := range []struct {
		name, title string
		plus        bool
	}{
		{"amss", "AMSS: adaptive modality-specific sampling of encoder gradients.", false},
		{"amss-plus", "AMSS+: AMSS with importance-reweighted kept filters (amss with plus=true).", true},
	} {
		plus := v.plus
		methods.Register(methods.Spec{
			Name: v.name,
			Doc:  fmt.Sprintf(amssDoc, v.title),
			Ref:  "Yang et al., Adaptive Modality-Specific Sampling (AMSS/AMSS+), IEEE TPAMI; github.com/njustkmg/TPAMI-AMSS",
			Params: []methods.ParamSpec{
				{Name: "temperature", Default: 0.2, Doc: "temperature T of the significance softmax"},
				{Name: "plus", Default: plus, Doc: "AMSS+: weight kept filters by 1/(q_f + 1/N) instead of 1"},
			},
			Caps: methods.Caps{MinModalities: 2, Fusions: model.Fusions},
			Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
				if t := h.Float("temperature"); !(t > 0) {
					return fmt.Errorf("%s: hyperparameter \"temperature\" is %v, want > 0", v.name, t)
				}
				return nil
			},
			New: func(h methods.Hyper) (methods.Method, error) {
				return &AMSS{Temperature: h.Float("temperature"), Plus: h.Bool("plus")}, nil
			},
		})
	}
}

// AMSS is AMSS (Plus false) or AMSS+ (Plus true) as released.
type AMSS struct {
	methods.Base
	Temperature float64
	Plus        bool

	scorer *probe.Scorer
	scope  [][]*nn.Param
}

// Setup adds probe heads for fusion heads without partial logits and fixes
// the masked parameters.
func (a *AMSS) Setup(r *methods.Run) error {
	var err error
	if a.scorer, err = probe.NewScorer("amss", r); err != nil {
		return err
	}
	a.scope = make([][]*nn.Param, len(r.Model.Modalities))
	for m := range a.scope {
		a.scope[m] = amssScope(methods.EncoderParams(r, m))
	}
	return nil
}

// Step does one AMSS step.
func (a *AMSS) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	md := r.Model
	nm := len(md.Modalities)
	r.Opt.ZeroGrad()
	out := methods.Forward(r, b, true)
	loss, d := nn.SoftmaxCrossEntropy(out.Logits, b.Y)
	uni := a.scorer.Logits(r, out, b.Y)
	hy := amssLabelTerm(b.Y, md.NumClasses)
	num, ent, score := make([]float64, nm), make([]float64, nm), make([]float64, nm)
	for m := range nm {
		score[m] = amssScore(uni[m], b.Y)
		num[m] = score[m] + hy + 0.5
		ent[m] = amssFeatureEntropy(out.Z[m])
	}
	coeff := amssCoefficients(num, ent, a.Temperature)
	methods.Backward(r, out, d, nil)

	for m, mod := range md.Modalities {
		var kept float64
		for _, p := range a.scope[m] {
			imp := amssImportance(p.Grad)
			keep := amssKeepCount(len(imp), coeff[m])
			idx := amssSample(imp, keep, r.RNG)
			amssApplyMask(p.Grad, amssMask(imp, idx, a.Plus))
			kept += float64(keep) / float64(len(imp))
		}
		if len(a.scope[m]) > 0 {
			r.Log("keep_"+mod, kept/float64(len(a.scope[m])))
		}
		r.Log("coeff_"+mod, coeff[m])
		r.Log("r_"+mod, num[m]/ent[m])
		r.Log("score_"+mod, score[m])
	}
	r.Opt.Step()
	return methods.Stats{Loss: loss}, nil
}
