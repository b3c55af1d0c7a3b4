package lfm

import (
	"errors"
	"fmt"
	"math"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/grads"
	"github.com/miebench/miebench/methods/partiallogits"
	"github.com/miebench/miebench/nn"
)

const doc = `LFM: learning the modality gap. With out_m the fusion head's partial
logits and mean = (1/M) sum_m out_m, each step minimises

  L = 2 (alpha_cls CE(mean, y) + alpha_align J)

where J is the alignment of the unimodal predictions (averaged over pairs
of modalities). As released, J = 0.5 (KL(m || p_a) + KL(m || p_v)) with
m = (p_a + p_v)/2, because Alignment passes p.log() and m to F.kl_div,
which computes KL(m || p); switch paper_js: the Jensen-Shannon divergence
0.5 (KL(p_a || m) + KL(p_v || m)) the paper writes. The prediction is
mean (the released val takes softmax(0.5 o_v + 0.5 o_a)); per-modality
accuracy from the partial logits.

The weights (alpha_cls, alpha_align), logged every step:
- weights "schedule" (default; Crema_epoch.py, the script the README
  runs): fitted quintic polynomials of the epoch, alpha_cls(0) = 0.205
  rising to 0.916 at epoch 199, alpha_align = 1 - alpha_cls. They were
  fitted for 200 epochs; a shorter run sees only their start.
- weights "learned" (Crema_epoch_learnable.py): before every epoch,
  g = mean over the model's first parameter tensor of the Hessian-vector
  product H v of alpha_cls CE + alpha_align J (no factor 2) with v the
  gradient of CE, both on a fixed held-out batch; the learning rate
  lr_alpha halves at epochs 20, 40, ...; alpha_align -= lr_alpha g,
  clipped to [0.05, 0.95]; alpha_cls = 1 - alpha_align. Released start
  (alpha_cls, alpha_align) = (0.05, 0.95) (BalanceBenchmark starts at
  (0.95, 0.05): set init_align 0.05). The released held-out batch is 16
  random training samples removed from training, of which the first 8 are
  used; here the first held_out samples of the run's validation split
  (never test; BalanceBenchmark's validation loader is the test set).
  The Hessian-vector product, which the release gets by double
  back-propagation, is a central difference of gradients along v,
  (grad(theta + r v) - grad(theta - r v)) / 2r with r ||v|| = 1e-3; the
  parameters and buffers are restored afterwards. Logged: alpha_grad.

Defaults are the released code's (njustkmg/NeurIPS24-LFM): SGD lr 1e-2,
momentum 0.9, weight decay 1e-4, batch 64, StepLR(70, 0.1), 200 epochs.
Switch ce_on_sum: CE on the fused sum sum_m out_m instead of the mean, as
BalanceBenchmark's LFM_trainer does.

Fusion: concat and sum (partial logits; the release has one linear head
per modality, i.e. sum fusion). M > 2: J averaged over all pairs, as
BalanceBenchmark does.`

func init() {
	methods.Register(methods.Spec{
		Name: "lfm",
		Doc:  doc,
		Ref:  "Yang et al., Facilitating Multimodal Classification via Dynamically Learning Modality Gap, NeurIPS 2024; github.com/njustkmg/NeurIPS24-LFM",
		Params: []methods.ParamSpec{
			{Name: "weights", Default: "schedule", Doc: "schedule: the released fitted polynomials of the epoch (Crema_epoch.py); learned: the hypergradient step before every epoch (Crema_epoch_learnable.py)"},
			{Name: "init_align", Default: 0.95, Doc: "learned weights: the starting alpha_align (released 0.95; BalanceBenchmark 0.05)"},
			{Name: "lr_alpha", Default: 1e-4, Doc: "learned weights: learning rate of alpha_align, halved at epochs 20, 40, ..."},
			{Name: "held_out", Default: 8, Doc: "learned weights: validation samples of the fixed batch the hypergradient uses (released 8)"},
			{Name: "paper_js", Default: false, Switch: true, Doc: "false: the released alignment 0.5 (KL(m||p_a) + KL(m||p_v)); true: the paper's Jensen-Shannon divergence 0.5 (KL(p_a||m) + KL(p_v||m))"},
			{Name: "ce_on_sum", Default: false, Switch: true, Doc: "false: CE on the mean of the partial logits, as released; true: CE on their sum (the fused output), as BalanceBenchmark"},
		},
		Caps: methods.Caps{MinModalities: 2, PartialLogits: true},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			if w := h.String("weights"); w != "schedule" && w != "learned" {
				return fmt.Errorf("lfm: hyperparameter \"weights\" is %q, want schedule or learned", w)
			}
			if a := h.Float("init_align"); a < 0.05 || a > 0.95 {
				return fmt.Errorf("lfm: hyperparameter \"init_align\" is %v, want in [0.05, 0.95] (the clip range)", a)
			}
			if lr := h.Float("lr_alpha"); lr < 0 {
				return fmt.Errorf("lfm: hyperparameter \"lr_alpha\" is %v, want >= 0", lr)
			}
			if n := h.Int("held_out"); n < 1 {
				return fmt.Errorf("lfm: hyperparameter \"held_out\" is %d, want >= 1", n)
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			a := h.Float("init_align")
			return &LFM{
				Learned: h.String("weights") == "learned", LRAlpha: h.Float("lr_alpha"),
				HeldOut: h.Int("held_out"), PaperJS: h.Bool("paper_js"), CEOnSum: h.Bool("ce_on_sum"),
				alpha: [2]float64{1 - a, a},
			}, nil
		},
	})
}

// LFM trains with the weighted CE + alignment loss.
type LFM struct {
	methods.Base
	Learned bool
	LRAlpha float64
	HeldOut int
	PaperJS bool
	CEOnSum bool

	alpha     [2]float64 // (alpha_cls, alpha_align)
	alphaGrad float64
	held      *methods.Batch
}

// Setup implements methods.Method.
func (l *LFM) Setup(r *methods.Run) error {
	if r.Model.Fusion == nil || !r.Model.Fusion.Decomposes() {
		return fmt.Errorf("lfm: needs a fusion head with partial logits (concat or sum)")
	}
	return methods.NeedEncoders("lfm", r.Model)
}

// StartEpoch implements methods.Method: sets the epoch's weights.
func (l *LFM) StartEpoch(r *methods.Run, epoch int) error {
	if !l.Learned {
		l.alpha = schedule(epoch)
		return nil
	}
	if l.held == nil {
		b, err := heldOut(r, l.HeldOut)
		if err != nil {
			return err
		}
		l.held = b
	}
	g, err := l.hypergradient(r)
	if err != nil {
		return err
	}
	l.alphaGrad = g
	l.alpha, l.LRAlpha = learnedStep(l.alpha, l.LRAlpha, epoch, g)
	return nil
}

// heldOut copies the first n samples of the validation split.
func heldOut(r *methods.Run, n int) (*methods.Batch, error) {
	out := &methods.Batch{}
	errFull := errors.New("full")
	err := r.Loop.EvalBatches("val", func(b *methods.Batch) error {
		if out.X == nil {
			out.X = make([]*nn.Tensor, len(b.X))
		}
		take := min(n-len(out.Y), b.Len())
		for m, x := range b.X {
			row := x.Len() / max(b.Len(), 1)
			shape := append([]int{len(out.Y) + take}, x.Shape[1:]...)
			t := nn.NewTensor(shape...)
			if out.X[m] != nil {
				copy(t.Data, out.X[m].Data)
			}
			copy(t.Data[len(out.Y)*row:], x.Data[:take*row])
			out.X[m] = t
		}
		out.Y = append(out.Y, b.Y[:take]...)
		if len(out.Y) >= n {
			return errFull
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFull) {
		return nil, fmt.Errorf("lfm: reading the held-out validation batch: %w", err)
	}
	if len(out.Y) == 0 {
		return nil, fmt.Errorf("lfm: the learned weights need validation samples, the validation split is empty")
	}
	return out, nil
}

// backprop computes the loss wCE * CE + wJ * J on batch b in training mode
// and accumulates its gradients; it returns CE and J.
func (l *LFM) backprop(r *methods.Run, b *methods.Batch, wCE, wJ float64) (float64, float64, error) {
	md := r.Model
	nm := len(md.Modalities)
	z := methods.Encode(r, b, true)
	parts := md.Fusion.Partial(z)
	fused := nn.NewTensor(parts[0].Shape...)
	for _, p := range parts {
		nn.Axpy(1, p, fused)
	}
	share := 1.0
	if !l.CEOnSum {
		share = 1 / float64(nm)
		nn.Scale(float32(share), fused)
	}
	ce, dCE := nn.SoftmaxCrossEntropy(fused, b.Y)
	dParts := make([]*nn.Tensor, nm)
	for m := range parts {
		dParts[m] = dCE.Clone()
		nn.Scale(float32(wCE*share), dParts[m])
	}
	pairs := float64(nm * (nm - 1) / 2)
	var j float64
	for a := range nm {
		for c := a + 1; c < nm; c++ {
			v, da, dc, err := alignment(parts[a], parts[c], l.PaperJS)
			if err != nil {
				return 0, 0, err
			}
			j += v / pairs
			nn.Axpy(float32(wJ/pairs), da, dParts[a])
			nn.Axpy(float32(wJ/pairs), dc, dParts[c])
		}
	}
	dz, err := partiallogits.Backward(md.Fusion, z, dParts)
	if err != nil {
		return 0, 0, err
	}
	methods.BackwardEncoders(r, dz)
	return ce, j, nil
}

// hypergradient estimates mean_j (H v)_j over the model's first parameter
// tensor on the held-out batch, H the Hessian of alpha_cls CE + alpha_align
// J and v the gradient of CE, by central differences along v.
func (l *LFM) hypergradient(r *methods.Run) (float64, error) {
	ps := r.Model.Params()
	const save = "lfm.hypergradient"
	r.Save(save)
	r.Opt.ZeroGrad()
	if _, _, err := l.backprop(r, l.held, 1, 0); err != nil {
		return 0, err
	}
	v := grads.Flatten(ps)
	norm := grads.Norm(v)
	if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		r.Opt.ZeroGrad()
		return 0, r.Load(save)
	}
	step := 1e-3 / norm
	at := func(sign float64) ([]float32, error) {
		if err := r.Load(save); err != nil {
			return nil, err
		}
		off := 0
		for _, p := range ps {
			for i := range p.Value.Data {
				p.Value.Data[i] += float32(sign * step * v[off+i])
			}
			off += len(p.Value.Data)
		}
		r.Opt.ZeroGrad()
		if _, _, err := l.backprop(r, l.held, l.alpha[0], l.alpha[1]); err != nil {
			return nil, err
		}
		return append([]float32(nil), ps[0].Grad.Data...), nil
	}
	plus, err := at(1)
	if err != nil {
		return 0, err
	}
	minus, err := at(-1)
	if err != nil {
		return 0, err
	}
	r.Opt.ZeroGrad()
	if err := r.Load(save); err != nil {
		return 0, err
	}
	return hvpMean(plus, minus, step)
}

// Step implements methods.Method.
func (l *LFM) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	r.Opt.ZeroGrad()
	ce, j, err := l.backprop(r, b, 2*l.alpha[0], 2*l.alpha[1])
	if err != nil {
		return methods.Stats{}, err
	}
	r.Opt.Step()
	r.Log("alpha_cls", l.alpha[0])
	r.Log("alpha_align", l.alpha[1])
	r.Log("ce", ce)
	r.Log("align", j)
	if l.Learned {
		r.Log("alpha_grad", l.alphaGrad)
	}
	return methods.Stats{Loss: 2 * (l.alpha[0]*ce + l.alpha[1]*j)}, nil
}

// Predict implements methods.Method: the mean (or, with ce_on_sum, the
// sum) of the partial logits, and the partial logits per modality.
func (l *LFM) Predict(r *methods.Run, b *methods.Batch) (methods.Prediction, error) {
	out := methods.Forward(r, b, false)
	p := methods.PredictFrom(r, out)
	if !l.CEOnSum {
		p.Fused = out.Logits.Clone()
		nn.Scale(1/float32(len(r.Model.Modalities)), p.Fused)
	}
	return p, nil
}
