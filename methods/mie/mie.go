package mie

import (
	"fmt"
	"math"
	"strings"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/latefusion"
	"github.com/miebench/miebench/methods/permodal"
	"github.com/miebench/miebench/nn"
)

const mieDoc = `MIE (modal-aware interactive enhancement; published as IGM): late fusion
with per-modality heads FC(D -> 256) -> ReLU -> FC(256 -> 64) -> FC(64 -> C)
and only unimodal losses (no fusion head, no joint loss), trained in stages
of whole epochs that alternate over the modalities.

Stages: the per-modality list "stages" gives each modality's stage length
in epochs and the order; it repeats until the suite's epochs run out (the
last stage may be cut short). Forms: positional [25, 50] (modalities in
dataset order; a short list repeats its last value for the remaining
modalities), named {audio: 5, visual: 5} (every modality once, dataset
order) or [{visual: 5}, {audio: 5}] (in the order written). The default
[25, 50] is the released CREMA-D / Kinetics-Sounds schedule (audio 25,
video 50, repeated); short suites must set it (e.g. {audio: 5, visual: 5}
for 20 epochs): a plan whose epochs never reach the last modality's stage
is refused with stages that fit. At the start of every stage but the
first: the best model so far is restored (selected on the suite's selection
split, validation by default, never test unless the suite asks), the
gradient-modification matrices are built from the previous stage's modality,
and the optimizer state and learning-rate schedule are reset. During a stage
only the current modality's encoder and head are updated.

Each step, on the current modality's inputs only:
1. SAM (sam=true): the CE gradient g at theta; every parameter tensor p of the
   current encoder and head moves by eps_p = rho g_p/||g_p|| (sam_norm=tensor,
   released) or rho g_p/||g|| (global, the paper); rho per modality.
2. The SAM term: CE of the perturbed head on the features computed at theta
   (features are not recomputed, as released; sam_recompute=true encodes
   again with the perturbed encoder, as in the paper's SAM), weighted
   1 - mixup_weight.
3. The mixup term (mixup=true): inputs mixed x' = lam x + (1-lam) x[perm],
   lam ~ Beta(1, 1), loss lam CE(y) + (1-lam) CE(y[perm]), weighted
   mixup_weight; it is evaluated after the ascent step (at the released
   radii 1e-10 / 1e-15 the perturbation is below float32 resolution).
4. Gradient modification (gm=true, from the second stage on): the weight
   gradient G of each linear layer of the current modality whose position
   and weight shape match a layer of the previous stage's modality becomes
   G T, T = V S Vᵀ from the eigendecomposition (= SVD) of Y = Σ_batches z̄ z̄ᵀ,
   z̄ the batch-mean input of that layer in the previous modality (best
   model, evaluation mode, all training batches unless gm_batches),
   S = exp(-tau (L - l_min)/(l_max - l_min)), so T's eigenvalues lie in
   [e^-tau, 1] and the previous modality's dominant input directions are
   damped most. Biases are not modified. gm_scope=head (released) takes the
   head's three layers (fc2 and fc3 always match; fc1 when the feature
   widths agree); gm_scope=encoder adds the encoders' shape-matching
   layers: an mlp encoder's linear layers, a cnn or resnet18 encoder's
   convolutions (weight [out, inC, kH, kW] as [out, inC*kH*kW], z̄ the
   batch-and-position mean of the im2col patches; layers matched by name,
   so a stem with different input channels is left alone).
5. The perturbation is kept (sam_undo=false, released) or undone before the
   update (true, standard SAM); then the optimizer steps.
With sam=false the CE at theta replaces the SAM term; with gm=false no
gradient is modified (the ablation suite's switches).

Released defaults (njustkmg/IJCAI25-IGM): rho 1e-10 audio, 1e-15 image/text
([1e-10, 1e-15]: first modality, then the others), per-tensor normalisation,
0.7 mixup + 0.3 SAM loss, tau 0.4, modification of the head only
(gm_scope=head, about 1.3% of a ResNet-18 modality's parameters; the paper
reports that about 30% is better without saying exactly which layers.
gm_scope=encoder is the harness's version of the wider scope: every
shape-matching encoder layer too, which on ResNet-18 is nearly all of its
parameters; the fraction actually modified is logged as gm_fraction),
inference by
averaging the per-modality softmax outputs (inference=mla-dynamic gives
the paper's MLA-style per-sample entropy weighting of the logits). The paper used SGD lr 1e-2,
momentum 0.9, wd 1e-4, StepLR(40, 0.1) per stage, batch 12 (test batch 64),
seed 42: those are suite settings, not method parameters.

Fusion: the suite's fusion head (concat, sum, film, gated) is not used, so
every kind runs; the per-modality accuracy is each modality's own head.
M > 2: the stage list cycles over all modalities (as the released
3-modality configuration), each stage's matrices come from the stage just
before it.

Logged per step: mie_modality (index of the stage's modality), mie_stage
(stage number, counting repeats from 0), sam_grad_norm
(||g|| over the current modality's parameters, with sam), gm_t_min and
gm_t_max (range of T's eigenvalues over the modified layers; 1 when none),
gm_fraction (share of the current modality's parameter elements whose
gradient is modified).`

// MIE inference modes (the `inference` hyperparameter of mie).
const (
	mieMeanSoftmax = "mean-softmax" // released: average of per-modality softmax outputs
	mieMLADynamic  = "mla-dynamic"  // the paper: per-sample entropy weighting of the logits, as MLA's dynamic-sample
)

func init() {
	methods.Register(methods.Spec{
		Name: "mie",
		Doc:  mieDoc,
		Ref:  "Jiang, Chi, Yang, Modal-aware interactive enhancement for multimodal learning, arXiv 2407.04587 (IGM, IJCAI 2025); github.com/njustkmg/IJCAI25-IGM",
		Params: []methods.ParamSpec{
			{Name: "stages", Default: permodal.Positional(25, 50), Doc: "stage lengths in epochs and order: positional [25, 50] (dataset order, last value repeats) or named [{visual: 5}, {audio: 5}] (this order) / {audio: 5, visual: 5} (dataset order); the list repeats"},
			{Name: "sam", Default: true, Doc: "SAM ascent step on the current modality's parameters; false: plain CE term (ablation)"},
			{Name: "gm", Default: true, Doc: "gradient modification of the current head by the previous modality's T; false: none (ablation)"},
			{Name: "rho", Default: permodal.Positional(1e-10, 1e-15), Doc: "SAM radius per modality, positional [1e-10, 1e-15] (last repeats) or named {audio: 1e-10, visual: 1e-15}"},
			{Name: "sam_norm", Default: "tensor", Switch: true, Doc: "tensor: eps normalised per parameter tensor (released); global: by the norm over all the modality's gradients (the paper)"},
			{Name: "sam_undo", Default: false, Switch: true, Doc: "false: the perturbation stays in the weights (released); true: undone before the optimizer step (standard SAM)"},
			{Name: "sam_recompute", Default: false, Switch: true, Doc: "false: the SAM term reuses the features computed before the perturbation (released); true: encodes again with the perturbed encoder (the paper's SAM)"},
			{Name: "mixup", Default: true, Switch: true, Doc: "true: loss mixup_weight*L_mixup + (1-mixup_weight)*L_sam (released); false: the paper's plain SAM loss"},
			{Name: "mixup_weight", Default: 0.7, Doc: "weight of the input-mixup term (released 0.7)"},
			{Name: "tau", Default: 0.4, Doc: "gradient-modification strength: T's eigenvalues lie in [e^-tau, 1]"},
			{Name: "gm_scope", Default: mieScopeHead, Switch: true, Doc: "head: the head's shape-matching linear layers (released); encoder: also the encoders' shape-matching linear and convolution layers (the paper's wider scope)"},
			{Name: "gm_batches", Default: 0, Doc: "training batches accumulated for each T (0: all)"},
			{Name: "inference", Default: mieMeanSoftmax, Switch: true, Doc: "mean-softmax: average of the per-modality softmax outputs (released); mla-dynamic: MLA's per-sample entropy weights (the paper)"},
		},
		Caps: methods.Caps{MinModalities: 2},
		Validate: func(h methods.Hyper, p methods.PlanInfo) error {
			m, err := newMIE(h, p.Modalities)
			if err != nil || p.Epochs == 0 {
				return err
			}
			return m.checkFits(p.Modalities, p.Epochs)
		},
		New: func(h methods.Hyper) (methods.Method, error) { return newMIE(h, nil) },
	})
}

// MIE trains each modality's encoder and head in alternating stages with
// SAM, input mixup and gradient modification.
type MIE struct {
	methods.Base
	Stages       permodal.List // stages: per-modality stage lengths and order
	SAM          bool          // sam: take the SAM ascent step
	GM           bool          // gm: modify gradients from the second stage on
	Rho          permodal.List // rho: SAM radius per modality
	PerTensor    bool          // sam_norm=tensor: normalise eps per parameter tensor
	SAMUndo      bool          // sam_undo: undo the perturbation before the update
	SAMRecompute bool          // sam_recompute: encode again after the perturbation
	Mixup        bool          // mixup: add the input-mixup term
	MixupWeight  float64       // mixup_weight: weight of the mixup term
	Tau          float64       // tau: gradient-modification strength
	Scope        string        // gm_scope: head or encoder
	GMBatches    int           // gm_batches: batches per T (0: all)
	Inference    string        // inference: mean-softmax or mla-dynamic

	stages  []mieStage
	rho     []float64
	heads   []*mieHead
	started bool
	stage   int
	cur     int                // current modality
	keep    map[*nn.Param]bool // current modality's parameters
	params  []*nn.Param        // the same, in order
	mods    []mieSiteMod       // the current stage's modified weights
	tMin    float64
	tMax    float64
	// fraction of the current modality's parameter elements whose gradient is modified
	fraction float64
}

// newMIE builds an MIE from resolved hyperparameters, checking them; with
// modalities non-nil it also checks the per-modality lists against them.
func newMIE(h methods.Hyper, modalities []string) (*MIE, error) {
	m := &MIE{
		Stages:       h.List("stages"),
		SAM:          h.Bool("sam"),
		GM:           h.Bool("gm"),
		Rho:          h.List("rho"),
		SAMUndo:      h.Bool("sam_undo"),
		SAMRecompute: h.Bool("sam_recompute"),
		Mixup:        h.Bool("mixup"),
		MixupWeight:  h.Float("mixup_weight"),
		Tau:          h.Float("tau"),
		Scope:        h.String("gm_scope"),
		GMBatches:    h.Int("gm_batches"),
		Inference:    h.String("inference"),
	}
	switch n := h.String("sam_norm"); n {
	case "tensor":
		m.PerTensor = true
	case "global":
	default:
		return nil, fmt.Errorf("mie: hyperparameter \"sam_norm\" is %q, want tensor or global", n)
	}
	if s := m.Scope; s != mieScopeHead && s != mieScopeEncoder {
		return nil, fmt.Errorf("mie: hyperparameter \"gm_scope\" is %q, want %s or %s", s, mieScopeHead, mieScopeEncoder)
	}
	if w := m.MixupWeight; !(w >= 0 && w <= 1) {
		return nil, fmt.Errorf("mie: hyperparameter \"mixup_weight\" is %v, want a number in [0, 1]", w)
	}
	if !(m.Tau >= 0) || math.IsInf(m.Tau, 0) {
		return nil, fmt.Errorf("mie: hyperparameter \"tau\" is %v, want a finite number >= 0", m.Tau)
	}
	if m.GMBatches < 0 {
		return nil, fmt.Errorf("mie: hyperparameter \"gm_batches\" is %d, want >= 0", m.GMBatches)
	}
	switch m.Inference {
	case mieMeanSoftmax, mieMLADynamic:
	default:
		return nil, fmt.Errorf("mie: hyperparameter \"inference\" is %q, want %s or %s", m.Inference, mieMeanSoftmax, mieMLADynamic)
	}
	if modalities != nil {
		if err := m.parseLists(modalities); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *MIE) parseLists(modalities []string) error {
	var err error
	if len(modalities) < 2 {
		return fmt.Errorf("mie: needs at least two modalities, the dataset has %v", modalities)
	}
	if m.stages, err = mieParseStages(m.Stages, modalities); err != nil {
		return fmt.Errorf("mie: hyperparameter %w", err)
	}
	if m.rho, err = m.Rho.NonNegative("rho", modalities); err != nil {
		return fmt.Errorf("mie: hyperparameter %w", err)
	}
	return nil
}

// mieLastStageStart is the first epoch of the last stage of the first cycle.
func mieLastStageStart(stages []mieStage) int {
	start := 0
	for _, s := range stages[:len(stages)-1] {
		start += s.Epochs
	}
	return start
}

// checkFits rejects stages (parsed by parseLists) under which a run of
// epochs epochs never reaches the last listed modality, with a hint of
// stages that fit: every modality an equal share of the epochs.
func (m *MIE) checkFits(modalities []string, epochs int) error {
	start := mieLastStageStart(m.stages)
	if epochs > start {
		return nil
	}
	last := modalities[m.stages[len(m.stages)-1].Modality]
	if epochs < len(modalities) {
		return fmt.Errorf("mie: hyperparameter stages %v: the run has %d epochs, fewer than the %d modalities that each need a stage of at least one epoch; train for at least %d epochs",
			m.Stages, epochs, len(modalities), len(modalities))
	}
	hint := permodal.List{}
	for _, st := range m.stages {
		hint.Names = append(hint.Names, modalities[st.Modality])
		hint.Values = append(hint.Values, float64(epochs/len(modalities)))
	}
	return fmt.Errorf("mie: hyperparameter stages %v: the last listed modality %q would start at epoch %d, but the run has %d epochs, so it would never be trained; set shorter stages (e.g. stages: %s)",
		m.Stages, last, start, epochs, hintText(hint))
}

// hintText writes a named List in its ordered suite form,
// [{audio: 2}, {visual: 2}].
func hintText(l permodal.List) string {
	parts := make([]string, l.Len())
	for i, n := range l.Names {
		parts[i] = fmt.Sprintf("{%s: %v}", n, l.Values[i])
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Setup drops the fusion head and adds a 3-layer head per modality. It fails
// when the run is too short for every modality to get a stage.
func (m *MIE) Setup(r *methods.Run) error {
	md := r.Model
	if err := m.parseLists(md.Modalities); err != nil {
		return err
	}
	if err := m.checkFits(md.Modalities, r.Epochs); err != nil {
		return err
	}
	md.Fusion = nil
	if err := methods.NeedEncoders("mie", md); err != nil {
		return err
	}
	m.heads = make([]*mieHead, len(md.Modalities))
	for i, enc := range md.Encoders {
		m.heads[i] = newMIEHead(md.Modalities[i], enc.OutDim(), md.NumClasses, r.InitStream("head."+md.Modalities[i]))
		md.Heads[i] = m.heads[i]
		if _, err := m.mieSites(enc, m.heads[i]); err != nil {
			return fmt.Errorf("mie: modality %q: %w", md.Modalities[i], err)
		}
	}
	return nil
}

// StartEpoch switches stages: restore the best model, build the previous
// modality's modification matrices, reset the optimizer and schedule.
func (m *MIE) StartEpoch(r *methods.Run, epoch int) error {
	k, st, first := mieStageAt(m.stages, epoch)
	if m.started && !first {
		return nil
	}
	prev := m.cur
	if m.started && k > 0 {
		r.Loop.RestoreBest()
		m.mods = nil
		if m.GM {
			if err := m.buildMods(r, prev, st.Modality); err != nil {
				return err
			}
		}
		r.Loop.ResetOptimizer()
	}
	m.started = true
	m.stage, m.cur = k, st.Modality
	m.params = append(methods.EncoderParams(r, m.cur), m.heads[m.cur].Params()...)
	m.keep = make(map[*nn.Param]bool, len(m.params))
	for _, p := range m.params {
		m.keep[p] = true
	}
	m.tMin, m.tMax = 1, 1
	modified, total := 0, 0
	for _, s := range m.mods {
		m.tMin, m.tMax = min(m.tMin, s.g.sMin), max(m.tMax, s.g.sMax)
		modified += s.w.Value.Len()
	}
	for _, p := range m.params {
		total += p.Value.Len()
	}
	m.fraction = float64(modified) / float64(max(total, 1))
	return nil
}

// buildMods accumulates the input second moments of every site of
// modality prev over the training batches and builds T for each site of
// modality next with the same key and weight shape.
func (m *MIE) buildMods(r *methods.Run, prev, next int) error {
	md := r.Model
	ps, err := m.mieSites(md.Encoders[prev], m.heads[prev])
	if err != nil {
		return fmt.Errorf("mie: %w", err)
	}
	ns, err := m.mieSites(md.Encoders[next], m.heads[next])
	if err != nil {
		return fmt.Errorf("mie: %w", err)
	}
	grams := make([]*mieGram, len(ps))
	targets := make([]*nn.Param, len(ps))
	for i, p := range ps {
		for _, n := range ns {
			if n.key == p.key && nn.SameShape(n.w.Value, p.w.Value) {
				grams[i], targets[i] = newMIEGram(p.in), n.w
			}
		}
	}
	err = r.Loop.TrainBatches(m.GMBatches, func(b *methods.Batch) error {
		for i, in := range m.mieSiteInputs(md.Encoders[prev], m.heads[prev], ps, b.X[prev]) {
			if grams[i] != nil {
				if err := grams[i].add(in); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mie: gradient modification statistics of %q: %w", md.Modalities[prev], err)
	}
	for i, g := range grams {
		if g == nil {
			continue
		}
		t, err := g.mod(m.Tau)
		if err != nil {
			return fmt.Errorf("mie: layer %s of %q: %w", ps[i].w.Name, md.Modalities[prev], err)
		}
		m.mods = append(m.mods, mieSiteMod{w: targets[i], g: t})
	}
	return nil
}

// Step trains the current modality on its SAM and mixup losses.
func (m *MIE) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	c := m.cur
	enc, head, x := r.Model.Encoders[c], m.heads[c], b.X[c]
	wPlain := float32(1)
	if m.Mixup {
		wPlain = float32(1 - m.MixupWeight)
	}
	r.Opt.ZeroGrad()
	var loss float64
	var orig [][]float32
	z := enc.Forward(x, true)
	if m.SAM {
		_, d := nn.SoftmaxCrossEntropy(head.Forward(z, true), b.Y)
		enc.Backward(head.Backward(d))
		var norm float64
		orig, norm = mieSAMPerturb(m.params, m.rho[c], m.PerTensor)
		r.Log("sam_grad_norm", norm)
		r.Opt.ZeroGrad()
		if m.SAMRecompute {
			z = enc.Forward(x, true)
		}
	}
	// The SAM term (or the plain CE term without SAM), as released on the
	// features of the unperturbed encoder.
	l, d := nn.SoftmaxCrossEntropy(head.Forward(z, true), b.Y)
	loss += float64(wPlain) * l
	nn.Scale(wPlain, d)
	enc.Backward(head.Backward(d))
	if m.Mixup {
		loss += m.MixupWeight * m.mixupTerm(r, b, c)
	}
	for _, s := range m.mods {
		if err := s.g.apply(s.w.Grad.Reshape(s.w.Grad.Shape[0], -1)); err != nil {
			return methods.Stats{}, err
		}
	}
	if m.SAM && m.SAMUndo {
		mieSAMUndo(m.params, orig)
	}
	r.Opt.StepWhere(func(p *nn.Param) bool { return m.keep[p] })
	r.Log("mie_modality", float64(c))
	r.Log("mie_stage", float64(m.stage))
	r.Log("gm_t_min", m.tMin)
	r.Log("gm_t_max", m.tMax)
	r.Log("gm_fraction", m.fraction)
	return methods.Stats{Loss: loss}, nil
}

// mixupTerm forwards and back-propagates mixup_weight times the input-mixup
// loss of modality c and returns the unweighted loss.
func (m *MIE) mixupTerm(r *methods.Run, b *methods.Batch, c int) float64 {
	x := b.X[c]
	n := x.Rows()
	lam := r.RNG.Float64() // Beta(1, 1) is uniform on [0, 1)
	perm := r.RNG.Perm(n)
	xm := nn.NewTensor(x.Shape...)
	yp := make([]int, n)
	for i := range n {
		a, bb, dst := x.Row(i), x.Row(perm[i]), xm.Row(i)
		for j := range dst {
			dst[j] = float32(lam*float64(a[j]) + (1-lam)*float64(bb[j]))
		}
		yp[i] = b.Y[perm[i]]
	}
	enc, head := r.Model.Encoders[c], m.heads[c]
	logits := head.Forward(enc.Forward(xm, true), true)
	la, da := nn.SoftmaxCrossEntropy(logits, b.Y)
	lb, db := nn.SoftmaxCrossEntropy(logits, yp)
	wa, wb := float32(m.MixupWeight*lam), float32(m.MixupWeight*(1-lam))
	for i := range da.Data {
		da.Data[i] = wa*da.Data[i] + wb*db.Data[i]
	}
	enc.Backward(head.Backward(da))
	return lam*la + (1-lam)*lb
}

// Predict returns each modality's head logits and their fusion.
func (m *MIE) Predict(r *methods.Run, b *methods.Batch) (methods.Prediction, error) {
	// Setup installed m.heads as the model's heads and dropped the fusion
	// head, so PredictFrom takes the "head" path.
	p := methods.PredictFrom(r, methods.Forward(r, b, false))
	if m.Inference == mieMLADynamic {
		f, err := latefusion.Weighted(p.Modal, latefusion.DynamicSample, nil)
		if err != nil {
			return methods.Prediction{}, err
		}
		p.Fused = f
		return p, nil
	}
	p.Fused = latefusion.MeanSoftmaxLog(p.Modal)
	return p, nil
}
