package methodtest

import (
	"testing"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// fixture is the encoders and inputs of the conformance checks: the run
// loop's encoders on synthetic data of width dim (as images when image),
// and the hand-built run's encoders on inputs of handShape.
type fixture struct {
	kind        string
	encoder     bench.EncoderSpec
	dim         int
	image       bool
	handEncoder model.EncoderConfig
	handShape   []int
}

var (
	// mlpFixture: mlp encoders with conformanceDim features on vectors.
	mlpFixture = fixture{
		kind:        "mlp",
		encoder:     bench.EncoderSpec{Kind: "mlp", Widths: []int{8}, Dim: conformanceDim},
		dim:         5,
		handEncoder: model.EncoderConfig{Kind: "mlp", Widths: []int{6}, Dim: conformanceDim},
		handShape:   []int{4},
	}
	// cnnFixture: two-block cnn encoders (conformanceDim channels, so
	// conformanceDim features) on one-channel 4x4 images, for methods
	// whose layers sit between encoder stages.
	cnnFixture = fixture{
		kind:        "cnn",
		encoder:     bench.EncoderSpec{Kind: "cnn", Widths: []int{conformanceDim, conformanceDim}},
		dim:         16,
		image:       true,
		handEncoder: model.EncoderConfig{Kind: "cnn", Widths: []int{conformanceDim, conformanceDim}},
		handShape:   []int{1, 4, 4},
	}
)

// batch is RandomBatch with inputs of the hand-built run's shape.
func (fx fixture) batch(m, n int, seed uint64) *methods.Batch {
	if fx.kind == "mlp" {
		return RandomBatch(m, n, seed)
	}
	b := RandomBatch(m, n*4, seed) // n*4 rows of width 4 = n rows of width 16
	for i, x := range b.X {
		b.X[i] = nn.FromSlice(x.Data, append([]int{n}, fx.handShape...)...)
	}
	b.Y = b.Y[:n]
	return b
}

// CheckCNN is Check with cnn encoders on image-shaped inputs (two blocks
// of conformanceDim channels on one-channel 4x4 images) instead of mlp
// encoders, for methods that refuse encoders without stages.
func CheckCNN(name string, params map[string]any) []error {
	return check(name, params, cnnFixture)
}

// ConformanceCNN is Conformance with CheckCNN.
func ConformanceCNN(t *testing.T, name string, params map[string]any) {
	t.Helper()
	for _, err := range CheckCNN(name, params) {
		t.Error(err)
	}
}
