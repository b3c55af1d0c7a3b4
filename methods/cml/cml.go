package cml

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const doc = `CML: calibrating multimodal learning. Each step, besides the fused
output of every modality (out_0), a chain of reduced outputs: out_t is the
fused output with t modalities' features set to zero, in a removal order
drawn at random (out_{M-1} keeps one modality). The loss is

  L = (1/M) sum_t CE(out_t, y) + lambda * sum_{t>=1} hinge(out_{t-1}, out_t)

with conf = the maximum softmax probability and, as released,
hinge = max(0, sum over the batch of (conf(out_t) - conf(out_{t-1}))): a
reduced input must not be more confident than the fuller one.

No official repository was found; this follows BalanceBenchmark's
CML_trainer (GeWu-Lab/BalanceBenchmark), which for two modalities is
(CE(full) + CE(reduced))/2 + lambda * hinge, lambda 0.1, the removed
modality drawn once per epoch (random.shuffle of the modality list in
train_loop), and the reduced output computed as the fused output with that
modality's features zeroed. Switches: per_sample_hinge (the hinge taken
per sample, max(0, conf_r - conf_f), and averaged over the batch, the
per-sample reading of the paper's regulariser, instead of one hinge on the
batch sum); resample_per_batch (a new removal order for every batch
instead of every epoch). BalanceBenchmark's conf_loss also computes a
per-sample sign ("trick 1") that it never uses; it is left out.

Fusion: every head (reduced outputs zero features, which every head
accepts). M > 2: the chain above, which is BalanceBenchmark's rule for
three modalities.

Logged per step: ce_full, ce_reduced (mean over the reduced outputs),
hinge (sum over the chain) and removed_<m> (1 when modality m was removed
first).`

func init() {
	methods.Register(methods.Spec{
		Name: "cml",
		Doc:  doc,
		Ref:  "Ma et al., Calibrating Multimodal Learning, ICML 2023; as implemented in github.com/GeWu-Lab/BalanceBenchmark (balancemm/trainer/CML_trainer.py)",
		Params: []methods.ParamSpec{
			{Name: "lambda", Default: 0.1, Doc: "weight of the calibration hinge"},
			{Name: "per_sample_hinge", Default: false, Switch: true, Doc: "false: one hinge on the batch sum of confidence differences, as BalanceBenchmark; true: the mean of per-sample hinges"},
			{Name: "resample_per_batch", Default: false, Switch: true, Doc: "false: the removal order is drawn once per epoch, as BalanceBenchmark; true: once per batch"},
		},
		Caps: methods.Caps{MinModalities: 2, Fusions: model.Fusions},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			if l := h.Float("lambda"); l < 0 {
				return fmt.Errorf("cml: hyperparameter \"lambda\" is %v, want >= 0", l)
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &CML{Lambda: h.Float("lambda"), PerSample: h.Bool("per_sample_hinge"), PerBatch: h.Bool("resample_per_batch")}, nil
		},
	})
}

// CML trains with CE on full and reduced fused outputs and the calibration
// hinge between them.
type CML struct {
	methods.Base
	Lambda    float64
	PerSample bool
	PerBatch  bool
	order     []int // removal order: order[0] is removed first
}

// Setup implements methods.Method.
func (c *CML) Setup(r *methods.Run) error {
	if r.Model.Fusion == nil {
		return fmt.Errorf("cml: needs a fusion head")
	}
	return methods.NeedEncoders("cml", r.Model)
}

// StartEpoch implements methods.Method: draws the epoch's removal order.
func (c *CML) StartEpoch(r *methods.Run, _ int) error {
	c.order = r.RNG.Perm(len(r.Model.Modalities))
	return nil
}

// Step implements methods.Method.
func (c *CML) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	md := r.Model
	nm := len(md.Modalities)
	if c.PerBatch || c.order == nil {
		c.order = r.RNG.Perm(nm)
	}
	r.Opt.ZeroGrad()
	z := make([]*nn.Tensor, nm)
	for m, enc := range md.Encoders {
		z[m] = enc.Forward(b.X[m], true)
	}
	// inputs[t] has the first t modalities of the order zeroed.
	inputs := make([][]*nn.Tensor, nm)
	outs := make([]*nn.Tensor, nm)
	for t := range nm {
		inputs[t] = append([]*nn.Tensor(nil), z...)
		for _, m := range c.order[:t] {
			inputs[t][m] = nn.NewTensor(z[m].Shape...)
		}
		outs[t] = md.Fusion.Forward(inputs[t], true).Clone()
	}
	tr, grads, err := loss(outs, b.Y, c.Lambda, c.PerSample)
	if err != nil {
		return methods.Stats{}, err
	}
	dz := make([]*nn.Tensor, nm)
	for t := range nm {
		md.Fusion.Forward(inputs[t], true) // the head's cache for this input
		d := md.Fusion.Backward(grads[t])
		for m := range nm {
			if inputs[t][m] != z[m] || d[m] == nil {
				continue // a zeroed modality: its zeros are constants
			}
			if dz[m] == nil {
				dz[m] = d[m].Clone()
			} else {
				nn.Axpy(1, d[m], dz[m])
			}
		}
	}
	for m, enc := range md.Encoders {
		if dz[m] != nil {
			enc.Backward(dz[m])
		}
	}
	r.Opt.Step()
	var red, hinge float64
	for t := 1; t < nm; t++ {
		red += tr.CE[t] / float64(nm-1)
		hinge += tr.Hinge[t-1]
	}
	r.Log("ce_full", tr.CE[0])
	r.Log("ce_reduced", red)
	r.Log("hinge", hinge)
	for m, name := range md.Modalities {
		v := 0.0
		if c.order[0] == m {
			v = 1
		}
		r.Log("removed_"+name, v)
	}
	return methods.Stats{Loss: tr.Loss}, nil
}
