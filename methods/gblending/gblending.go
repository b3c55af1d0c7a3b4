package gblending

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/partiallogits"
	"github.com/miebench/miebench/nn"
)

const doc = `G-Blending: gradient blending. Each step minimises
sum_k w_k CE(out_k, y) over the branches k = each modality (its partial
logits out_m) and the fused output.

The weights are estimated online, before epoch 0 and then every
super_epoch epochs, as BalanceBenchmark's GBlending_trainer (method
"online") does; no official code was released. For each branch k, a
temporary copy of the current model (parameters and buffers; a fresh
optimizer state at the base learning rate) is trained for super_epoch
epochs with CE on the fused output for branch k alone (the other
modalities' features zeroed; the fused branch with all): after its first
and its last epoch, the training loss (summed over that epoch's batches)
and the validation loss (summed over the validation split's batches) are
recorded, and

  dG = L_val(last) - L_val(first),
  dO = (L_val(last) - L_train(last)) - (L_val(first) - L_train(first)),
  w_k = |dG / dO^2| / sum_j |dG_j / dO_j^2|.

The model and the main optimizer's state are then restored. The
estimation uses the run's validation split, never test (BalanceBenchmark's
validation loader is the test set). A branch with dO = 0 takes all the
weight (shared with any other such branch), and equal weights are used if
every dG is 0 (logged as fallback 1).

Divergences from BalanceBenchmark, as switches: mean_losses (per-batch
mean losses instead of sums over batches, so that the training and
validation terms of dO are on one scale, as the paper's average losses;
the released sums mix the two splits' batch counts). Not switches: the
trial zeroes the other modalities' features, where BalanceBenchmark
zeroes their inputs (the paper trains each branch with its own head);
MultiBench's reading (8% of train held out, re-estimated every 20 epochs)
is not implemented.

Cost: every estimation trains (M + 1) * super_epoch extra epochs.

Fusion: concat and sum (partial logits are the modality branches).
M > 2: one branch per modality plus the fused one.

Logged per step: w_<m>, w_fused (the weights in use), and from the latest
estimation gain_<k>, overfit_<k> (dG, dO) and fallback.`

func init() {
	methods.Register(methods.Spec{
		Name: "gblending",
		Doc:  doc,
		Ref:  "Wang, Tran, Feiszli, What Makes Training Multi-Modal Classification Networks Hard?, CVPR 2020; as implemented in github.com/GeWu-Lab/BalanceBenchmark (balancemm/trainer/GBlending_trainer.py)",
		Params: []methods.ParamSpec{
			{Name: "super_epoch", Default: 10, Doc: "epochs between weight estimations, and the length of each branch's trial"},
			{Name: "mean_losses", Default: false, Switch: true, Doc: "false: losses summed over batches, as BalanceBenchmark; true: per-batch means (the paper's average losses)"},
		},
		Caps: methods.Caps{MinModalities: 2, PartialLogits: true},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			if n := h.Int("super_epoch"); n < 1 {
				return fmt.Errorf("gblending: hyperparameter \"super_epoch\" is %d, want >= 1", n)
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &GBlending{SuperEpoch: h.Int("super_epoch"), MeanLosses: h.Bool("mean_losses")}, nil
		},
	})
}

// GBlending trains a weighted sum of branch losses with weights estimated
// from trial runs of each branch.
type GBlending struct {
	methods.Base
	SuperEpoch int
	MeanLosses bool

	weights  []float64 // per modality, then fused
	windows  []Window
	fallback bool
}

// branchNames names the branches: the modalities, then "fused".
func branchNames(r *methods.Run) []string {
	return append(append([]string(nil), r.Model.Modalities...), "fused")
}

// Setup implements methods.Method.
func (g *GBlending) Setup(r *methods.Run) error {
	if r.Model.Fusion == nil || !r.Model.Fusion.Decomposes() {
		return fmt.Errorf("gblending: needs a fusion head with partial logits (concat or sum)")
	}
	return methods.NeedEncoders("gblending", r.Model)
}

// StartEpoch implements methods.Method: re-estimates the weights every
// super_epoch epochs.
func (g *GBlending) StartEpoch(r *methods.Run, epoch int) error {
	if epoch%g.SuperEpoch != 0 && g.weights != nil {
		return nil
	}
	nm := len(r.Model.Modalities)
	const save = "gblending.main"
	r.Save(save)
	state := r.Opt.SaveState()
	g.windows = make([]Window, nm+1)
	for k := range nm + 1 {
		keep := make([]bool, nm)
		for m := range keep {
			keep[m] = k == nm || m == k
		}
		if err := r.Load(save); err != nil {
			return err
		}
		r.Opt.Reset()
		r.Opt.SetLRScale(1)
		w, err := g.trial(r, keep)
		if err != nil {
			return fmt.Errorf("gblending: trial of branch %q: %w", branchNames(r)[k], err)
		}
		g.windows[k] = w
	}
	if err := r.Load(save); err != nil {
		return err
	}
	if err := r.Opt.LoadState(state); err != nil {
		return fmt.Errorf("gblending: restoring the optimizer: %w", err)
	}
	r.Opt.ZeroGrad()
	ws, fb, err := weights(g.windows)
	if err != nil {
		return err
	}
	g.weights, g.fallback = ws, fb
	return nil
}

// trial trains the model for SuperEpoch epochs on the fused output of the
// kept modalities and returns the losses after its first and last epochs.
func (g *GBlending) trial(r *methods.Run, keep []bool) (Window, error) {
	var w Window
	for e := range g.SuperEpoch {
		var train float64
		batches := 0
		err := r.Loop.TrainBatches(0, func(b *methods.Batch) error {
			r.Opt.ZeroGrad()
			z := methods.Encode(r, b, true)
			zk := methods.Zeroed(z, keep)
			loss, d := nn.SoftmaxCrossEntropy(methods.Fuse(r, zk, true), b.Y)
			dz := methods.BackwardFusion(r, d)
			for m := range dz {
				if !keep[m] {
					dz[m] = nil // zeroed features are constants
				}
			}
			methods.BackwardEncoders(r, dz)
			r.Opt.Step()
			train += loss
			batches++
			return nil
		})
		if err != nil {
			return w, err
		}
		if e != 0 && e != g.SuperEpoch-1 {
			continue
		}
		val, valBatches, err := g.valLoss(r, keep)
		if err != nil {
			return w, err
		}
		if g.MeanLosses {
			train /= float64(max(batches, 1))
			val /= float64(max(valBatches, 1))
		}
		if e == 0 {
			w.TrainPre, w.ValPre = train, val
		}
		if e == g.SuperEpoch-1 {
			w.TrainNow, w.ValNow = train, val
		}
	}
	return w, nil
}

// valLoss sums the validation split's per-batch mean CE of the fused
// output of the kept modalities (evaluation mode).
func (g *GBlending) valLoss(r *methods.Run, keep []bool) (float64, int, error) {
	var sum float64
	n := 0
	err := r.Loop.EvalBatches("val", func(b *methods.Batch) error {
		z := methods.Encode(r, b, false)
		loss, _ := nn.SoftmaxCrossEntropy(methods.FuseSubset(r, z, keep, false), b.Y)
		sum += loss
		n++
		return nil
	})
	return sum, n, err
}

// Step implements methods.Method: sum_k w_k CE(out_k, y).
func (g *GBlending) Step(r *methods.Run, b *methods.Batch) (methods.Stats, error) {
	md := r.Model
	nm := len(md.Modalities)
	r.Opt.ZeroGrad()
	z := methods.Encode(r, b, true)
	fused := methods.Fuse(r, z, true)
	ce, dFused := nn.SoftmaxCrossEntropy(fused, b.Y)
	loss := g.weights[nm] * ce
	nn.Scale(float32(g.weights[nm]), dFused)
	parts := md.Fusion.Partial(z)
	dParts := make([]*nn.Tensor, nm)
	for m, p := range parts {
		ce, d := nn.SoftmaxCrossEntropy(p, b.Y)
		loss += g.weights[m] * ce
		nn.Scale(float32(g.weights[m]), d)
		dParts[m] = d
	}
	dz := methods.BackwardFusion(r, dFused)
	dzParts, err := partiallogits.Backward(md.Fusion, z, dParts)
	if err != nil {
		return methods.Stats{}, err
	}
	for m := range dz {
		dz[m] = dz[m].Clone()
		nn.Axpy(1, dzParts[m], dz[m])
	}
	methods.BackwardEncoders(r, dz)
	r.Opt.Step()
	fb := 0.0
	if g.fallback {
		fb = 1
	}
	r.Log("fallback", fb)
	for k, name := range branchNames(r) {
		r.Log("w_"+name, g.weights[k])
		r.Log("gain_"+name, g.windows[k].gain())
		r.Log("overfit_"+name, g.windows[k].overfit())
	}
	return methods.Stats{Loss: loss}, nil
}
