package arl

import (
	"fmt"
	"math"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const doc = `ARL: asymmetric representation learning with unimodal regularisation.
Loss: L_f + g (L_a + L_v), L_f the fused CE and L_m the CE of the fused head
applied to modality m's features with the other modality's set to zero
(z_m W_m^T + b on a concat head: the shared head is trained by all three),
g = 1 up to epoch start, gamma after. After epoch start each encoder's
gradient is multiplied by (1 + w_m) (a gradient scale at the encoder's
output). Every step the gradient norm of all parameters is clipped to
clip_norm (40).

The paper's weights: from the unimodal logits, magnitudes
c_m = sum over classes of the batch mean |logit| and mean entropies H_m,
both as shares of their sum; each entropy share is floored at 0.3 and
inverted into a confidence (normalised); w = softmax(T [c_v conf_a,
c_a conf_v]). The released code (shicaiwei123/ICCV2025-ARL,
main_arl_variance.py with cramed_arl.sh) computes w but never hands it to
the encoders: their gradient scale keeps the 0.5 set during the warm-up, so
as released both encoders' gradients are multiplied by 1.5 after epoch
start (paper_weights=false, the default). paper_weights=true applies
1 + w_m. Defaults are the CREMA-D script's gamma 4 and T 8 (Kinetics-Sounds:
gamma 3, T 4), start 5; its optimiser is SGD lr 1e-3, momentum 0.9, weight
decay 1e-4, batch 64, 100 epochs, MultiStepLR(70, 150). The release also
waits for a non-zero test accuracy of the previous epoch before using
gamma; that test-set dependence is left out (every epoch after start uses
gamma).

Two modalities only (the weights are defined for a pair); every fusion
head (the unimodal logits are the fused head on zeroed features). The
per-modality accuracy columns use the fusion head's partial logits
(concat, sum) or a probe (film, gated).

Logged per step: loss_<m> (L_m), w_<m> (the paper's weight, computed in
both modes), scale_<m> (the factor applied to encoder m's gradient),
grad_norm (before clipping), clipped (1 when clipped).`

func init() {
	methods.Register(methods.Spec{
		Name: "arl",
		Doc:  doc,
		Ref:  "Shi et al., Improving Multimodal Learning via Imbalanced Learning, ICCV 2025; github.com/shicaiwei123/ICCV2025-ARL",
		Params: []methods.ParamSpec{
			{Name: "gamma", Default: 4.0, Doc: "weight of the unimodal losses after epoch start (CREMA-D 4, Kinetics-Sounds 3)"},
			{Name: "temperature", Default: 8.0, Doc: "T in w = softmax(T [...]) (CREMA-D 8, Kinetics-Sounds 4)"},
			{Name: "start", Default: 5, Doc: "the asymmetric phase begins after this epoch (0-based: epochs > start)"},
			{Name: "clip_norm", Default: 40.0, Doc: "clip the total gradient norm to this every step; 0 turns clipping off"},
			{Name: "paper_weights", Default: false, Switch: true, Doc: "false: as released, both encoders' gradients times 1.5 (the computed weights are never applied); true: the paper's 1 + w_m"},
		},
		Caps: methods.Caps{MinModalities: 2, MaxModalities: 2, Fusions: model.Fusions},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			for _, n := range []string{"gamma", "temperature", "clip_norm"} {
				if v := h.Float(n); !(v >= 0) {
					return fmt.Errorf("arl: hyperparameter %q is %v, want >= 0", n, v)
				}
			}
			if s := h.Int("start"); s < 0 {
				return fmt.Errorf("arl: hyperparameter \"start\" is %d, want >= 0", s)
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &ARL{Gamma: h.Float("gamma"), T: h.Float("temperature"), Start: h.Int("start"),
				ClipNorm: h.Float("clip_norm"), PaperWeights: h.Bool("paper_weights")}, nil
		},
	})
}

// releasedWeight is the gradient-scale weight the released encoders keep
// (set to 0.5 in the warm-up branch and never updated).
const releasedWeight = 0.5

// ARL is ARL as released, with the paper's weights behind a switch.
type ARL struct {
	methods.Base
	Gamma, T     float64
	Start        int
	ClipNorm     float64
	PaperWeights bool
}

// Setup checks the model.
func (a *ARL) Setup(r *methods.Run) error {
	if r.Model.Fusion == nil {
		return fmt.Errorf("arl: needs a fusion head")
	}
	return methods.NeedEncoders("arl", r.Model)
}

// Step does one ARL step.
func (a *ARL) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	md := r.Model
	r.Opt.ZeroGrad()
	z := methods.Encode(r, b, true)
	asym := r.Epoch > a.Start
	g := 1.0
	if asym {
		g = a.Gamma
	}
	loss, d := nn.SoftmaxCrossEntropy(methods.Fuse(r, z, true), b.Y)
	dz := methods.BackwardFusion(r, d)
	for m := range dz {
		dz[m] = dz[m].Clone() // the head reuses its gradient buffers
	}
	uni := make([][]float64, len(z))
	lossUni := make([]float64, len(z))
	for m := range z {
		keep := make([]bool, len(z))
		keep[m] = true
		logits := methods.FuseSubset(r, z, keep, true)
		uni[m] = logits.Float64s()
		var dm *nn.Tensor
		lossUni[m], dm = nn.SoftmaxCrossEntropy(logits, b.Y)
		for i := range dm.Data {
			dm.Data[i] *= float32(g)
		}
		// only modality m's features are live; the zeros take no gradient
		nn.Axpy(1, methods.BackwardFusion(r, dm)[m], dz[m])
		loss += g * lossUni[m]
	}
	n, c := b.Len(), md.NumClasses
	wa, wv := Weights(Magnitude(uni[0], n, c), Magnitude(uni[1], n, c), Entropy(uni[0], n, c), Entropy(uni[1], n, c), a.T)
	w := []float64{wa, wv}
	scale := []float64{1, 1}
	if asym {
		for m := range scale {
			scale[m] = 1 + releasedWeight
			if a.PaperWeights {
				scale[m] = 1 + w[m]
			}
			for i := range dz[m].Data {
				dz[m].Data[i] *= float32(scale[m])
			}
		}
	}
	methods.BackwardEncoders(r, dz)
	norm, clipped := clipGradNorm(md.Params(), a.ClipNorm)
	for m, mod := range md.Modalities {
		r.Log("loss_"+mod, lossUni[m])
		r.Log("w_"+mod, w[m])
		r.Log("scale_"+mod, scale[m])
	}
	r.Log("grad_norm", norm)
	cl := 0.0
	if clipped {
		cl = 1
	}
	r.Log("clipped", cl)
	r.Opt.Step()
	return methods.Stats{Loss: loss}, nil
}

// clipGradNorm scales every gradient by max/(norm + 1e-6) when the total
// L2 norm exceeds max (torch's clip_grad_norm_); max 0 only measures. It
// returns the norm before clipping and whether it clipped.
func clipGradNorm(ps []*nn.Param, max float64) (float64, bool) {
	var ss float64
	for _, p := range ps {
		for _, v := range p.Grad.Data {
			ss += float64(v) * float64(v)
		}
	}
	norm := math.Sqrt(ss)
	if max <= 0 {
		return norm, false
	}
	coef := max / (norm + 1e-6)
	if coef >= 1 {
		return norm, false
	}
	for _, p := range ps {
		for i := range p.Grad.Data {
			p.Grad.Data[i] *= float32(coef)
		}
	}
	return norm, true
}
