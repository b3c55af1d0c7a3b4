package bench

import (
	"context"
)

// TrainOptions are per-invocation settings of Train that are not part of a
// run's identity.
type TrainOptions struct {
	// Progress, when non-nil, is called after each epoch.
	Progress func(epoch, epochs int)
}

// Train trains and evaluates one run and returns its record. A run that
// fails (bad data, divergence, a method error) returns a record with status
// "failed" and the reason, and a nil error. A non-nil error means the run did
// not finish (ctx was cancelled) and nothing should be written for it.
func Train(ctx context.Context, spec RunSpec, opt TrainOptions) (*Record, error) {
	return train(ctx, spec, opt)
}
