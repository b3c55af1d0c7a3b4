package umt

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const doc = `UMT: uni-modal teachers, in two stages inside one run.

Stage 1 (epochs 0 .. teacher_epochs-1): every modality's encoder is trained
alone with its own linear head (head.<m>.teacher, an extra module) on its
own CE, as a unimodal model; the fusion head is not trained. The
encoders' weights at the end of stage 1 are the teachers (frozen).

Stage 2 (the remaining epochs): every parameter is reset to its initial
value (the same draw from the run's init streams that the teachers started
from), the optimizer state and learning-rate schedule restart, and the
multimodal model trains with

  L = CE(out, y) + lambda * sum_m MSE(z_m, z_m^teacher)

with MSE torch's mean over every element and z_m^teacher the teacher
encoder's features of the same batch in evaluation mode.

Follows BalanceBenchmark's UMT_trainer (GeWu-Lab/BalanceBenchmark; no
official code was found) for stage 2 (scaling 10, MSE on encoder
features, from the first epoch of its run), and the paper (Du et al.,
ICML 2023) for the teachers, which BalanceBenchmark loads from the
checkpoints of separate unimodal runs: here they are trained in the same
run, from the run's own seed streams and the same batch order, for
teacher_epochs epochs (0: half of the run's epochs), and their last epoch
is used (not a best epoch chosen on the test set, as BalanceBenchmark's
checkpoints are). The run's reported epoch is selected on validation as
usual; during stage 1 the fused output is the untrained fusion head's.

Fusion: every head (the distillation acts on encoder features).
M > 2: one teacher per modality.

Logged per step: stage (1 or 2); in stage 1 teacher_ce_<m>; in stage 2
ce and mse_<m>.`

func init() {
	methods.Register(methods.Spec{
		Name: "umt",
		Doc:  doc,
		Ref:  "Du et al., On Uni-Modal Feature Learning in Supervised Multi-Modal Learning, ICML 2023 (UMT); stage 2 as in github.com/GeWu-Lab/BalanceBenchmark (balancemm/trainer/UMT_trainer.py)",
		Params: []methods.ParamSpec{
			{Name: "lambda", Default: 10.0, Doc: "weight of the feature distillation (BalanceBenchmark's scaling)"},
			{Name: "teacher_epochs", Default: 0, Doc: "epochs of stage 1 (teacher training); 0: half of the run's epochs"},
		},
		Caps: methods.Caps{MinModalities: 2, Fusions: model.Fusions},
		Validate: func(h methods.Hyper, p methods.PlanInfo) error {
			if l := h.Float("lambda"); l < 0 {
				return fmt.Errorf("umt: hyperparameter \"lambda\" is %v, want >= 0", l)
			}
			if p.Epochs > 0 {
				if _, err := teacherEpochs(h.Int("teacher_epochs"), p.Epochs); err != nil {
					return err
				}
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &UMT{Lambda: h.Float("lambda"), TeacherEpochs: h.Int("teacher_epochs")}, nil
		},
	})
}

// teacherEpochs resolves the length of stage 1 for a run of epochs.
func teacherEpochs(n, epochs int) (int, error) {
	if n == 0 {
		n = epochs / 2
	}
	if n < 1 || n >= epochs {
		return 0, fmt.Errorf("umt: teacher_epochs %d for a run of %d epochs, want 1 .. %d (both stages need an epoch)", n, epochs, epochs-1)
	}
	return n, nil
}

// UMT trains unimodal teachers, then distils their features into the
// multimodal model.
type UMT struct {
	methods.Base
	Lambda        float64
	TeacherEpochs int

	stage1   int // resolved length of stage 1
	heads    []*nn.Linear
	teachers []*frozen
}

// frozen holds a teacher encoder's weights and swaps them in and out of the
// student's encoder (same architecture) for a teacher forward pass.
type frozen struct {
	ps      []*nn.Param
	bs      []*nn.Buffer
	teacher [][]float32 // params then buffers
	keep    [][]float32
}

func newFrozen(enc nn.Encoder) *frozen {
	f := &frozen{ps: enc.Params(), bs: enc.Buffers()}
	for _, t := range f.tensors() {
		f.teacher = append(f.teacher, append([]float32(nil), t.Data...))
		f.keep = append(f.keep, make([]float32, len(t.Data)))
	}
	return f
}

func (f *frozen) tensors() []*nn.Tensor {
	var ts []*nn.Tensor
	for _, p := range f.ps {
		ts = append(ts, p.Value)
	}
	for _, b := range f.bs {
		ts = append(ts, b.Value)
	}
	return ts
}

// features returns the teacher's features of x in evaluation mode, leaving
// the student's weights in place afterwards.
func (f *frozen) features(enc nn.Encoder, x *nn.Tensor) *nn.Tensor {
	ts := f.tensors()
	for i, t := range ts {
		copy(f.keep[i], t.Data)
		copy(t.Data, f.teacher[i])
	}
	z := enc.Forward(x, false).Clone()
	for i, t := range ts {
		copy(t.Data, f.keep[i])
	}
	return z
}

// Setup implements methods.Method: adds the teachers' heads and keeps the
// initial weights.
func (u *UMT) Setup(r *methods.Run) error {
	md := r.Model
	if err := methods.NeedEncoders("umt", md); err != nil {
		return err
	}
	if md.Fusion == nil {
		return fmt.Errorf("umt: needs a fusion head")
	}
	n, err := teacherEpochs(u.TeacherEpochs, r.Epochs)
	if err != nil {
		return err
	}
	u.stage1 = n
	u.heads = make([]*nn.Linear, len(md.Modalities))
	for m, enc := range md.Encoders {
		name := "head." + md.Modalities[m] + ".teacher"
		u.heads[m] = nn.NewLinear(name, enc.OutDim(), md.NumClasses, r.InitStream(name))
		md.AddExtra("head/"+md.Modalities[m]+".teacher", u.heads[m])
	}
	r.Save("umt.init")
	return nil
}

// StartEpoch implements methods.Method: at the first epoch of stage 2,
// freezes the teachers and resets the model and the optimizer.
func (u *UMT) StartEpoch(r *methods.Run, epoch int) error {
	if epoch != u.stage1 {
		return nil
	}
	u.teachers = make([]*frozen, len(r.Model.Encoders))
	for m, enc := range r.Model.Encoders {
		u.teachers[m] = newFrozen(enc)
	}
	if err := r.Load("umt.init"); err != nil {
		return fmt.Errorf("umt: resetting the model for stage 2: %w", err)
	}
	r.Loop.ResetOptimizer()
	return nil
}

// Step implements methods.Method.
func (u *UMT) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	md := r.Model
	r.Opt.ZeroGrad()
	if r.Epoch < u.stage1 {
		var loss float64
		for m, enc := range md.Encoders {
			logits := u.heads[m].Forward(enc.Forward(b.X[m], true), true)
			ce, d := nn.SoftmaxCrossEntropy(logits, b.Y)
			enc.Backward(u.heads[m].Backward(d))
			loss += ce
			r.Log("teacher_ce_"+md.Modalities[m], ce)
		}
		r.Opt.Step()
		r.Log("stage", 1)
		return methods.Stats{Loss: loss}, nil
	}
	zt := make([]*nn.Tensor, len(md.Encoders))
	for m, enc := range md.Encoders {
		zt[m] = u.teachers[m].features(enc, b.X[m])
	}
	out := methods.Forward(r, b, true)
	loss, d := nn.SoftmaxCrossEntropy(out.Logits, b.Y)
	r.Log("ce", loss)
	extra := make([]*nn.Tensor, len(md.Encoders))
	for m := range md.Encoders {
		mse, dz, err := featureMSE(out.Z[m], zt[m])
		if err != nil {
			return methods.Stats{}, err
		}
		loss += u.Lambda * mse
		nn.Scale(float32(u.Lambda), dz)
		extra[m] = dz
		r.Log("mse_"+md.Modalities[m], mse)
	}
	methods.Backward(r, out, d, extra)
	r.Opt.Step()
	r.Log("stage", 2)
	return methods.Stats{Loss: loss}, nil
}
