package mbsd

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/partiallogits"
	"github.com/miebench/miebench/nn"
)

const doc = `MBSD: self-distillation between the unimodal outputs. Each step:

  L = CE(out, y) + sum_m CE(out_m, y) + D(out_a, out_v)

with out_m the fusion head's partial logits and, per sample, t_m =
softmax(out_m)[y], s = max(t_a, t_v), u = min(t_a, t_v),
w = s - u when either modality predicts y correctly (else 0),
D = (1/N) sum_i w_i (u_i (log u_i - s_i) + (1/C) ||out_a,i - out_v,i||^2).

This is BalanceBenchmark's MBSD_trainer (GeWu-Lab/BalanceBenchmark; no
other release was found), followed exactly: its "KL" is
F.kl_div(s, u) on the two true-class probabilities, u (log u - s), with a
probability where a log-probability is expected, not a KL divergence
between the class distributions; its squared distance is between logits;
and nothing is detached, so the gradient reaches both modalities and also
flows through w, s and u. Switch detach_teacher: w and the more confident
modality's outputs are constants, so only the less confident modality is
pulled towards it (distillation from the stronger modality, as the method
is usually described).

Fusion: concat and sum (partial logits needed). M > 2: D averaged over all
pairs of modalities (BalanceBenchmark does so for three, but there on
probabilities instead of logits in the squared distance; here logits, as
its two-modality rule).

Logged per step: ce_<m>, kl, rs and w (the batch mean of the per-sample
weights), averaged over pairs.`

func init() {
	methods.Register(methods.Spec{
		Name: "mbsd",
		Doc:  doc,
		Ref:  "MBSD as implemented in github.com/GeWu-Lab/BalanceBenchmark (balancemm/trainer/MBSD_trainer.py)",
		Params: []methods.ParamSpec{
			{Name: "detach_teacher", Default: false, Switch: true, Doc: "false: nothing detached, as BalanceBenchmark; true: the weights and the more confident modality's outputs are constants (one-way distillation)"},
		},
		Caps: methods.Caps{MinModalities: 2, PartialLogits: true},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &MBSD{Detach: h.Bool("detach_teacher")}, nil
		},
	})
}

// MBSD trains the fused output and every modality's partial logits with
// CE plus the pairwise distillation term.
type MBSD struct {
	methods.Base
	Detach bool
}

// Setup implements methods.Method.
func (s *MBSD) Setup(r *methods.Run) error {
	if r.Model.Fusion == nil || !r.Model.Fusion.Decomposes() {
		return fmt.Errorf("mbsd: needs a fusion head with partial logits (concat or sum)")
	}
	return methods.NeedEncoders("mbsd", r.Model)
}

// Step implements methods.Method.
func (s *MBSD) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	md := r.Model
	nm := len(md.Modalities)
	r.Opt.ZeroGrad()
	z := make([]*nn.Tensor, nm)
	for m, enc := range md.Encoders {
		z[m] = enc.Forward(b.X[m], true)
	}
	out := md.Fusion.Forward(z, true)
	loss, dOut := nn.SoftmaxCrossEntropy(out, b.Y)
	parts := md.Fusion.Partial(z)
	dParts := make([]*nn.Tensor, nm)
	for m, p := range parts {
		ce, d := nn.SoftmaxCrossEntropy(p, b.Y)
		loss += ce
		dParts[m] = d
		r.Log("ce_"+md.Modalities[m], ce)
	}
	pairs := float64(nm * (nm - 1) / 2)
	var kl, rs, w float64
	for i := range nm {
		for j := i + 1; j < nm; j++ {
			pr, err := pair(parts[i], parts[j], b.Y, s.Detach)
			if err != nil {
				return methods.Stats{}, err
			}
			loss += pr.Loss / pairs
			kl += pr.KL / pairs
			rs += pr.RS / pairs
			for _, v := range pr.W {
				w += v / float64(len(pr.W)) / pairs
			}
			nn.Axpy(float32(1/pairs), pr.DA, dParts[i])
			nn.Axpy(float32(1/pairs), pr.DB, dParts[j])
		}
	}
	dz := md.Fusion.Backward(dOut)
	dzParts, err := partiallogits.Backward(md.Fusion, z, dParts)
	if err != nil {
		return methods.Stats{}, err
	}
	for m, enc := range md.Encoders {
		g := dz[m].Clone()
		nn.Axpy(1, dzParts[m], g)
		enc.Backward(g)
	}
	r.Opt.Step()
	r.Log("kl", kl)
	r.Log("rs", rs)
	r.Log("w", w)
	return methods.Stats{Loss: loss}, nil
}
