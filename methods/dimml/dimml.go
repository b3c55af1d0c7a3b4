// Package dimml is DI-MML (Fan et al., Detached and Interactive
// Multimodal Learning, ACM MM 2024): encoders trained apart, each with its
// own and a shared classifier, aligned on the feature dimensions only one
// modality makes effective; then a fusion head on the frozen encoders and
// a confidence-weighted ensemble at inference.
package dimml

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const doc = `DI-MML: detached unimodal training, dimension-wise alignment, then fusion on frozen encoders.
Stage 1 (every epoch but the last stage2_epochs): each encoder m is trained
by CE of its own linear head plus weight * CE of a linear classifier shared
by all modalities (no fused loss: the encoders never see each other's
gradients). At the start of epoch align_epoch the effective dimensions are
found once on the training set (evaluation mode): a dimension d is
effective for m when the fraction of samples whose nearest class mean on d
alone is their class exceeds the mean over dimensions; m-only dimensions
are effective for m and no other modality. From then on the loss adds, for
every m and k != m, the contrastive term -log softmax_j(z_k,i[I_m] .
z_m,j[I_m] / temperature)[i] (z_m detached), aligning k's features on m's
own dimensions. Stage 2: encoders frozen (evaluation mode), the suite's
fusion head trained alone by CE, with a fresh optimizer. Prediction: the
own heads' and the fusion head's logits, weighted per sample by
softmax over outputs of (max class probability / inference_temperature).

Defaults are the released code's (fanyunfeng-bit/DI-MML, main_CFT.py and
main_CFT_stage2.py, CREMA-D): align_epoch 20, temperature 50, weight 1,
stage2_epochs 20 (after 150 of stage 1), inference_temperature 1 (AVE: 10
and 3). Its optimiser: SGD lr 1e-3, momentum 0.9, weight decay 1e-4,
StepLR(70, 0.1), batch 16, in both stages. The released stage 2 is a
separate script loading the checkpoint of stage 1's last best epoch
(selected on the test set); here one run does both, the fusion head
staying at its initial weights through stage 1. Prediction is the same
function of the parameters in every epoch, so in stage 1 it includes the
untrained fusion head's (low-confidence) output.

Needs a fusion head and equal feature widths (a shared classifier and
dimension indices shared across modalities). M > 2: every modality's own
dimensions align every other modality; for two modalities this is the
released rule. Per-modality accuracy: the own heads (source head).
Logged per step: loss_own_<m>, loss_shared_<m>, loss_align (from
align_epoch), loss_fusion (stage 2); at align_epoch: only_dims_<m>.`

func init() {
	methods.Register(methods.Spec{
		Name: "di-mml",
		Doc:  doc,
		Ref:  "Fan et al., Detached and Interactive Multimodal Learning, ACM MM 2024; github.com/fanyunfeng-bit/DI-MML",
		Params: []methods.ParamSpec{
			{Name: "align_epoch", Default: 20, Doc: "epoch (0-based) at which the effective dimensions are found and alignment starts"},
			{Name: "temperature", Default: 50.0, Doc: "temperature of the contrastive alignment (released: 50 CREMA-D, 10 AVE)"},
			{Name: "weight", Default: 1.0, Doc: "weight of the shared classifier's CE terms"},
			{Name: "stage2_epochs", Default: 20, Doc: "last epochs in which only the fusion head trains on frozen encoders"},
			{Name: "inference_temperature", Default: 1.0, Doc: "temperature of the confidence weights at inference (released: 1 CREMA-D, 3 AVE)"},
		},
		Caps: methods.Caps{MinModalities: 2, Fusions: model.Fusions, EqualFeatureDims: true},
		Validate: func(h methods.Hyper, p methods.PlanInfo) error {
			for _, k := range []string{"temperature", "inference_temperature"} {
				if v := h.Float(k); v <= 0 {
					return fmt.Errorf("di-mml: hyperparameter %q is %v, want > 0", k, v)
				}
			}
			if v := h.Float("weight"); v < 0 {
				return fmt.Errorf("di-mml: hyperparameter \"weight\" is %v, want >= 0", v)
			}
			s2, ae := h.Int("stage2_epochs"), h.Int("align_epoch")
			if s2 < 0 || ae < 0 {
				return fmt.Errorf("di-mml: stage2_epochs %d and align_epoch %d must be >= 0", s2, ae)
			}
			if p.Epochs > 0 && s2 >= p.Epochs {
				return fmt.Errorf("di-mml: stage2_epochs %d leaves no stage-1 epoch of %d", s2, p.Epochs)
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &DIMML{
				AlignEpoch: h.Int("align_epoch"), Temperature: h.Float("temperature"), Weight: h.Float("weight"),
				Stage2: h.Int("stage2_epochs"), InferT: h.Float("inference_temperature"),
			}, nil
		},
	})
}

// DIMML is DI-MML's two stages in one run.
type DIMML struct {
	methods.Base
	AlignEpoch  int
	Temperature float64
	Weight      float64
	Stage2      int
	InferT      float64

	shared  []*nn.Linear // one shared classifier, one view per modality (same parameters)
	only    [][]int      // per modality its only-effective dimensions; nil before align_epoch
	fusion  bool         // in stage 2
	fusionP map[*nn.Param]bool
}

// Setup adds the own heads and the shared classifier.
func (d *DIMML) Setup(r *methods.Run) error {
	md := r.Model
	if md.Fusion == nil {
		return fmt.Errorf("di-mml: needs a fusion head")
	}
	if err := methods.NeedEncoders("di-mml", md); err != nil {
		return err
	}
	dim := md.Encoders[0].OutDim()
	for m, mod := range md.Modalities {
		if w := md.Encoders[m].OutDim(); w != dim {
			return fmt.Errorf("di-mml: needs equal feature widths, %q has %d, %q has %d", md.Modalities[0], dim, mod, w)
		}
		head := nn.NewLinear("head."+mod+".fc", dim, md.NumClasses, r.InitStream("head."+mod+".fc"))
		model.SetGroup(head.Params(), "head/"+mod)
		md.Heads[m] = head
	}
	shared := nn.NewLinear("head.shared", dim, md.NumClasses, r.InitStream("head.shared"))
	md.AddExtra("head/shared", shared)
	d.shared = []*nn.Linear{shared}
	for range md.Modalities[1:] {
		d.shared = append(d.shared, &nn.Linear{W: shared.W, B: shared.B, In: shared.In, Out: shared.Out})
	}
	d.fusionP = map[*nn.Param]bool{}
	for _, p := range md.Fusion.Params() {
		d.fusionP[p] = true
	}
	return nil
}

// StartEpoch finds the only-effective dimensions at align_epoch and
// starts stage 2 with a fresh optimizer.
func (d *DIMML) StartEpoch(r *methods.Run, epoch int) error {
	if s2 := epoch >= r.Epochs-d.Stage2; s2 != d.fusion {
		d.fusion = s2
		if r.Loop != nil {
			r.Loop.ResetOptimizer()
		}
	}
	if epoch != d.AlignEpoch || d.fusion {
		return nil
	}
	md := r.Model
	z := make([][][]float64, len(md.Modalities))
	var y []int
	err := r.Loop.EvalBatches("train", func(b *methods.Batch) error {
		y = append(y, b.Y...)
		for m, enc := range md.Encoders {
			f := enc.Forward(b.X[m], false)
			for i := range f.Rows() {
				row := make([]float64, f.RowLen())
				for j, v := range f.Row(i) {
					row[j] = float64(v)
				}
				z[m] = append(z[m], row)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("di-mml: effective dimensions: %w", err)
	}
	top := make([][]bool, len(z))
	for m := range z {
		top[m] = TopDims(DimRates(z[m], y, md.NumClasses))
	}
	d.only = OnlyDims(top)
	for m, mod := range md.Modalities {
		r.Log("only_dims_"+mod, float64(len(d.only[m])))
	}
	return nil
}

// Step trains the encoders apart (stage 1) or the fusion head (stage 2).
func (d *DIMML) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	r.Opt.ZeroGrad()
	md := r.Model
	if d.fusion {
		logits := methods.Fuse(r, methods.Encode(r, b, false), true)
		loss, dl := nn.SoftmaxCrossEntropy(logits, b.Y)
		methods.BackwardFusion(r, dl)
		r.Log("loss_fusion", loss)
		r.Opt.StepWhere(func(p *nn.Param) bool { return d.fusionP[p] })
		return methods.Stats{Loss: loss}, nil
	}
	z := methods.Encode(r, b, true)
	dz := make([]*nn.Tensor, len(z))
	var total float64
	for m, mod := range md.Modalities {
		own, dOwn := nn.SoftmaxCrossEntropy(md.Heads[m].Forward(z[m], true), b.Y)
		dz[m] = md.Heads[m].Backward(dOwn).Clone()
		sh, dSh := nn.SoftmaxCrossEntropy(d.shared[m].Forward(z[m], true), b.Y)
		nn.Scale(float32(d.Weight), dSh)
		nn.Axpy(1, d.shared[m].Backward(dSh), dz[m])
		total += own + d.Weight*sh
		r.Log("loss_own_"+mod, own)
		r.Log("loss_shared_"+mod, sh)
	}
	if d.only != nil {
		var align float64
		for m := range z {
			for k := range z {
				if k == m {
					continue
				}
				l, dx := AlignLoss(z[k], z[m], d.only[m], d.Temperature)
				align += l
				nn.Axpy(1, dx, dz[k])
			}
		}
		total += align
		r.Log("loss_align", align)
	}
	methods.BackwardEncoders(r, dz)
	r.Opt.StepWhere(func(p *nn.Param) bool { return !d.fusionP[p] })
	return methods.Stats{Loss: total}, nil
}

// Predict weights the own heads' and the fusion head's logits by their
// confidence.
func (d *DIMML) Predict(r *methods.Run, b *methods.Batch) (methods.Prediction, error) {
	md := r.Model
	z := methods.Encode(r, b, false)
	p := methods.Prediction{Modal: make([]*nn.Tensor, len(z)), ModalSource: make([]string, len(z))}
	outs := make([]*nn.Tensor, 0, len(z)+1)
	for m := range z {
		p.Modal[m] = md.Heads[m].Forward(z[m], false)
		p.ModalSource[m] = methods.SourceHead
		outs = append(outs, p.Modal[m])
	}
	outs = append(outs, methods.Fuse(r, z, false))
	p.Fused = ConfidenceWeighted(outs, d.InferT)
	return p, nil
}
