package bench

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"

	"github.com/miebench/miebench/datasets"
	"github.com/miebench/miebench/methods"
	_ "github.com/miebench/miebench/methods/all"
)

// Test-only methods and datasets, registered under names no real one uses.
func init() {
	newNop := func(methods.Hyper) (methods.Method, error) { return nil, errors.New("test method") }
	methods.Register(methods.Spec{Name: "t-joint", New: newNop})
	methods.Register(methods.Spec{Name: "t-ogm", New: newNop, Params: []methods.ParamSpec{
		{Name: "alpha", Default: 0.8},
		{Name: "beta", Default: 1},
		{Name: "on", Default: true},
	}})
	methods.Register(methods.Spec{Name: "t-uni", New: newNop,
		Params: []methods.ParamSpec{{Name: "modality", Default: "m0"}},
		Validate: func(h methods.Hyper, p methods.PlanInfo) error {
			if !slices.Contains(p.Modalities, h.String("modality")) {
				return fmt.Errorf("modality %q not in %v", h.String("modality"), p.Modalities)
			}
			return nil
		}})
	datasets.Register(datasets.Builder{Name: "t-ds",
		Params: []datasets.ParamSpec{{Name: "noise", Default: 0.5}, {Name: "strength", Default: []float64{1, 1}}},
		Open: func(cfg datasets.Config) (datasets.Dataset, error) {
			if cfg.Root == "/missing" {
				return nil, errors.New("root /missing: no such directory")
			}
			return fakeDataset{}, nil
		}})
}

type fakeDataset struct{}

func (fakeDataset) Info() datasets.Info {
	return datasets.Info{Name: "t-ds", Modalities: []datasets.Modality{{Name: "m0"}, {Name: "m1"}}, Classes: []string{"a", "b"}}
}
func (fakeDataset) Split(string) (datasets.Split, error) { return nil, errors.New("fake") }

// fakeTrain returns a deterministic record derived from the spec: the
// runner and report tests need records, not training.
func fakeTrain(ctx context.Context, spec RunSpec, opt TrainOptions) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte(spec.ID()))
	rng := rand.New(rand.NewPCG(h.Sum64(), 7))
	rec := &Record{Status: "ok", SelectedOn: spec.Selection.Split, Metrics: map[string]Metrics{}}
	for _, split := range []string{"val", "test"} {
		rec.Metrics[split] = Metrics{Acc: rng.Float64(), MacroF1: rng.Float64(), MAP: rng.Float64(),
			ModalityAcc: map[string]float64{"m0": rng.Float64(), "m1": rng.Float64()}}
	}
	for e := range spec.Train.Epochs {
		rec.History = append(rec.History, EpochRecord{Epoch: e, TrainLoss: rng.Float64(),
			Test: Metrics{Acc: rng.Float64(), ModalityAcc: map[string]float64{"m0": rng.Float64(), "m1": rng.Float64()}}})
		if opt.Progress != nil {
			opt.Progress(e, spec.Train.Epochs)
		}
	}
	if spec.Params["beta"] == 13 {
		rec.Status, rec.Error = "failed", "diverged: loss NaN at epoch 0"
	}
	return rec, nil
}

const testSuite = `name: t
description: a test suite
seeds: [0, 1]
datasets:
  - name: t-ds
    params: {noise: 1}
methods:
  - name: t-joint
  - name: t-uni
    label: uni-m1
    params: {modality: m1}
  - name: t-ogm
    params: {alpha: [0.3, 0.8], beta: [1, 2], on: false}
    train: {lr: 0.5}
train: {epochs: 3, batch_size: 8, lr: 0.1, momentum: 0.9}
model:
  encoders: {m0: {kind: mlp, widths: [8], dim: 4}, m1: {kind: mlp, dim: 4}, m2: {kind: mlp}}
`
