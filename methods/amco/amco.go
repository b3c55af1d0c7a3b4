package amco

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/partiallogits"
	"github.com/miebench/miebench/nn"
)

const doc = `AMCo: adaptive mask co-optimisation, as BalanceBenchmark's AMCo_trainer
implements it (GeWu-Lab/BalanceBenchmark; no official release was found).
The fused output is star(sum_m mask_m * out_m): out_m are the fusion head's
partial logits, star an added Linear(C -> C) (head.star), mask_m a [C]
class mask for a dependent modality and 1 otherwise. Loss: CE of the fused
output plus every modality's CE on its (masked) partial logits.

Each batch b of epoch e: the mask level l = b * e / 10 (l_t starts at 0
every epoch and grows by e/10 per batch), the mask fraction
pt = sin(pi/2 * min(eps, l)/eps), and int(pt * C) classes, chosen at random,
are zeroed in one mask shared by the batch. A modality is dependent when
its share of a softmax taken jointly over all modalities' concatenated
(masked) partial logits, summed over every class and averaged over the
batch, exceeds sigma; the flags computed on batch b are used on batch b+1
and reset at every epoch start. As released, nothing is masked in epoch 0
and from epoch 1 on pt reaches 1 within ceil(3/e) batches, masking every
class of the dependent modality. Evaluation uses no mask: fused
star(sum_m out_m), per-modality accuracy from the partial logits.

Divergences from BalanceBenchmark's code, none a switch: its mask is
expanded to 2 rows and cannot broadcast against a batch of any other size
(a crash); here it is shared by every sample, as the expand intended.
METHODS.md's "mean softmax mass on y" is not what the trainer computes:
the share is over every class of a joint softmax. head.star is initialised
Xavier-normal like every linear layer of the harness.

Fusion: concat and sum (partial logits needed). M > 2: the same joint
softmax over all modalities (at most one can exceed sigma 0.5).

Logged per step: pt (the mask fraction), masked (the fraction of classes
actually zeroed: int(pt*C)/C), share_<m> and dependent_<m> (1 when
modality m was masked on this batch).`

func init() {
	methods.Register(methods.Spec{
		Name: "amco",
		Doc:  doc,
		Ref:  "Zhou, Liang, Zheng, Xuan, Kumada, Adaptive Mask Co-optimization for Modal Dependence in Multimodal Learning, ICASSP 2023; as implemented in github.com/GeWu-Lab/BalanceBenchmark (balancemm/trainer/AMCo_trainer.py)",
		Params: []methods.ParamSpec{
			{Name: "sigma", Default: 0.5, Doc: "a modality is dependent when its joint-softmax share exceeds sigma"},
			{Name: "eps", Default: 0.3, Doc: "mask level at which the mask fraction reaches 1"},
		},
		Caps: methods.Caps{MinModalities: 2, PartialLogits: true},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			if s := h.Float("sigma"); s < 0 || s > 1 {
				return fmt.Errorf("amco: hyperparameter \"sigma\" is %v, want in [0, 1]", s)
			}
			if e := h.Float("eps"); !(e > 0) {
				return fmt.Errorf("amco: hyperparameter \"eps\" is %v, want > 0", e)
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &AMCo{Sigma: h.Float("sigma"), Eps: h.Float("eps")}, nil
		},
	})
}

// AMCo masks classes of the dependent modality's partial logits.
type AMCo struct {
	methods.Base
	Sigma, Eps float64
	star       *nn.Linear
	dependent  []bool
}

// Setup implements methods.Method: adds head.star as an extra module.
func (a *AMCo) Setup(r *methods.Run) error {
	md := r.Model
	if err := methods.NeedEncoders("amco", md); err != nil {
		return err
	}
	if md.Fusion == nil || !md.Fusion.Decomposes() {
		return fmt.Errorf("amco: needs a fusion head with partial logits (concat or sum)")
	}
	a.star = nn.NewLinear("head.star", md.NumClasses, md.NumClasses, r.InitStream("head.star"))
	md.AddExtra("head.star", a.star)
	return nil
}

// StartEpoch implements methods.Method: no modality is dependent yet.
func (a *AMCo) StartEpoch(r *methods.Run, _ int) error {
	a.dependent = make([]bool, len(r.Model.Modalities))
	return nil
}

// Step implements methods.Method.
func (a *AMCo) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	md := r.Model
	nm, c := len(md.Modalities), md.NumClasses
	if a.dependent == nil {
		a.dependent = make([]bool, nm)
	}
	pt := maskFraction(maskLevel(r.Epoch, r.Batch), a.Eps)
	mask := classMask(c, pt, r.RNG)
	r.Opt.ZeroGrad()
	z := make([]*nn.Tensor, nm)
	for m, enc := range md.Encoders {
		z[m] = enc.Forward(b.X[m], true)
	}
	parts := md.Fusion.Partial(z)
	sum := nn.NewTensor(len(b.Y), c)
	for m, p := range parts {
		if a.dependent[m] {
			applyMask(p, mask)
		}
		nn.Axpy(1, p, sum)
	}
	out := a.star.Forward(sum, true)
	loss, dOut := nn.SoftmaxCrossEntropy(out, b.Y)
	dSum := a.star.Backward(dOut)
	dParts := make([]*nn.Tensor, nm)
	for m, p := range parts {
		ce, d := nn.SoftmaxCrossEntropy(p, b.Y)
		loss += ce
		nn.Axpy(1, dSum, d)
		if a.dependent[m] {
			applyMask(d, mask)
		}
		dParts[m] = d
	}
	dz, err := partiallogits.Backward(md.Fusion, z, dParts)
	if err != nil {
		return methods.Stats{}, err
	}
	for m, enc := range md.Encoders {
		enc.Backward(dz[m])
	}
	r.Opt.Step()
	zeros := 0
	for _, v := range mask {
		if v == 0 {
			zeros++
		}
	}
	r.Log("pt", pt)
	r.Log("masked", float64(zeros)/float64(c))
	for m, name := range md.Modalities {
		v := 0.0
		if a.dependent[m] {
			v = 1
		}
		r.Log("dependent_"+name, v)
	}
	share, dep, err := dependence(parts, a.Sigma)
	if err != nil {
		return methods.Stats{}, err
	}
	for m, name := range md.Modalities {
		r.Log("share_"+name, share[m])
	}
	a.dependent = dep
	return methods.Stats{Loss: loss}, nil
}

// Predict implements methods.Method: fused star(sum_m out_m) without masks,
// per-modality accuracy from the partial logits.
func (a *AMCo) Predict(r *methods.Run, b *methods.Batch) (methods.Prediction, error) {
	out := methods.Forward(r, b, false)
	p := methods.PredictFrom(r, out)
	p.Fused = a.star.Forward(out.Logits, false)
	return p, nil
}
