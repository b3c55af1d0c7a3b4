package model

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/miebench/miebench/nn"
)

// TestNewEncoderCNNBlockSettings: per-block strides and pools build the
// paper-style encoder, and are refused where they do not apply.
func TestNewEncoderCNNBlockSettings(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shape []int
		cfg   EncoderConfig
		err   string
	}{
		{"paper layout", []int{1, 64, 64}, EncoderConfig{Kind: "cnn", Widths: []int{32, 64, 128}, Strides: []int{2, 1, 1}, Pools: []string{"max4", "max2", "none"}}, ""},
		{"too small for the pools", []int{1, 8, 8}, EncoderConfig{Kind: "cnn", Widths: []int{32, 64}, Strides: []int{2, 1}, Pools: []string{"max4", "max2"}}, "too small"},
		{"bad pool", []int{1, 8, 8}, EncoderConfig{Kind: "cnn", Widths: []int{4}, Pools: []string{"max"}}, `pooling "max"`},
		{"pools on an mlp", []int{4}, EncoderConfig{Kind: "mlp", Widths: []int{4}, Pools: []string{"max2"}}, "settings of the cnn encoder"},
		{"strides on resnet18", []int{1, 32, 32}, EncoderConfig{Kind: "resnet18", Strides: []int{2}}, "settings of the cnn encoder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc, err := NewEncoder("enc.a", tc.shape, tc.cfg, rand.New(rand.NewPCG(1, 1)))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			y := enc.Forward(nn.NewTensor(append([]int{2}, tc.shape...)...), false)
			if y.Shape[0] != 2 || y.Shape[1] != 128 {
				t.Errorf("output shape %v, want [2 128]", y.Shape)
			}
		})
	}
}
