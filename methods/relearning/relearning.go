// Package relearning is Diagnosing and Re-learning (Wei, Li and Hu, ECCV
// 2024): each encoder's learning state is diagnosed by how differently its
// features cluster on training and validation data, and a modality that
// over-fits is softly re-initialised toward its initial weights.
package relearning

import (
	"fmt"

	"github.com/miebench/miebench/internal/rngs"
	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
)

const doc = `Diagnosing and Re-learning: purity-gap diagnosis and soft re-initialisation.
Joint training (CE on the fused output). After epoch e (0-based) with
e mod reinit_epoch = 0 and e > 0, at most reinit_num times: every
modality's encoder features (evaluation mode) of the training and of the
validation split are each scaled per column to [-1, 1] (min-max, fitted on
that split) and clustered by k-means with k = classes; P is the purity of
the clusters (the fraction of samples carrying their cluster's majority
label). alpha_m = tanh(move_lambda |P_train - P_val|), and every parameter
of encoder m is set to alpha_m theta_init + (1 - alpha_m) theta (batch-norm
running statistics and optimizer state are kept, as released). The epoch's
evaluation happens before the re-initialisation, as in the released loop.

Defaults are the released code's (GeWu-Lab/Diagnosing_Relearning_ECCV2024,
script ours.sh): move_lambda 3, reinit_epoch 20, reinit_num 3; its optimiser
is SGD lr 0.002, momentum 0.9, weight decay 1e-4 without a schedule for 90
epochs (its --lr_decay_step is never used). BalanceBenchmark uses
reinit_epoch 15, reinit_num 2. k-means: scikit-learn's KMeans(random_state=0)
as released, i.e. greedy k-means++ seeding and Lloyd iterations (max_iter
300, tol 1e-4); kmeans_init restarts (n_init, 10 in the scikit-learn of the
release, 1 from scikit-learn 1.4 on), seeded from the run's seed, so the
clustering is not scikit-learn's bit for bit. An empty cluster keeps its
centre (scikit-learn moves it to a far point).

Any number of modalities (each is diagnosed on its own) and any fusion head.
Logged at each re-initialisation, in the history of the epoch that follows
the diagnosis epoch: purity_train_<m>, purity_val_<m>, alpha_<m>.`

func init() {
	methods.Register(methods.Spec{
		Name: "relearning",
		Doc:  doc,
		Ref:  "Wei, Li and Hu, Diagnosing and Re-learning for Balanced Multimodal Learning, ECCV 2024; github.com/GeWu-Lab/Diagnosing_Relearning_ECCV2024",
		Params: []methods.ParamSpec{
			{Name: "move_lambda", Default: 3.0, Doc: "lambda in alpha = tanh(lambda |P_train - P_val|)"},
			{Name: "reinit_epoch", Default: 20, Doc: "re-initialise after every epoch e with e mod reinit_epoch = 0, e > 0"},
			{Name: "reinit_num", Default: 3, Doc: "at most this many re-initialisations"},
			{Name: "kmeans_init", Default: 10, Doc: "k-means restarts (scikit-learn n_init), the least-inertia one kept"},
			{Name: "kmeans_iter", Default: 300, Doc: "k-means iterations at most (scikit-learn max_iter)"},
		},
		Caps: methods.Caps{MinModalities: 1, Fusions: model.Fusions},
		Validate: func(h methods.Hyper, _ methods.PlanInfo) error {
			if v := h.Float("move_lambda"); v < 0 {
				return fmt.Errorf("relearning: hyperparameter \"move_lambda\" is %v, want >= 0", v)
			}
			for _, k := range []string{"reinit_epoch", "kmeans_init", "kmeans_iter"} {
				if v := h.Int(k); v < 1 {
					return fmt.Errorf("relearning: hyperparameter %q is %d, want >= 1", k, v)
				}
			}
			if v := h.Int("reinit_num"); v < 0 {
				return fmt.Errorf("relearning: hyperparameter \"reinit_num\" is %d, want >= 0", v)
			}
			return nil
		},
		New: func(h methods.Hyper) (methods.Method, error) {
			return &Relearning{
				Lambda: h.Float("move_lambda"), Every: h.Int("reinit_epoch"), Times: h.Int("reinit_num"),
				KInit: h.Int("kmeans_init"), KIter: h.Int("kmeans_iter"),
			}, nil
		},
	})
}

// Relearning is joint training with the released diagnosis and soft
// re-initialisation.
type Relearning struct {
	methods.Base
	Lambda       float64
	Every, Times int
	KInit, KIter int
	done         int
}

// Setup keeps the initial weights.
func (rl *Relearning) Setup(r *methods.Run) error {
	if err := rl.Base.Setup(r); err != nil {
		return fmt.Errorf("relearning: %w", err)
	}
	if err := methods.NeedEncoders("relearning", r.Model); err != nil {
		return err
	}
	r.Save("init")
	return nil
}

// StartEpoch re-initialises after a diagnosis epoch (the previous one),
// so that the diagnosis epoch was evaluated before.
func (rl *Relearning) StartEpoch(r *methods.Run, epoch int) error {
	prev := epoch - 1
	if prev <= 0 || prev%rl.Every != 0 || rl.done >= rl.Times {
		return nil
	}
	rl.done++
	train, trainY, err := features(r, "train")
	if err != nil {
		return fmt.Errorf("relearning: %w", err)
	}
	val, valY, err := features(r, "val")
	if err != nil {
		return fmt.Errorf("relearning: %w", err)
	}
	init, _ := r.Saved("init")
	k := r.Model.NumClasses
	for m, mod := range r.Model.Modalities {
		rng := rngs.Stream(r.Seed, fmt.Sprintf("method/relearning/kmeans/%d/%s", rl.done, mod))
		pTrain := Purity(trainY, KMeans(MinMaxScale(train[m]), k, rl.KInit, rl.KIter, 1e-4, rng))
		pVal := Purity(valY, KMeans(MinMaxScale(val[m]), k, rl.KInit, rl.KIter, 1e-4, rng))
		alpha := Alpha(pTrain, pVal, rl.Lambda)
		r.Log("purity_train_"+mod, pTrain)
		r.Log("purity_val_"+mod, pVal)
		r.Log("alpha_"+mod, alpha)
		for _, p := range methods.EncoderParams(r, m) {
			v0, ok := init.Params[p.Name]
			if !ok {
				return fmt.Errorf("relearning: no initial value of parameter %q", p.Name)
			}
			SoftReinit(p.Value.Data, v0.Data, alpha)
		}
	}
	return nil
}

// features returns every modality's evaluation-mode features of split
// (rows per sample, in sample order) and the labels.
func features(r *methods.Run, split string) ([][][]float64, []int, error) {
	out := make([][][]float64, len(r.Model.Modalities))
	var y []int
	err := r.Loop.EvalBatches(split, func(b *methods.Batch) error {
		y = append(y, b.Y...)
		for m, enc := range r.Model.Encoders {
			z := enc.Forward(b.X[m], false)
			for i := range z.Rows() {
				row := make([]float64, z.RowLen())
				for j, v := range z.Row(i) {
					row[j] = float64(v)
				}
				out[m] = append(out[m], row)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s features: %w", split, err)
	}
	return out, y, nil
}
