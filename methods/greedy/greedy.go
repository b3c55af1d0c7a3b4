// Package greedy is the balanced multimodal learning of Wu et al. (the
// greedy nature of learning in multi-modal deep neural networks): MMTM
// layers between the two encoders' stages and the curation schedule
// driven by the difference of the modalities' conditional learning speeds.
package greedy

import (
	"fmt"
	"math"
	"slices"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

const greedyDoc = `Greedy: balanced multimodal learning by conditional learning speed.
Two encoders with stages (cnn: one stage per conv block; resnet18: layer1
with the stem, layer2, layer3, layer4) are run stage by stage; after every
stage from first_stage on (released: after layer2, layer3, layer4 of
ResNet-18) an MMTM layer squeezes both modalities' stage outputs (mean
over frames, height and width), maps their concatenation by fc + ReLU
(hidden width int(2 (C_0 + C_1) / ratio)) and a per-modality fc +
sigmoid to channel excitations, and scales each modality's channels.
Each modality has its own linear head "head.<m>.fc" (its reported
accuracy); the fused prediction is (out_0 + out_1) / 2 and the training
loss the sum of the two heads' cross-entropies (the suite's fusion head is
not used, so every fusion kind runs).

Rule (released Bias_Mitigation_Strong): after each step's backward pass,
for modality m the speed of its bypass (every MMTM's squeeze and its own
excitation fc) and of its main branch (its encoder and head) is
sum g^2 / sum w^2; these are summed from the start of training and
BDR_m = log10(bypass_m / main_m), d_BDR = BDR_0 - BDR_1. From epoch
start_epoch (0-based; released starting_epoch=2 counts epochs from 1), when
|d_BDR| > epsilon, for the next window steps the excitations of the
modality with the larger BDR (modality 0 when d_BDR > 0) are replaced by
their running averages (the plain mean of batch-mean excitations over
every training step so far), which passes no gradient to its excitation
fc; d_BDR is neither computed nor accumulated during a window.

Defaults are the released code's (nyukat/greedy_multimodal_learning):
both running averages are updated from the first modality's excitation
(a bug: shared_average=false gives each modality its own, the paper's
rule; the bug needs equal channel widths at every MMTM). Evaluation never
replaces excitations and never updates the averages (the released
evaluation uses whatever curation state training left and updates them).
Its optimiser (SGD lr 0.1, no momentum, batch 8, ReduceLROnPlateau on the
loss) is a suite setting. Only M = 2; mlp encoders have no stages and are
refused.

Logged per step: bdr_<m> and d_bdr (when computed), curating (1 in a
window), averaged_<m> (1 when modality m's excitations are averaged),
window_count (steps done in the current window).`

func init() {
	methods.Register(methods.Spec{
		Name: "greedy",
		Doc:  greedyDoc,
		Ref:  "Wu, Jastrzebski, Cho, Geras, Characterizing and overcoming the greedy nature of learning in multi-modal deep neural networks, ICML 2022; github.com/nyukat/greedy_multimodal_learning",
		Params: []methods.ParamSpec{
			{Name: "epsilon", Default: 0.01, Doc: "threshold on |d_BDR| that opens a curation window"},
			{Name: "window", Default: 5, Doc: "steps whose excitations of the favoured modality are its running average"},
			{Name: "start_epoch", Default: 1, Doc: "first epoch (0-based) in which windows may open (released starting_epoch 2, epochs counted from 1)"},
			{Name: "ratio", Default: 4, Doc: "MMTM reduction ratio: hidden width int(2 (C_0 + C_1) / ratio)"},
			{Name: "first_stage", Default: 1, Doc: "an MMTM follows every encoder stage from this one (0-based) to the last"},
			{Name: "shared_average", Default: true, Switch: true, Doc: "true: released, both running averages follow the first modality's excitation (a bug); false: each modality's own (the paper)"},
		},
		Caps: methods.Caps{MinModalities: 2, MaxModalities: 2},
		Validate: func(h methods.Hyper, p methods.PlanInfo) error {
			switch {
			case !(h.Float("epsilon") >= 0):
				return fmt.Errorf("greedy: hyperparameter \"epsilon\" is %v, want >= 0", h.Float("epsilon"))
			case h.Int("window") < 1:
				return fmt.Errorf("greedy: hyperparameter \"window\" is %d, want >= 1", h.Int("window"))
			case h.Int("start_epoch") < 0:
				return fmt.Errorf("greedy: hyperparameter \"start_epoch\" is %d, want >= 0", h.Int("start_epoch"))
			case h.Int("ratio") < 1:
				return fmt.Errorf("greedy: hyperparameter \"ratio\" is %d, want >= 1", h.Int("ratio"))
			case h.Int("first_stage") < 0:
				return fmt.Errorf("greedy: hyperparameter \"first_stage\" is %d, want >= 0", h.Int("first_stage"))
			}
			for i, k := range p.EncoderKinds {
				if k != "cnn" && k != "resnet18" {
					return fmt.Errorf("greedy: modality %q has a %s encoder, which has no stages for the MMTM layers; use cnn or resnet18 encoders", p.Modalities[i], k)
				}
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &Greedy{
				Epsilon: h.Float("epsilon"), Window: h.Int("window"), UnlockEpoch: h.Int("start_epoch"),
				Ratio: h.Int("ratio"), FirstStage: h.Int("first_stage"), SharedAverage: h.Bool("shared_average"),
			}, nil
		},
	})
}

// Greedy is the method; the exported fields are its hyperparameters.
type Greedy struct {
	methods.Base
	Epsilon       float64
	Window        int
	UnlockEpoch   int
	Ratio         int
	FirstStage    int
	SharedAverage bool

	enc    [2]nn.StagedEncoder
	heads  [2]*nn.Linear
	mmtm   []*mmtm // per stage; nil where no MMTM follows
	bypass [2][]*nn.Param
	main   [2][]*nn.Param
	acc    bdr
	win    window
}

// Setup builds the MMTM layers and the per-modality heads.
func (g *Greedy) Setup(r *methods.Run) error {
	md := r.Model
	if len(md.Modalities) != 2 {
		return fmt.Errorf("greedy: needs exactly 2 modalities, got %d", len(md.Modalities))
	}
	if err := methods.NeedEncoders("greedy", md); err != nil {
		return err
	}
	for m, e := range md.Encoders {
		s, ok := e.(nn.StagedEncoder)
		if !ok {
			return fmt.Errorf("greedy: modality %q's encoder (%T) has no stages for the MMTM layers; use cnn or resnet18 encoders", md.Modalities[m], e)
		}
		g.enc[m] = s
	}
	n := g.enc[0].Stages()
	if n1 := g.enc[1].Stages(); n1 != n {
		return fmt.Errorf("greedy: the MMTM layers pair stages, but %q's encoder has %d and %q's %d", md.Modalities[0], n, md.Modalities[1], n1)
	}
	if g.FirstStage >= n {
		return fmt.Errorf("greedy: first_stage %d leaves no MMTM layer: the encoders have %d stages (0 to %d)", g.FirstStage, n, n-1)
	}
	mods := [2]string{md.Modalities[0], md.Modalities[1]}
	g.mmtm = make([]*mmtm, n)
	for k := g.FirstStage; k < n; k++ {
		c := [2]int{g.enc[0].StageChannels(k), g.enc[1].StageChannels(k)}
		if g.SharedAverage && c[0] != c[1] {
			return fmt.Errorf("greedy: shared_average (the released bug) needs equal channel widths, stage %d has %d (%s) and %d (%s); set shared_average: false", k, c[0], mods[0], c[1], mods[1])
		}
		name := fmt.Sprintf("mmtm.%d", k)
		l := newMMTM(name, mods, c, g.Ratio, g.SharedAverage, r.InitStream(name))
		md.AddExtra("mmtm", l)
		g.mmtm[k] = l
		g.bypass[0] = append(g.bypass[0], l.Squeeze.Params()...)
		g.bypass[1] = append(g.bypass[1], l.Squeeze.Params()...)
		for m := range 2 {
			g.bypass[m] = append(g.bypass[m], l.Excite[m].Params()...)
		}
	}
	md.Fusion = nil
	for m := range 2 {
		name := "head." + mods[m] + ".fc"
		g.heads[m] = nn.NewLinear(name, g.enc[m].OutDim(), md.NumClasses, r.InitStream(name))
		model.SetGroup(g.heads[m].Params(), "head/"+mods[m])
		md.Heads[m] = g.heads[m]
		g.main[m] = append(slices.Clone(methods.EncoderParams(r, m)), g.heads[m].Params()...)
	}
	g.acc = bdr{}
	g.win = window{Epsilon: g.Epsilon, Size: g.Window}
	return nil
}

// StartEpoch unlocks the curation windows from UnlockEpoch on.
func (g *Greedy) StartEpoch(r *methods.Run, epoch int) error {
	if epoch >= g.UnlockEpoch {
		g.win.Unlocked = true
	}
	return nil
}

// features runs both encoders stage by stage with the MMTM layers.
func (g *Greedy) features(b *methods.Batch, replace int, train bool) [2]*nn.Tensor {
	var z [2]*nn.Tensor
	var t [2]int
	for m := range 2 {
		z[m], t[m] = g.enc[m].Enter(b.X[m], train)
	}
	for k, l := range g.mmtm {
		for m := range 2 {
			z[m] = g.enc[m].Stage(k, z[m], train)
		}
		if l != nil {
			z = l.forward(z, t, replace, train)
		}
	}
	for m := range 2 {
		z[m] = g.enc[m].Exit(z[m], t[m], train)
	}
	return z
}

// backward runs dL/dfeatures back through the stages and MMTM layers.
func (g *Greedy) backward(dz [2]*nn.Tensor) {
	for m := range 2 {
		dz[m] = g.enc[m].ExitBackward(dz[m])
	}
	for k := len(g.mmtm) - 1; k >= 0; k-- {
		if g.mmtm[k] != nil {
			dz = g.mmtm[k].backward(dz)
		}
		for m := range 2 {
			dz[m] = g.enc[m].StageBackward(k, dz[m])
		}
	}
	for m := range 2 {
		g.enc[m].EnterBackward(dz[m])
	}
}

// Step trains on the sum of the heads' cross-entropies, then advances the
// curation schedule from this step's gradients.
func (g *Greedy) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	r.Opt.ZeroGrad()
	replace := g.win.replaced()
	z := g.features(b, replace, true)
	var total float64
	var dz [2]*nn.Tensor
	for m := range 2 {
		loss, d := nn.SoftmaxCrossEntropy(g.heads[m].Forward(z[m], true), b.Y)
		total += loss
		dz[m] = g.heads[m].Backward(d)
	}
	g.backward(dz)
	mods := r.Model.Modalities
	r.Log("curating", b2f(replace >= 0))
	for m := range 2 {
		r.Log("averaged_"+mods[m], b2f(replace == m))
	}
	var d float64
	if g.win.needsBDR() {
		var bp, mn [2]float64
		for m := range 2 {
			var err error
			if bp[m], err = speed(g.bypass[m]); err != nil {
				return methods.Stats{}, fmt.Errorf("%w (bypass of %q)", err, mods[m])
			}
			if mn[m], err = speed(g.main[m]); err != nil {
				return methods.Stats{}, fmt.Errorf("%w (main branch of %q)", err, mods[m])
			}
		}
		d = g.acc.add(bp, mn)
		for m := range 2 {
			logFinite(r, "bdr_"+mods[m], math.Log10(g.acc.Bypass[m]/g.acc.Main[m]))
		}
		logFinite(r, "d_bdr", d)
	}
	g.win.afterBackward(d)
	r.Log("window_count", float64(g.win.Count))
	r.Opt.Step()
	return methods.Stats{Loss: total}, nil
}

// Features implements methods.Featurer: the encoders' outputs with the
// MMTM layers between their stages (evaluation mode), which the linear
// probe reads.
func (g *Greedy) Features(r *methods.Run, b *methods.Batch) []*nn.Tensor {
	z := g.features(b, -1, false)
	return z[:]
}

// Predict returns (out_0 + out_1) / 2 and each head's logits, without
// replacing excitations or updating the running averages.
func (g *Greedy) Predict(r *methods.Run, b *methods.Batch) (methods.Prediction, error) {
	z := g.features(b, -1, false)
	p := methods.Prediction{Modal: make([]*nn.Tensor, 2), ModalSource: []string{methods.SourceHead, methods.SourceHead}}
	for m := range 2 {
		p.Modal[m] = g.heads[m].Forward(z[m], false)
	}
	p.Fused = nn.NewTensor(p.Modal[0].Shape...)
	for i := range p.Fused.Data {
		p.Fused.Data[i] = (p.Modal[0].Data[i] + p.Modal[1].Data[i]) / 2
	}
	return p, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// logFinite logs v when it is finite (a bypass without gradient gives
// log10 0).
func logFinite(r *methods.Run, name string, v float64) {
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		r.Log(name, v)
	}
}
