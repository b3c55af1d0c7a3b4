package model

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/miebench/miebench/nn"
)

// EncoderConfig chooses one modality's encoder.
type EncoderConfig struct {
	Kind   string // "mlp", "cnn" or "resnet18"
	Widths []int  // mlp: hidden widths; cnn: channels per conv block
	Dim    int    // output feature width for mlp and cnn (0: cnn uses its last width); resnet18 is 512
	// Strides and Pools (cnn only) give each block's convolution stride and
	// its pooling as "max<k>", "avg<k>" or "none" (nn.ParseCNNPool), one
	// entry per width; nil means stride 1 and max2 for every block.
	Strides []int
	Pools   []string
}

// Config describes a model to build.
type Config struct {
	Modalities []string
	Shapes     [][]int // per-sample input shape of each modality
	Encoders   []EncoderConfig
	Fusion     string // "concat", "sum", "film", "gated"; "" or "none" for no fusion head
	NumClasses int
}

// Fusions lists the fusion heads New can build.
var Fusions = []string{"concat", "sum", "film", "gated"}

// EncoderKinds lists the encoders New can build.
var EncoderKinds = []string{"mlp", "cnn", "resnet18"}

// CheckFusion reports whether fusion kind can combine m modalities.
func CheckFusion(kind string, m int) error {
	switch kind {
	case "concat", "sum", "none", "":
		return nil
	case "film", "gated":
		if m != 2 {
			return fmt.Errorf("fusion %q is defined for two modalities (one conditions the other), got %d", kind, m)
		}
		return nil
	}
	return fmt.Errorf("unknown fusion %q (valid: %v)", kind, Fusions)
}

// New builds a model, initialising every parameter from rng in a fixed
// order: encoders in modality order, then the fusion head. The run loop
// uses NewFromStreams instead, so that a module's initial weights do not
// depend on the other modules; New is for tests that build a model by hand.
func New(cfg Config, rng *rand.Rand) (*Model, error) {
	return NewFromStreams(cfg, func(string) *rand.Rand { return rng })
}

// NewFromStreams builds a model, initialising each module from its own
// stream stream(name): the encoder of modality m from "enc.<m>", the fusion
// head from "head". A modality's encoder then starts from the same weights
// whichever other modalities, encoders or fusion head the model has.
func NewFromStreams(cfg Config, stream func(module string) *rand.Rand) (*Model, error) {
	m := len(cfg.Modalities)
	if m < 1 || len(cfg.Shapes) != m || len(cfg.Encoders) != m {
		return nil, fmt.Errorf("model: %d modalities, %d shapes, %d encoders", m, len(cfg.Shapes), len(cfg.Encoders))
	}
	if cfg.NumClasses < 2 {
		return nil, fmt.Errorf("model: need at least 2 classes, got %d", cfg.NumClasses)
	}
	if err := CheckFusion(cfg.Fusion, m); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	md := &Model{
		Modalities: append([]string(nil), cfg.Modalities...),
		Encoders:   make([]nn.Encoder, m),
		Heads:      make([]nn.Layer, m),
		NumClasses: cfg.NumClasses,
	}
	dims := make([]int, m)
	for i, name := range cfg.Modalities {
		enc, err := NewEncoder("enc."+name, cfg.Shapes[i], cfg.Encoders[i], stream("enc."+name))
		if err != nil {
			return nil, fmt.Errorf("model: modality %q: %w", name, err)
		}
		SetGroup(enc.Params(), "enc/"+name)
		// Encoder inputs are data: nobody reads their gradient.
		if d, ok := enc.(nn.InputGradDropper); ok {
			d.DropInputGrad()
		}
		md.Encoders[i] = enc
		dims[i] = enc.OutDim()
	}
	var err error
	md.Fusion, err = NewFusion(cfg.Fusion, cfg.Modalities, dims, cfg.NumClasses, stream("head"))
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if md.Fusion != nil {
		SetGroup(md.Fusion.Params(), "head")
	}
	return md, nil
}

// NewEncoder builds one encoder whose parameter names start with name.
func NewEncoder(name string, shape []int, cfg EncoderConfig, rng *rand.Rand) (nn.Encoder, error) {
	if cfg.Kind != "cnn" && slices.Contains(EncoderKinds, cfg.Kind) && (cfg.Strides != nil || cfg.Pools != nil) {
		return nil, fmt.Errorf("%s encoder: strides and pools are settings of the cnn encoder", cfg.Kind)
	}
	switch cfg.Kind {
	case "mlp":
		return nn.NewMLPEncoder(name, nn.ShapeSize(shape), cfg.Widths, cfg.Dim, rng), nil
	case "cnn":
		blocks, err := nn.CNNBlocks(cfg.Widths, cfg.Strides, cfg.Pools)
		if err == nil {
			err = nn.CheckCNNBlocks(shape, blocks)
		}
		if err != nil {
			return nil, fmt.Errorf("cnn encoder: %w", err)
		}
		return nn.NewCNNEncoderBlocks(name, shape, blocks, cfg.Dim, rng), nil
	case "resnet18":
		switch len(shape) {
		case 3:
			return nn.NewResNet18(name, shape[0], rng), nil
		case 4:
			return nn.NewResNet18(name, shape[1], rng), nil
		}
		return nil, fmt.Errorf("resnet18 encoder needs [C,H,W] or [T,C,H,W] inputs, got shape %v", shape)
	}
	return nil, fmt.Errorf("unknown encoder %q (valid: %v)", cfg.Kind, EncoderKinds)
}

// FeatureDim is the feature width the encoder cfg outputs, known before it
// is built: Dim for mlp, Dim or else the last channel width for cnn, 512
// for resnet18; 0 when the configuration does not fix it (an unknown kind,
// a cnn without widths).
func FeatureDim(cfg EncoderConfig) int {
	switch cfg.Kind {
	case "mlp":
		return cfg.Dim
	case "cnn":
		if cfg.Dim > 0 {
			return cfg.Dim
		}
		if len(cfg.Widths) > 0 {
			return cfg.Widths[len(cfg.Widths)-1]
		}
	case "resnet18":
		return 512
	}
	return 0
}

// SetGroup sets Param.Group on every parameter.
func SetGroup(params []*nn.Param, group string) {
	for _, p := range params {
		p.Group = group
	}
}

// Params returns every parameter of the model's present parts, each once,
// in a fixed order: encoders in modality order, the fusion head, the
// per-modality heads, the extra modules in the order added.
func (m *Model) Params() []*nn.Param {
	var out []*nn.Param
	seen := map[*nn.Param]bool{}
	add := func(ps []*nn.Param) {
		for _, p := range ps {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	for _, e := range m.Encoders {
		if e != nil {
			add(e.Params())
		}
	}
	if m.Fusion != nil {
		add(m.Fusion.Params())
	}
	for _, h := range m.Heads {
		if h != nil {
			add(h.Params())
		}
	}
	for _, x := range m.Extra {
		add(x.Params())
	}
	return out
}

// Buffers returns every buffer (batch-norm running statistics) of the
// model's present parts, each once.
func (m *Model) Buffers() []*nn.Buffer {
	var out []*nn.Buffer
	seen := map[*nn.Buffer]bool{}
	add := func(bs []*nn.Buffer) {
		for _, b := range bs {
			if !seen[b] {
				seen[b] = true
				out = append(out, b)
			}
		}
	}
	for _, e := range m.Encoders {
		if e != nil {
			add(e.Buffers())
		}
	}
	for _, h := range m.Heads {
		if h != nil {
			add(h.Buffers())
		}
	}
	for _, x := range m.Extra {
		add(x.Buffers())
	}
	return out
}

// Index returns the position of modality name.
func (m *Model) Index(name string) (int, error) {
	for i, n := range m.Modalities {
		if n == name {
			return i, nil
		}
	}
	return -1, fmt.Errorf("unknown modality %q (valid: %v)", name, m.Modalities)
}
