package unimodal

import (
	"fmt"
	"slices"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

func init() {
	methods.Register(methods.Spec{
		Name: "unimodal",
		Doc: `One modality's encoder and a linear head trained alone with cross-entropy;
the other modalities are ignored. Its accuracy is the reference for the
imbalance gap: how much worse the same modality does inside a multimodal
model. The fusion head of the suite is not used.`,
		Ref:  "the unimodal baselines of OGM-GE (CVPR 2022) and later papers",
		Role: methods.RoleUnimodalBaseline,
		Params: []methods.ParamSpec{
			{Name: "modality", Default: "", Doc: "which modality to train (default: the first one)"},
		},
		Validate: func(h methods.Hyper, p methods.PlanInfo) error {
			if mod := h.String("modality"); mod != "" && !slices.Contains(p.Modalities, mod) {
				return fmt.Errorf("unimodal: modality %q is not one of the dataset's %v", mod, p.Modalities)
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) { return &Unimodal{Modality: h.String("modality")}, nil },
	})
}

// Unimodal trains one modality's encoder with its own linear head.
type Unimodal struct {
	methods.Base
	Modality string // "" means the first modality
	m        int
}

// Setup keeps only the chosen encoder and adds its linear head.
func (u *Unimodal) Setup(r *methods.Run) error {
	md := r.Model
	u.m = 0
	if u.Modality != "" {
		i, err := md.Index(u.Modality)
		if err != nil {
			return fmt.Errorf("unimodal: %w", err)
		}
		u.m = i
	}
	name := md.Modalities[u.m]
	for i := range md.Encoders {
		if i != u.m {
			md.Encoders[i] = nil
		}
	}
	md.Fusion = nil
	head := nn.NewLinear("head."+name+".fc", md.Encoders[u.m].OutDim(), md.NumClasses, r.InitStream("head."+name+".fc"))
	model.SetGroup(head.Params(), "head/"+name)
	md.Heads[u.m] = head
	return nil
}

// Step trains the encoder and head on the modality's cross-entropy.
func (u *Unimodal) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	r.Opt.ZeroGrad()
	enc, head := r.Model.Encoders[u.m], r.Model.Heads[u.m]
	logits := head.Forward(enc.Forward(b.X[u.m], true), true)
	loss, d := nn.SoftmaxCrossEntropy(logits, b.Y)
	enc.Backward(head.Backward(d))
	r.Opt.Step()
	return methods.Stats{Loss: loss}, nil
}

// Predict reports the head's logits as both the fused and the modality's output.
func (u *Unimodal) Predict(r *methods.Run, b *methods.Batch) (methods.Prediction, error) {
	p := methods.PredictFrom(r, methods.Forward(r, b, false))
	p.Fused = p.Modal[u.m]
	return p, nil
}
