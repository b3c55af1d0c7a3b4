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
// modality m's own head mapping its features to logits, and it is what the
// modality's reported accuracy comes from (source "head"). Parameters a
// method trains without reporting from them (auxiliary unimodal heads, an
// extra layer, a learnable scalar) go into Extra: they are optimised and
// snapshotted with the rest and never change an accuracy's source.
type Model struct {
	Modalities []string
	Encoders   []nn.Encoder
	Fusion     Fusion
	Heads      []nn.Layer
	Extra      []Module
	NumClasses int
}

// Module is a group of trainable parameters and buffers; every nn.Layer is
// one, and Params makes one of loose parameters.
type Module interface {
	Params() []*nn.Param
	Buffers() []*nn.Buffer
}

// Params is a Module of loose parameters (a learnable scalar or weight
// vector) without buffers.
type Params []*nn.Param

// Params implements Module.
func (p Params) Params() []*nn.Param { return p }

// Buffers implements Module: loose parameters have none.
func (Params) Buffers() []*nn.Buffer { return nil }

// AddExtra adds a trainable module under group (Param.Group of each of its
// parameters, e.g. "head/audio.aux" or "method"): it is optimised and
// snapshotted with the model and does not report any modality's accuracy.
// Call it in a method's Setup, before the optimizer is built.
func (m *Model) AddExtra(group string, mod Module) {
	SetGroup(mod.Params(), group)
	m.Extra = append(m.Extra, mod)
}
