package ume

import (
	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const doc = `UME: uni-modal ensemble. Every modality's encoder gets its own linear
head (head.<modality>.fc) and is trained only by its own cross-entropy; no
fusion head, no joint loss. The prediction is the average of the unimodal
logits; each modality's accuracy comes from its own head.

The modalities train on the same batches in one run, each through its own
parameters only, which with the harness's per-parameter optimizers (SGD,
Adam) is the same as training each alone with that batch order. Follows
the paper (Du et al., ICML 2023: "train uni-modal models independently and
average their outputs"); no official code was found and BalanceBenchmark
has no UME. No switch.

Fusion: the suite's fusion head is not used (any kind accepted). M > 2:
one head per modality, the average over all.

Logged per step: ce_<m>, each modality's own CE.`

func init() {
	methods.Register(methods.Spec{
		Name: "ume",
		Doc:  doc,
		Ref:  "Du et al., On Uni-Modal Feature Learning in Supervised Multi-Modal Learning, ICML 2023 (UME)",
		Caps: methods.Caps{MinModalities: 2},
		New:  func(methods.Hyper) (methods.Method, error) { return &UME{}, nil },
	})
}

// UME trains every modality alone with its own head and averages their
// logits.
type UME struct{ methods.Base }

// Setup implements methods.Method: drops the fusion head and adds one
// linear head per modality.
func (u *UME) Setup(r *methods.Run) error {
	md := r.Model
	if err := methods.NeedEncoders("ume", md); err != nil {
		return err
	}
	md.Fusion = nil
	for m, enc := range md.Encoders {
		name := md.Modalities[m]
		head := nn.NewLinear("head."+name+".fc", enc.OutDim(), md.NumClasses, r.InitStream("head."+name+".fc"))
		model.SetGroup(head.Params(), "head/"+name)
		md.Heads[m] = head
	}
	return nil
}

// Step implements methods.Method: the sum of the independent unimodal CEs.
func (u *UME) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	md := r.Model
	r.Opt.ZeroGrad()
	var loss float64
	for m, enc := range md.Encoders {
		logits := md.Heads[m].Forward(enc.Forward(b.X[m], true), true)
		ce, d := nn.SoftmaxCrossEntropy(logits, b.Y)
		enc.Backward(md.Heads[m].Backward(d))
		loss += ce
		r.Log("ce_"+md.Modalities[m], ce)
	}
	r.Opt.Step()
	return methods.Stats{Loss: loss}, nil
}

// Predict implements methods.Method: the mean of the heads' logits.
func (u *UME) Predict(r *methods.Run, b *methods.Batch) (methods.Prediction, error) {
	p := methods.PredictFrom(r, methods.Forward(r, b, false))
	fused, err := meanLogits(p.Modal)
	if err != nil {
		return methods.Prediction{}, err
	}
	p.Fused = fused
	return p, nil
}
