package inforeg

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/scores"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const doc = `InfoReg: adaptive unimodal regulation in the prime learning window.
Loss: L_mm + L_a + L_v, where L_m = CE(out_m) on the concat head's partial
logits out_m = z_m W_m^T + b/2 (the live head, so L_m trains the head and
encoder m). At the start of each epoch the weights are saved and k, the
growth of the first (audio) encoder's Fisher trace, is read: k = (tr1 -
tr2)/tr1, tr1 the sum of the last 10 epochs' traces over 10, tr2 the same
one epoch earlier (the release pads the history with ten zeros; k = 1 in
epoch 0). An epoch's trace sums, over the encoder's weight tensors
(convolution kernels, linear matrices), the mean of the per-step squared
gradients summed over the epoch (the gradients as the optimizer receives
them). While k > threshold (the prime learning window), each step the
modality with the higher score s_m = sum over the batch of
softmax(out_m)[y] is pulled back: grad += beta (theta - theta_epoch_start)
on every parameter of its encoder, beta = beta_audio e^tanh(s_a - s_v) if
audio leads, beta_visual e^tanh(s_v - s_a) if visual leads (scores as sums,
so the tanh saturates quickly, as released).

Defaults are the released code's (GeWu-Lab/InfoReg_CVPR2025, main.py):
beta_audio 0.95, beta_visual 0.1, threshold 0.05; its optimiser is SGD lr
2e-3, momentum 0.9, weight decay 1e-4, batch 64, 50 epochs, StepLR(30, 0.1).
The release has no switch-worthy divergence wired here; note that k reads
only the audio encoder's trace (METHODS.md says "the encoders"), and that
the per-modality betas are fixed constants per modality, not a function of
which modality is weak.

Two modalities only (the betas are given per modality, audio first) and the
concat head only (the partial logits with a trainable split of the head's
weight, as released): other settings are refused at plan time.

Logged per step: score_<m> (s_m / batch size), beta_<m> (the pull applied),
k (the window statistic), in_window (1 inside); per epoch: fisher_<m> (the
epoch's trace of each encoder).`

func init() {
	methods.Register(methods.Spec{
		Name: "inforeg",
		Doc:  doc,
		Ref:  "Huang et al., Adaptive Unimodal Regulation for Balanced Multimodal Information Acquisition, CVPR 2025; github.com/GeWu-Lab/InfoReg_CVPR2025",
		Params: []methods.ParamSpec{
			{Name: "beta_audio", Default: 0.95, Doc: "base pull on the first (audio) encoder when it leads"},
			{Name: "beta_visual", Default: 0.1, Doc: "base pull on the second (visual) encoder when it leads"},
			{Name: "threshold", Default: 0.05, Doc: "the prime learning window lasts while the trace growth k exceeds this"},
		},
		Caps: methods.Caps{MinModalities: 2, MaxModalities: 2, Fusions: []string{"concat"}},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			for _, name := range []string{"beta_audio", "beta_visual"} {
				if v := h.Float(name); !(v >= 0) {
					return fmt.Errorf("inforeg: hyperparameter %q is %v, want >= 0", name, v)
				}
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &InfoReg{BetaA: h.Float("beta_audio"), BetaV: h.Float("beta_visual"), Threshold: h.Float("threshold")}, nil
		},
	})
}

// InfoReg is InfoReg as released.
type InfoReg struct {
	methods.Base
	BetaA, BetaV, Threshold float64

	head   *model.Concat
	traces []float64     // first encoder's Fisher trace per finished epoch
	k      float64       // this epoch's trace growth
	acc    [][][]float32 // per modality, per weight tensor, summed squared gradients
	fisher [][]*nn.Param // per modality, the weight tensors traced
	start  *nn.Snapshot  // weights at the start of the epoch
}

// Setup checks for a concat head and fixes the traced tensors.
func (o *InfoReg) Setup(r *methods.Run) error {
	md := r.Model
	c, ok := md.Fusion.(*model.Concat)
	if !ok {
		return fmt.Errorf("inforeg: needs a concat fusion head")
	}
	if err := methods.NeedEncoders("inforeg", md); err != nil {
		return err
	}
	o.head = c
	o.fisher = make([][]*nn.Param, len(md.Encoders))
	o.acc = make([][][]float32, len(md.Encoders))
	for m := range md.Encoders {
		for _, p := range methods.EncoderParams(r, m) {
			if len(p.Value.Shape) >= 2 {
				o.fisher[m] = append(o.fisher[m], p)
				o.acc[m] = append(o.acc[m], make([]float32, len(p.Value.Data)))
			}
		}
	}
	return nil
}

// StartEpoch reads the window statistic and saves the epoch-start weights.
func (o *InfoReg) StartEpoch(r *methods.Run, epoch int) error {
	o.k = TraceGrowth(o.traces)
	r.Save("inforeg.epoch")
	o.start, _ = r.Saved("inforeg.epoch")
	for _, a := range o.acc {
		for _, t := range a {
			clear(t)
		}
	}
	return nil
}

// EndEpoch records the epoch's Fisher traces.
func (o *InfoReg) EndEpoch(r *methods.Run, epoch int) error {
	for m, mod := range r.Model.Modalities {
		tr := FisherTrace(o.acc[m])
		if m == 0 {
			o.traces = append(o.traces, tr)
		}
		r.Log("fisher_"+mod, tr)
	}
	return nil
}

// partialBackward back-propagates dL/d out_m of the concat head's partial
// logits out_m = z_m W_m^T + b/M: it accumulates W_m's and b's gradients and
// returns dL/dz_m.
func (o *InfoReg) partialBackward(z []*nn.Tensor, d []*nn.Tensor) []*nn.Tensor {
	w, b := o.head.FC.W, o.head.FC.B
	classes, total := w.Value.Shape[0], w.Value.Shape[1]
	share := float32(1) / float32(len(z))
	dz := make([]*nn.Tensor, len(z))
	off := 0
	impl := blas32.Implementation()
	for m, zm := range z {
		n, dim := zm.Rows(), zm.RowLen()
		dm := d[m]
		// dW[:, off:off+dim] += dm^T zm
		impl.Sgemm(blas.Trans, blas.NoTrans, classes, dim, n, 1, dm.Data, classes, zm.Data, dim, 1, w.Grad.Data[off:], total)
		for i := range n {
			for c, v := range dm.Row(i) {
				b.Grad.Data[c] += share * v
			}
		}
		dz[m] = nn.NewTensor(n, dim)
		impl.Sgemm(blas.NoTrans, blas.NoTrans, n, dim, classes, 1, dm.Data, classes, w.Value.Data[off:], total, 0, dz[m].Data, dim)
		off += dim
	}
	return dz
}

// Step does one InfoReg step.
func (o *InfoReg) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	md := r.Model
	r.Opt.ZeroGrad()
	z := methods.Encode(r, b, true)
	loss, d := nn.SoftmaxCrossEntropy(methods.Fuse(r, z, true), b.Y)
	dz := methods.BackwardFusion(r, d)
	partial := md.Fusion.Partial(z)
	dp := make([]*nn.Tensor, len(partial))
	s := make([]float64, len(partial))
	for m, p := range partial {
		var lm float64
		lm, dp[m] = nn.SoftmaxCrossEntropy(p, b.Y)
		loss += lm
		s[m] = scores.TrueClassMass(p, b.Y)
	}
	for m, g := range o.partialBackward(z, dp) {
		nn.Axpy(1, g, dz[m])
	}
	methods.BackwardEncoders(r, dz)

	beta := make([]float64, 2)
	beta[0], beta[1] = Betas(s[0], s[1], o.k, o.Threshold, o.BetaA, o.BetaV)
	for m := range beta {
		if beta[m] == 0 {
			continue
		}
		for _, p := range methods.EncoderParams(r, m) {
			Proximal(p.Grad.Data, p.Value.Data, o.start.Params[p.Name].Data, beta[m])
		}
	}
	for m, ps := range o.fisher {
		for i, p := range ps {
			Accumulate(o.acc[m][i], p.Grad.Data)
		}
	}
	in := 0.0
	if o.k > o.Threshold {
		in = 1
	}
	for m, mod := range md.Modalities {
		r.Log("score_"+mod, s[m]/float64(b.Len()))
		r.Log("beta_"+mod, beta[m])
	}
	r.Log("k", o.k)
	r.Log("in_window", in)
	r.Opt.Step()
	return methods.Stats{Loss: loss}, nil
}
