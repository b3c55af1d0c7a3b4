// Package model is the multimodal classifier every method trains: one
// encoder per modality, a fusion head, and optional per-modality heads,
// with the partial-logit decomposition that OGM-GE, AMSS and the
// per-modality accuracy columns need.
package model

import (
	"github.com/miebench/miebench/nn"
)

// Fusion combines per-modality features into class logits.
type Fusion interface {
	// Kind is "concat", "sum", "film" or "gated".
	Kind() string
	// Forward maps features z[m] ([N, D_m]) to logits [N, C], caching what
	// Backward needs.
	Forward(z []*nn.Tensor, train bool) *nn.Tensor
	// Backward takes dL/dlogits and returns dL/dz[m] for each modality,
	// accumulating the head's parameter gradients.
	Backward(dout *nn.Tensor) []*nn.Tensor
	// Partial returns each modality's partial logits [N, C] computed from
	// features z, or nil when the fusion has no additive decomposition
	// (film, gated). concat: out_m = z_m W_m^T + b/M; sum: out_m = fc_m(z_m)
	// with that branch's full bias, as the released OGM-GE code does.
	Partial(z []*nn.Tensor) []*nn.Tensor
	// Decomposes reports whether Partial returns partial logits (concat,
	// sum) rather than nil (film, gated).
	Decomposes() bool
	Params() []*nn.Param
}

// Model is M >= 2 modality encoders and a fusion head. A method may replace
// or drop parts in its Setup: a nil Encoders[m] is a modality the method does
// not use; a nil Fusion means no fusion head; Heads[m], when non-nil, is
// modality m's own head mapping its features to logits.
type Model struct {
	Modalities []string
	Encoders   []nn.Encoder
	Fusion     Fusion
	Heads      []nn.Layer
	NumClasses int
}
