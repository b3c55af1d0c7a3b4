package pmr

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/modulation"
	"github.com/miebench/miebench/methods/scores"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const pmrDoc = `PMR: prototypical modal rebalance. Each modality m has class prototypes
c_k^m, the mean feature z_m of class k, computed in evaluation mode without
gradients over the first max(1, floor(B/proto_divisor)) batches of the
shuffled training set (B batches per epoch), before epoch 0 and before every
later epoch; from the prototypes computed after epoch 1 on,
c <- (1 - momentum) c_new + momentum c_old (the released loop passes the
finished epoch's index and skips momentum at index 0). A class absent from
those batches keeps its previous prototype (zeros at first), where the
released code divides by zero. The prototype classifier's logits are minus
the Euclidean (not squared) distances, no temperature; s_m = sum over the
batch of softmax(-d(z_m, c^m))[y] and rho = s_a/s_v.
Inside the window [modulation_starts, modulation_ends] (0-based,
inclusive): L = CE(out, y) + beta CE(-d_a, y) + lambda CE(-d_v, y) with
(beta, lambda) = (0, alpha) if rho > 1, (alpha, 0) if rho < 1, (0, 0) if
equal: only the slower modality gets the prototype term. Outside: CE only.
The prototype term's gradient flows into that modality's encoder only.

Defaults are the released code's (fanyunfeng-bit/Modal-Imbalance-PMR):
alpha 2.0 (CREMA-D with sum/concat; the scripts use 3.0 for FiLM), window
0..70, momentum 0.0 (the argparse default is 0.2, every released script
passes 0.0), prototypes over a tenth of an epoch. Switches for the paper:
ratio_scaling=true scales the coefficient by the imbalance,
alpha * (s_max/s_m - 1); entropy_weight > 0 adds the paper's prototype
entropy regulariser, minus entropy_weight times the mean entropy of the
leading modality's prototype prediction softmax(-d), during epochs
< entropy_epochs (inside the window), to keep the dominant modality from
converging prematurely. The released code does neither.

Fusion: works with every head (concat, sum, film, gated); PMR only uses
the encoders' features. Per-modality accuracy comes from the partial logits
(concat, sum) or the run loop's linear probe (film, gated).

M > 2 modalities: every modality whose score is below the largest gets
the prototype term (alpha, or alpha*(s_max/s_m - 1) with ratio_scaling);
the leaders get none. For two modalities this is the released rule.

Logged per step: score_<m> (s_m / batch size), proto_coeff_<m> (the
coefficient applied, 0 outside the window), proto_loss_<m>, and for two
modalities rho = s_a/s_v.`

func init() {
	methods.Register(methods.Spec{
		Name: "pmr",
		Doc:  pmrDoc,
		Ref:  "Fan et al., PMR: Prototypical Modal Rebalance for Multimodal Learning, CVPR 2023; github.com/fanyunfeng-bit/Modal-Imbalance-PMR",
		Params: []methods.ParamSpec{
			{Name: "alpha", Default: 2.0, Doc: "weight of the slower modality's prototype cross-entropy"},
			{Name: "momentum", Default: 0.0, Doc: "prototype momentum mu: c = (1-mu) c_new + mu c_old (released scripts 0.0, argparse default 0.2)"},
			{Name: "modulation_starts", Default: 0, Doc: "first epoch (0-based, inclusive) with the prototype term"},
			{Name: "modulation_ends", Default: 70, Doc: "last epoch (0-based, inclusive) with the prototype term"},
			{Name: "proto_divisor", Default: 10, Doc: "prototypes use the first max(1, batches_per_epoch / proto_divisor) training batches"},
			{Name: "ratio_scaling", Default: false, Switch: true, Doc: "false: released constant alpha; true: the paper's alpha scaled by the imbalance, alpha*(s_max/s_m - 1)"},
			{Name: "entropy_weight", Default: 0.0, Switch: true, Doc: "0: released, no regulariser; > 0: the paper's prototype-entropy regulariser on the leading modality with this weight"},
			{Name: "entropy_epochs", Default: 10, Doc: "the entropy regulariser (when entropy_weight > 0) acts in epochs < entropy_epochs"},
		},
		Caps: methods.Caps{MinModalities: 2, Fusions: model.Fusions},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			if mu := h.Float("momentum"); mu < 0 || mu > 1 {
				return fmt.Errorf("pmr: hyperparameter \"momentum\" is %v, want within [0, 1]", mu)
			}
			if a := h.Float("alpha"); a < 0 {
				return fmt.Errorf("pmr: hyperparameter \"alpha\" is %v, want >= 0", a)
			}
			if d := h.Int("proto_divisor"); d < 1 {
				return fmt.Errorf("pmr: hyperparameter \"proto_divisor\" is %d, want >= 1", d)
			}
			if w := h.Float("entropy_weight"); w < 0 {
				return fmt.Errorf("pmr: hyperparameter \"entropy_weight\" is %v, want >= 0", w)
			}
			_, err := modulation.WindowFrom("pmr", h)
			return err
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &PMR{
				Alpha:         h.Float("alpha"),
				Momentum:      h.Float("momentum"),
				Start:         h.Int("modulation_starts"),
				End:           h.Int("modulation_ends"),
				ProtoDivisor:  h.Int("proto_divisor"),
				RatioScaling:  h.Bool("ratio_scaling"),
				EntropyWeight: h.Float("entropy_weight"),
				EntropyEpochs: h.Int("entropy_epochs"),
			}, nil
		},
	})
}

// PMR is prototypical modal rebalance as released, with the paper's ratio
// scaling and entropy regulariser as switches.
type PMR struct {
	methods.Base
	Alpha, Momentum float64
	Start, End      int
	ProtoDivisor    int
	RatioScaling    bool
	EntropyWeight   float64
	EntropyEpochs   int

	protos []*nn.Tensor // per modality [C, D_m]
}

// Setup checks that every modality has an encoder and a fusion head exists.
func (p *PMR) Setup(r *methods.Run) error {
	if r.Model.Fusion == nil {
		return fmt.Errorf("pmr: needs a fusion head")
	}
	if err := methods.NeedEncoders("pmr", r.Model); err != nil {
		return err
	}
	p.protos = nil
	return nil
}

// StartEpoch recomputes the prototypes: before epoch 0 from scratch, later
// ones from the model after the previous epoch, with momentum from epoch 2.
func (p *PMR) StartEpoch(r *methods.Run, epoch int) error {
	md := r.Model
	accs := make([]*pmrProtoAccum, len(md.Modalities))
	for m, enc := range md.Encoders {
		accs[m] = newPMRProtoAccum(md.NumClasses, enc.OutDim())
	}
	n := max(1, r.BatchesPerEpoch/p.ProtoDivisor)
	err := r.Loop.TrainBatches(n, func(b *methods.Batch) error {
		out := methods.Forward(r, b, false)
		for m, acc := range accs {
			acc.add(out.Z[m], b.Y)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pmr: computing prototypes before epoch %d: %w", epoch, err)
	}
	mu := 0.0
	if epoch >= 2 {
		mu = p.Momentum
	}
	next := make([]*nn.Tensor, len(accs))
	for m, acc := range accs {
		var old *nn.Tensor
		if p.protos != nil {
			old = p.protos[m]
		}
		next[m] = acc.prototypes(old, mu)
	}
	p.protos = next
	return nil
}

// Step does one PMR step.
func (p *PMR) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	if p.protos == nil {
		return methods.Stats{}, fmt.Errorf("pmr: Step before the prototypes were computed (StartEpoch not called)")
	}
	md := r.Model
	nm := len(md.Modalities)
	r.Opt.ZeroGrad()
	out := methods.Forward(r, b, true)
	loss, d := nn.SoftmaxCrossEntropy(out.Logits, b.Y)

	protoLoss := make([]float64, nm)
	sc := make([]float64, nm)
	// dL/dz of the prototype loss is computed only for the modalities whose
	// coefficient below is non-zero; the others never used it.
	grad := make([]func() *nn.Tensor, nm)
	for m, z := range out.Z {
		protoLoss[m], sc[m], grad[m] = pmrProtoCEDeferred(z, p.protos[m], b.Y)
	}
	coeff := make([]float64, nm)
	extra := make([]*nn.Tensor, nm)
	active := modulation.Window{Start: p.Start, End: p.End}.Active(r.Epoch)
	if active {
		coeff = pmrCoefficients(sc, p.Alpha, p.RatioScaling)
		for m, c := range coeff {
			if c == 0 {
				continue
			}
			loss += c * protoLoss[m]
			dz := grad[m]()
			nn.Scale(float32(c), dz)
			extra[m] = dz
		}
		if p.EntropyWeight > 0 && r.Epoch < p.EntropyEpochs {
			if l := scores.Leader(sc); pmrStrictLeader(sc, l) {
				h, dh := pmrProtoEntropy(out.Z[l], p.protos[l])
				loss -= p.EntropyWeight * h
				nn.Scale(float32(-p.EntropyWeight), dh)
				if extra[l] == nil {
					extra[l] = dh
				} else {
					nn.Axpy(1, dh, extra[l])
				}
				r.Log("proto_entropy_"+md.Modalities[l], h)
			}
		}
	}
	methods.Backward(r, out, d, extra)
	r.Opt.Step()

	for m, mod := range md.Modalities {
		r.Log("score_"+mod, sc[m]/float64(b.Len()))
		r.Log("proto_coeff_"+mod, coeff[m])
		r.Log("proto_loss_"+mod, protoLoss[m])
	}
	if nm == 2 && sc[1] > 0 {
		r.Log("rho", sc[0]/sc[1])
	}
	return methods.Stats{Loss: loss}, nil
}

// pmrStrictLeader reports whether modality l's score is strictly above
// every other's (no regulariser when the modalities are tied).
func pmrStrictLeader(scores []float64, l int) bool {
	for m, s := range scores {
		if m != l && s >= scores[l] {
			return false
		}
	}
	return true
}
