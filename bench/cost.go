package bench

import (
	"math"
	"time"

	"github.com/miebench/miebench/nn"
)

// Cost is what a run cost. Params and Steps are computed and identical for
// the same spec; the times, the rate and the memory are measured and differ
// between two runs of it (Record.Comparable drops them).
type Cost struct {
	// Params is the number of trainable scalars of the model (every
	// parameter the optimiser updates).
	Params int `json:"params"`
	// Steps is the number of optimiser steps of the training loop.
	Steps int `json:"steps"`
	// TrainS is the wall time of the training batches (loading, forward,
	// backward, update), in seconds.
	TrainS float64 `json:"train_s"`
	// EvalS is the wall time of evaluation: every epoch's validation and
	// test pass and the linear probes, in seconds.
	EvalS float64 `json:"eval_s"`
	// StepsPerS is Steps / TrainS, to two decimals.
	StepsPerS float64 `json:"steps_per_s"`
	// PeakRSSMB is the peak resident set size of the process when the run
	// ended, in MiB. It is the process's, not the run's: with several
	// workers it bounds the memory of the runs trained at the same time.
	PeakRSSMB float64 `json:"peak_rss_mb"`
}

// CostNames are the cost columns a table may show (Cost.Value).
var CostNames = []string{"params", "steps", "train_s", "eval_s", "steps_per_s", "peak_rss_mb"}

// Value returns the cost called name (one of CostNames) and whether there
// is one by that name.
func (c Cost) Value(name string) (float64, bool) {
	switch name {
	case "params":
		return float64(c.Params), true
	case "steps":
		return float64(c.Steps), true
	case "train_s":
		return c.TrainS, true
	case "eval_s":
		return c.EvalS, true
	case "steps_per_s":
		return c.StepsPerS, true
	case "peak_rss_mb":
		return c.PeakRSSMB, true
	}
	return 0, false
}

// withoutMeasurements keeps the computed fields of c.
func (c *Cost) withoutMeasurements() *Cost {
	if c == nil {
		return nil
	}
	return &Cost{Params: c.Params, Steps: c.Steps}
}

// costMeter accumulates a run's wall times while it trains: the trainer
// adds each epoch's batch loop to train and its evaluation (and the final
// probes) to eval.
type costMeter struct {
	train, eval time.Duration
}

// cost is the run's cost for a model with params after steps optimiser
// steps, times rounded to the millisecond.
func (m *costMeter) cost(params []*nn.Param, steps int) *Cost {
	c := &Cost{Steps: steps, TrainS: roundMS(m.train), EvalS: roundMS(m.eval), PeakRSSMB: peakRSSMB()}
	for _, p := range params {
		c.Params += p.Value.Len()
	}
	if c.TrainS > 0 {
		c.StepsPerS = math.Round(float64(steps)/c.TrainS*100) / 100
	}
	return c
}

func roundMS(d time.Duration) float64 { return math.Round(d.Seconds()*1000) / 1000 }
