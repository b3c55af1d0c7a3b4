package opm

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/probe"
	"github.com/miebench/miebench/methods/scores"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const doc = `OPM: on-the-fly prediction modulation by dropping the leading modality's features.
Each step after the warm-up, each modality's score s_m = sum over the batch
of softmax(out_m)[y] is read from the fusion head's partial logits of the
clean features (no gradient; released: concat weights detached, b/2 each);
rho_m = tanh(relu(s_m / s_other - 1)) and q_m = q_base (1 + lambda rho_m)
when rho_m > 0, else 0, clipped to [0, 1]: only the leading modality is
dropped. With probability p_exe the batch is modulated: each sample keeps
modality m's features with probability 1 - q_m (independent Bernoulli
draws), every kept feature of every modality is multiplied by 1/(1-theta),
theta = sum_m d_m q_m / sum_m d_m (d_m the feature widths), and the same
factor scales the gradients flowing back; samples that lost every modality
leave the batch (a batch left empty is skipped without an optimizer step,
its logged loss the clean batch's CE). CE on the fused output of the rest.
Evaluation never drops.

Defaults are the released code's (GeWu-Lab/BML_TPAMI2024, main.py with
--use_adam_drop, scripts/train_opm.sh): q_base 0.5, lambda 0.5, p_exe 0.7, no
dropping while epoch <= 5 (warmup_epochs 6). The released code has no
divergence from the paper that changes the rule, so there is no switch.
BalanceBenchmark's OPM differs only in values (q_base 0.4, no warm-up), and
for three modalities divides by the sum, not the mean, of the others'
scores.

M > 2 modalities: s_other is the mean of the other modalities' scores (for
two modalities exactly the released rule). Every fusion head: the features
dropped are the fusion head's inputs; film and gated, which have no partial
logits, take the scores from probe heads (linear, on detached features, own
CE), which also give the per-modality accuracy.

Logged per step: score_<m> (s_m / batch size), rho_<m>, q_<m> (0 in the
warm-up), kept_<m> (share of the batch keeping modality m: 1 when not
modulated), executed (1 when the batch was modulated), survivors (share of
the batch left).`

func init() {
	methods.Register(methods.Spec{
		Name: "opm",
		Doc:  doc,
		Ref:  "Wei, Hu et al., On-the-fly Modulation for Balanced Multimodal Learning, TPAMI 2024; github.com/GeWu-Lab/BML_TPAMI2024",
		Params: []methods.ParamSpec{
			{Name: "q_base", Default: 0.5, Doc: "base drop probability of the leading modality (BalanceBenchmark 0.4)"},
			{Name: "lambda", Default: 0.5, Doc: "growth of the drop probability with the lead rho: q = q_base (1 + lambda rho)"},
			{Name: "p_exe", Default: 0.7, Doc: "probability that a batch is modulated at all"},
			{Name: "warmup_epochs", Default: 6, Doc: "epochs 0 .. warmup_epochs-1 train without dropping (released: epoch <= 5)"},
		},
		Caps: methods.Caps{MinModalities: 2, Fusions: model.Fusions},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			_, err := fromHyper(h)
			return err
		},
		New: func(h methods.Hyper) (methods.Method, error) { return fromHyper(h) },
	})
}

func fromHyper(h methods.Hyper) (*OPM, error) {
	o := &OPM{QBase: h.Float("q_base"), Lambda: h.Float("lambda"), PExe: h.Float("p_exe"), Warmup: h.Int("warmup_epochs")}
	switch {
	case !(o.QBase >= 0 && o.QBase <= 1):
		return nil, fmt.Errorf("opm: hyperparameter \"q_base\" is %v, want a probability in [0, 1]", o.QBase)
	case !(o.Lambda >= 0):
		return nil, fmt.Errorf("opm: hyperparameter \"lambda\" is %v, want >= 0", o.Lambda)
	case !(o.PExe >= 0 && o.PExe <= 1):
		return nil, fmt.Errorf("opm: hyperparameter \"p_exe\" is %v, want a probability in [0, 1]", o.PExe)
	case o.Warmup < 0:
		return nil, fmt.Errorf("opm: hyperparameter \"warmup_epochs\" is %d, want >= 0", o.Warmup)
	}
	return o, nil
}

// OPM is on-the-fly prediction modulation as released.
type OPM struct {
	methods.Base
	QBase, Lambda, PExe float64
	Warmup              int

	scorer *probe.Scorer
	dims   []int
}

// Setup checks the model, installs probes where the head has no partial
// logits and records the feature widths.
func (o *OPM) Setup(r *methods.Run) error {
	var err error
	if o.scorer, err = probe.NewScorer("opm", r); err != nil {
		return err
	}
	o.dims = make([]int, len(r.Model.Encoders))
	for m, enc := range r.Model.Encoders {
		o.dims[m] = enc.OutDim()
	}
	return nil
}

// Step does one OPM step.
func (o *OPM) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	md := r.Model
	r.Opt.ZeroGrad()
	out := methods.Output{Z: methods.Encode(r, b, true)}
	uni := o.scorer.Logits(r, out, b.Y)
	s := make([]float64, len(uni))
	for m, l := range uni {
		s[m] = scores.TrueClassMass(l, b.Y)
	}
	q := make([]float64, len(s))
	rho := q
	if r.Epoch >= o.Warmup {
		q, rho = DropProbabilities(s, o.QBase, o.Lambda)
	}
	executed := r.Epoch >= o.Warmup && Execute(r.RNG, o.PExe)
	n := b.Len()
	var loss float64
	kept := make([]float64, len(s))
	survivors := 1.0
	if !executed {
		out.Logits = methods.Fuse(r, out.Z, true)
		var d *nn.Tensor
		loss, d = nn.SoftmaxCrossEntropy(out.Logits, b.Y)
		methods.Backward(r, out, d, nil)
		for m := range kept {
			kept[m] = 1
		}
	} else {
		keep := Masks(r.RNG, n, q)
		surv := Survivors(keep)
		survivors = float64(len(surv)) / float64(n)
		for m := range keep {
			for _, k := range keep[m] {
				if k {
					kept[m]++
				}
			}
			kept[m] /= float64(n)
		}
		if len(surv) == 0 {
			// the released code skips the batch; report the clean CE
			loss, _ = nn.SoftmaxCrossEntropy(md.Fusion.Forward(out.Z, false), b.Y)
			o.log(r, s, rho, q, kept, 1, 0, n)
			return methods.Stats{Loss: loss}, nil
		}
		f, err := Factors(keep, Theta(o.dims, q))
		if err != nil {
			return methods.Stats{}, err
		}
		loss = o.droppedStep(r, out.Z, b.Y, surv, f)
	}
	ex := 0.0
	if executed {
		ex = 1
	}
	o.log(r, s, rho, q, kept, ex, survivors, n)
	r.Opt.Step()
	return methods.Stats{Loss: loss}, nil
}

// droppedStep fuses the surviving samples' rescaled features, takes the CE
// on their labels and back-propagates through the same factors into the
// encoders (whose forward saw the whole batch). It returns the loss.
func (o *OPM) droppedStep(r *methods.Run, z []*nn.Tensor, y []int, surv []int, f [][]float64) float64 {
	md := r.Model
	zs := make([]*nn.Tensor, len(z))
	for m, zm := range z {
		d := zm.RowLen()
		zs[m] = nn.NewTensor(len(surv), d)
		for j, i := range surv {
			src, dst, c := zm.Row(i), zs[m].Row(j), float32(f[m][i])
			for k := range dst {
				dst[k] = c * src[k]
			}
		}
	}
	ys := make([]int, len(surv))
	for j, i := range surv {
		ys[j] = y[i]
	}
	logits := md.Fusion.Forward(zs, true)
	loss, d := nn.SoftmaxCrossEntropy(logits, ys)
	dzs := md.Fusion.Backward(d)
	for m, zm := range z {
		dz := nn.NewTensor(zm.Shape...)
		for j, i := range surv {
			src, dst, c := dzs[m].Row(j), dz.Row(i), float32(f[m][i])
			for k := range dst {
				dst[k] = c * src[k]
			}
		}
		md.Encoders[m].Backward(dz)
	}
	return loss
}

func (o *OPM) log(r *methods.Run, s, rho, q, kept []float64, executed, survivors float64, n int) {
	for m, mod := range r.Model.Modalities {
		r.Log("score_"+mod, s[m]/float64(n))
		r.Log("rho_"+mod, rho[m])
		r.Log("q_"+mod, q[m])
		r.Log("kept_"+mod, kept[m])
	}
	r.Log("executed", executed)
	r.Log("survivors", survivors)
}
