package mla

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/latefusion"
	"github.com/miebench/miebench/methods/permodal"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const mlaDoc = `MLA: multimodal learning with alternating unimodal adaptation.
There is no fusion head: one shared linear head fc(D -> C) serves every
modality. Each batch is encoded once; then, for each modality in dataset
order, its own CE through the shared head is back-propagated into the head
and that modality's encoder, and the optimizer steps only those parameters
(the other modalities' parameters and optimizer state are untouched, as
PyTorch skips parameters without a gradient). The step's reported loss is
the mean of the modalities' losses (logged per step as loss_<modality>).

Defaults are the released code's (Cecile-hi/Multimodal-Learning-with-
Alternating-Unimodal-Adaptation): the head-gradient projection is off,
because the released code's parameter-name check never matches (switch
project=true gives the paper's orthogonal-weight-modification: P = I,
persisting across batches and modalities; before every update except the
very first, with r the batch-mean feature of the modality being trained,
k = P r, P <- P - k kᵀ/(alpha_t + rᵀk), P <- P/||P||_F with
alpha_t = 0.1^(1 + batch/batches_per_epoch), then the head weight gradient
becomes grad Pᵀ; the bias gradient is not projected). Inference by the
fixed weights 0.55 out_a + 0.45 out_v on the head's logits (weights
overrides them). inference=dynamic-batch is the released --dynamic option:
one weight per modality per evaluation batch, softmax over modalities of
minus the batch-mean prediction entropy (so results depend on the
evaluation batch size); dynamic-sample is the paper's per-sample weighting.
The paper used SGD lr 1e-3, StepLR(70, 0.1), batch 64, 100 epochs: those
are suite settings.

Fusion: the suite's fusion head (concat, sum, film, gated) is not used, so
every kind runs; all encoders must have the same feature width D. The
per-modality accuracy is the shared head's accuracy on that modality's
features. M > 2: every modality takes its turn each batch in dataset order;
the fixed weights default to 1/M each (weights must give M numbers).`

func init() {
	methods.Register(methods.Spec{
		Name: "mla",
		Doc:  mlaDoc,
		Ref:  "Zhang, Latham, Zhu, Multimodal Representation Learning by Alternating Unimodal Adaptation, CVPR 2024; github.com/Cecile-hi/Multimodal-Learning-with-Alternating-Unimodal-Adaptation",
		Params: []methods.ParamSpec{
			{Name: "project", Default: false, Switch: true, Doc: "false: released (the projection never runs); true: the paper's projection of the shared head's weight gradient by P"},
			{Name: "inference", Default: mlaFixed, Switch: true, Doc: "fixed (released): weighted sum of per-modality logits; dynamic-batch: entropy weights per evaluation batch (released --dynamic); dynamic-sample: entropy weights per sample (the paper)"},
			{Name: "weights", Default: permodal.List{}, Doc: "fixed inference weights, one per modality: [0.55, 0.45] or {audio: 0.55, visual: 0.45}; unset: 0.55, 0.45 for two modalities, 1/M each otherwise"},
		},
		Caps: methods.Caps{EqualFeatureDims: true},
		Validate: func(h methods.Hyper, p methods.PlanInfo) error {
			switch mode := h.String("inference"); mode {
			case mlaFixed, mlaDynamicBatch, mlaDynamicSample:
			default:
				return fmt.Errorf("mla: hyperparameter \"inference\" is %q, want %s, %s or %s", mode, mlaFixed, mlaDynamicBatch, mlaDynamicSample)
			}
			if _, err := mlaWeights(h.List("weights"), p.Modalities); err != nil {
				return fmt.Errorf("mla: hyperparameter %w", err)
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &MLA{Project: h.Bool("project"), Inference: h.String("inference"), Weights: h.List("weights")}, nil
		},
	})
}

// MLA trains the modalities in turn through one shared head.
type MLA struct {
	methods.Base
	Project   bool          // project the shared head's weight gradient (the paper)
	Inference string        // fixed, dynamic-batch or dynamic-sample
	Weights   permodal.List // fixed inference weights; the zero List for the defaults

	head    *nn.Linear
	weights []float64
	proj    *mlaProjector
	updates int
	keep    []map[*nn.Param]bool // per modality: its encoder's and the head's parameters
}

// Setup drops the fusion head and installs the shared head as every
// modality's head.
func (m *MLA) Setup(r *methods.Run) error {
	md := r.Model
	if err := methods.NeedEncoders("mla", md); err != nil {
		return err
	}
	d := -1
	for i, enc := range md.Encoders {
		if d >= 0 && enc.OutDim() != d {
			return fmt.Errorf("mla: the shared head needs equal feature widths, modality %q has %d, %q has %d", md.Modalities[0], d, md.Modalities[i], enc.OutDim())
		}
		d = enc.OutDim()
	}
	w, err := mlaWeights(m.Weights, md.Modalities)
	if err != nil {
		return fmt.Errorf("mla: hyperparameter %w", err)
	}
	m.weights = w
	md.Fusion = nil
	m.head = nn.NewLinear("head.fc", d, md.NumClasses, r.InitStream("head.fc"))
	model.SetGroup(m.head.Params(), "head")
	m.keep = make([]map[*nn.Param]bool, len(md.Modalities))
	for i := range md.Heads {
		md.Heads[i] = m.head
		m.keep[i] = map[*nn.Param]bool{}
		for _, p := range append(methods.EncoderParams(r, i), m.head.Params()...) {
			m.keep[i][p] = true
		}
	}
	if m.Project {
		m.proj = newMLAProjector(d)
	}
	return nil
}

// Step encodes the batch once, then updates each modality's encoder and the
// shared head on that modality's CE, one modality after the other.
func (m *MLA) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	out := methods.Forward(r, b, true)
	var total float64
	for i, z := range out.Z {
		r.Opt.ZeroGrad()
		logits := m.head.Forward(z, true)
		loss, d := nn.SoftmaxCrossEntropy(logits, b.Y)
		methods.EncodeBackward(r, i, m.head.Backward(d))
		if m.proj != nil && m.updates > 0 {
			if err := m.proj.update(mlaBatchMean(z), mlaAlpha(r.Batch, r.BatchesPerEpoch)); err != nil {
				return methods.Stats{}, err
			}
			if err := m.proj.apply(m.head.W.Grad); err != nil {
				return methods.Stats{}, err
			}
		}
		r.Opt.StepWhere(func(p *nn.Param) bool { return m.keep[i][p] })
		m.updates++
		r.Log("loss_"+r.Model.Modalities[i], loss)
		total += loss
	}
	return methods.Stats{Loss: total / float64(len(out.Z))}, nil
}

// Predict returns the shared head's logits per modality and their fusion.
func (m *MLA) Predict(r *methods.Run, b *methods.Batch) (methods.Prediction, error) {
	// Setup installed the shared head as every modality's head and dropped
	// the fusion head, so PredictFrom takes the "head" path.
	p := methods.PredictFrom(r, methods.Forward(r, b, false))
	fused, err := latefusion.Weighted(p.Modal, m.Inference, m.weights)
	if err != nil {
		return methods.Prediction{}, err
	}
	p.Fused = fused
	return p, nil
}
