// Package probe gives score-based methods each modality's logits during
// training: the fusion head's partial logits where it decomposes (concat,
// sum), otherwise a linear probe head per modality trained on detached
// features with its own cross-entropy, so that no gradient of the probe
// reaches the encoders.
package probe

import (
	"fmt"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// Scorer yields per-modality logits for scoring.
type Scorer struct {
	probes bool
}

// NewScorer checks that the model has a fusion head and an encoder per
// modality and, when the fusion head has no partial logits, installs one
// linear probe head "head.<modality>.probe" (group "head/<modality>") per
// modality as the model's per-modality head, so the probes also give the
// per-modality accuracy. It runs in a method's Setup; method names it in
// errors.
func NewScorer(method string, r *methods.Run) (*Scorer, error) {
	md := r.Model
	if md.Fusion == nil {
		return nil, fmt.Errorf("%s: needs a fusion head", method)
	}
	if err := methods.NeedEncoders(method, md); err != nil {
		return nil, err
	}
	if md.Fusion.Decomposes() {
		return &Scorer{}, nil
	}
	for m, enc := range md.Encoders {
		mod := md.Modalities[m]
		head := nn.NewLinear("head."+mod+".probe", enc.OutDim(), md.NumClasses, r.InitStream("head."+mod+".probe"))
		model.SetGroup(head.Params(), "head/"+mod)
		md.Heads[m] = head
	}
	return &Scorer{probes: true}, nil
}

// Probes reports whether the logits come from probe heads.
func (s *Scorer) Probes() bool { return s.probes }

// Logits returns each modality's logits: the fusion head's partial logits,
// or, with probes, the probe heads' logits, whose own CE is
// back-propagated into the probes only (features detached). It must run
// after a training Forward and before Backward.
func (s *Scorer) Logits(r *methods.Run, out methods.Output, y []int) []*nn.Tensor {
	if !s.probes {
		return r.Model.Fusion.Partial(out.Z)
	}
	logits := make([]*nn.Tensor, len(out.Z))
	for m, z := range out.Z {
		head := r.Model.Heads[m]
		logits[m] = head.Forward(z, true).Clone()
		_, d := nn.SoftmaxCrossEntropy(logits[m], y)
		head.Backward(d) // the input gradient is dropped: probes do not train encoders
	}
	return logits
}
