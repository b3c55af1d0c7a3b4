package agm

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/grads"
	"github.com/miebench/miebench/methods/modulation"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const doc = `AGM: adaptive gradient modulation from Shapley-style per-modality logits.
Each step, besides the training forward f(all), the fused head is evaluated
(eval mode, no gradient) on every coalition S of modalities with the others
removed; modality m's logits are phi_m = sum over S not holding m of
|S|! (M-|S|-1)!/M! (f(S+m) - f(S)) (M = 2: 0.5 (f(a,v) - f(0,v) + f(a,0))).
Its score is s_m = mean over the batch of -log softmax(phi_m)[y] (the
probability floored at 1e-8); r_m = exp(M/(M-1) (mean(s) - s_m)); the
target rbar_m is the same expression of the running average of s_m over all
steps since training began (starting from 0, updated after use);
k_m = exp(alpha * min(rbar_m - r_m, clip)): a modality whose loss rises
above its usual share gets k > 1, one that improves faster gets k < 1.

Defaults follow the released code (lihongcs/AGM, read from copies of its
models.py and main.py; the repository itself was not available here):
removed modalities get a zero input run through their encoder in eval mode
(pad=input), f(empty) counts as 0 (empty=zero), clip 10, and k acts through
backward hooks on phi_m. Because the coalition passes carry no gradient,
every phi_m reaches the trainable graph only through f(all)/M, so the hooks
scale the gradient of the fused output, and with it every parameter of the
model, by mean_m k_m (apply=fused). apply=encoder is the paper's and
BalanceBenchmark's per-modality reading: encoder m's gradients (tensors of
rank >= 2) are multiplied by k_m. bb_sign and clip 7 give BalanceBenchmark's
r_m = exp(M/(M-1)(s_m - mean(s))), which damps the lagging modality instead.
alpha: 1.5 is the authors' CREMA-D value (their issue 17); BalanceBenchmark
uses 0.1.

Any number of modalities (the Shapley sum is defined for every M; the cost
is 2^M - 1 extra head evaluations per step) and every fusion head: only
fused outputs are used. The per-modality accuracy columns come from the
fusion head's partial logits (concat, sum) or a probe (film, gated); with
pad=feature and empty=zero, phi_m on a concat head is exactly its partial
logits.

Logged per step: score_<m> (s_m), ratio_<m> (r_m), target_<m> (rbar_m),
k_<m> (the coefficient, 1 outside the modulation window) and, with
apply=fused, k_fused (the factor applied to every gradient).`

// Pad modes: how a modality is removed from a coalition.
const (
	PadInput   = "input"   // a zero input through the encoder in eval mode (released)
	PadFeature = "feature" // its features set to zero
)

// Apply modes: where k acts.
const (
	ApplyFused   = "fused"   // the fused output's gradient times mean(k) (released hooks)
	ApplyEncoder = "encoder" // encoder m's gradients times k_m (paper, BalanceBenchmark)
)

func init() {
	methods.Register(methods.Spec{
		Name: "agm",
		Doc:  doc,
		Ref:  "Li et al., Boosting Multi-modal Model Performance with Adaptive Gradient Modulation, ICCV 2023; github.com/lihongcs/AGM",
		Params: []methods.ParamSpec{
			{Name: "alpha", Default: 1.5, Doc: "strength alpha in k = exp(alpha * min(rbar - r, clip)); the authors' CREMA-D value, BalanceBenchmark 0.1"},
			{Name: "clip", Default: 10.0, Doc: "upper clip of rbar - r (released 10, BalanceBenchmark 7)"},
			{Name: "modulation_starts", Default: 0, Doc: "first epoch (0-based, inclusive) with modulation"},
			{Name: "modulation_ends", Default: 80, Doc: "last epoch (0-based, inclusive) with modulation (BalanceBenchmark's window 0..80)"},
			{Name: "pad", Default: PadInput, Switch: true, Doc: "input: a removed modality is a zero input through its encoder in eval mode, as released; feature: its features are zeroed (the paper's f with features set to 0)"},
			{Name: "empty", Default: EmptyZero, Switch: true, Doc: "zero: f(empty) counts as 0, as released; subtract: the paper's exact Shapley value with f(empty) from an all-removed pass; skip: BalanceBenchmark drops the empty-coalition term"},
			{Name: "apply", Default: ApplyFused, Switch: true, Doc: "fused: the released hooks, whose net effect scales every gradient by mean(k); encoder: encoder m's gradients times k_m, the paper's and BalanceBenchmark's reading"},
			{Name: "bb_sign", Default: false, Switch: true, Doc: "true: BalanceBenchmark's r_m = exp(M/(M-1)(s_m - mean s)), the opposite sign of the released exp(M/(M-1)(mean s - s_m))"},
		},
		Caps: methods.Caps{MinModalities: 2, Fusions: model.Fusions},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			_, err := fromHyper(h)
			return err
		},
		New: func(h methods.Hyper) (methods.Method, error) { return fromHyper(h) },
	})
}

func fromHyper(h methods.Hyper) (*AGM, error) {
	w, err := modulation.WindowFrom("agm", h)
	if err != nil {
		return nil, err
	}
	a := &AGM{Alpha: h.Float("alpha"), Clip: h.Float("clip"), Window: w,
		Pad: h.String("pad"), Empty: h.String("empty"), Apply: h.String("apply"), BBSign: h.Bool("bb_sign")}
	switch {
	case a.Alpha < 0:
		return nil, fmt.Errorf("agm: hyperparameter \"alpha\" is %v, want >= 0", a.Alpha)
	case a.Pad != PadInput && a.Pad != PadFeature:
		return nil, fmt.Errorf("agm: hyperparameter \"pad\" is %q, want %q or %q", a.Pad, PadInput, PadFeature)
	case a.Empty != EmptyZero && a.Empty != EmptySubtract && a.Empty != EmptySkip:
		return nil, fmt.Errorf("agm: hyperparameter \"empty\" is %q, want %q, %q or %q", a.Empty, EmptyZero, EmptySubtract, EmptySkip)
	case a.Apply != ApplyFused && a.Apply != ApplyEncoder:
		return nil, fmt.Errorf("agm: hyperparameter \"apply\" is %q, want %q or %q", a.Apply, ApplyFused, ApplyEncoder)
	}
	return a, nil
}

// AGM is adaptive gradient modulation as released, with the paper's and
// BalanceBenchmark's readings behind switches.
type AGM struct {
	methods.Base
	Alpha, Clip float64
	Window      modulation.Window
	Pad         string
	Empty       string
	Apply       string
	BBSign      bool

	target []float64     // running average of each modality's score
	iter   int           // 1-based global step of the running average
	scope  [][]*nn.Param // apply=encoder: per modality, the tensors scaled
}

// Setup checks the model and fixes the tensors apply=encoder scales.
func (a *AGM) Setup(r *methods.Run) error {
	md := r.Model
	if md.Fusion == nil {
		return fmt.Errorf("agm: needs a fusion head")
	}
	if err := methods.NeedEncoders("agm", md); err != nil {
		return err
	}
	a.target = make([]float64, len(md.Modalities))
	a.scope = make([][]*nn.Param, len(md.Modalities))
	for m := range a.scope {
		for _, p := range methods.EncoderParams(r, m) {
			if len(p.Grad.Shape) != 1 { // BalanceBenchmark leaves biases and batch-norm alone
				a.scope[m] = append(a.scope[m], p)
			}
		}
	}
	return nil
}

// removed returns, per modality, the features standing in for it when it
// is outside a coalition. With pad=input they are the eval-mode encoding of
// a zero input, the same for every sample, so one zero sample is encoded
// and its features repeated over the batch.
func (a *AGM) removed(r *methods.Run, b *methods.Batch, z []*nn.Tensor) []*nn.Tensor {
	out := make([]*nn.Tensor, len(z))
	for m, zm := range z {
		out[m] = nn.NewTensor(zm.Shape...)
		if a.Pad == PadFeature {
			continue
		}
		shape := append([]int{1}, b.X[m].Shape[1:]...)
		one := r.Model.Encoders[m].Forward(nn.NewTensor(shape...), false)
		for i := range zm.Rows() {
			copy(out[m].Row(i), one.Data)
		}
	}
	return out
}

// shapley returns every modality's phi_m for the batch: full is
// f(all) as [N, C] (the training forward's logits), z the features.
func (a *AGM) shapley(r *methods.Run, b *methods.Batch, z []*nn.Tensor, full *nn.Tensor) ([][]float64, error) {
	nmod := len(z)
	outs := make([][]float64, 1<<nmod)
	outs[len(outs)-1] = full.Float64s()
	pad := a.removed(r, b, z)
	for mask := 0; mask < len(outs)-1; mask++ {
		if mask == 0 && a.Empty != EmptySubtract {
			continue
		}
		zs := make([]*nn.Tensor, nmod)
		for m := range zs {
			if mask&(1<<m) != 0 {
				zs[m] = z[m]
			} else {
				zs[m] = pad[m]
			}
		}
		outs[mask] = r.Model.Fusion.Forward(zs, false).Float64s()
	}
	phi := make([][]float64, nmod)
	for m := range phi {
		var err error
		if phi[m], err = ShapleyLogits(outs, m, nmod, a.Empty); err != nil {
			return nil, err
		}
	}
	return phi, nil
}

// Step does one AGM step.
func (a *AGM) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	r.Opt.ZeroGrad()
	out := methods.Forward(r, b, true)
	loss, d := nn.SoftmaxCrossEntropy(out.Logits, b.Y)
	phi, err := a.shapley(r, b, out.Z, out.Logits)
	if err != nil {
		return methods.Stats{}, err
	}
	classes := out.Logits.RowLen()
	s := make([]float64, len(phi))
	for m, p := range phi {
		s[m] = Score(p, b.Y, classes)
	}
	k, ratio, target := Coefficients(s, a.target, a.Alpha, a.Clip, a.BBSign)
	a.iter++
	UpdateTarget(a.target, s, a.iter)

	active := a.Window.Active(r.Epoch)
	if active && a.Apply == ApplyFused {
		f := float32(MeanCoefficient(k))
		for i := range d.Data {
			d.Data[i] *= f
		}
	}
	methods.Backward(r, out, d, nil)
	if active && a.Apply == ApplyEncoder {
		for m, ps := range a.scope {
			grads.Scale(ps, k[m])
		}
	}
	for m, mod := range r.Model.Modalities {
		applied := 1.0
		if active {
			applied = k[m]
		}
		r.Log("score_"+mod, s[m])
		r.Log("ratio_"+mod, ratio[m])
		r.Log("target_"+mod, target[m])
		r.Log("k_"+mod, applied)
	}
	if a.Apply == ApplyFused {
		f := 1.0
		if active {
			f = MeanCoefficient(k)
		}
		r.Log("k_fused", f)
	}
	r.Opt.Step()
	return methods.Stats{Loss: loss}, nil
}
