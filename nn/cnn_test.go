package nn

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestParseCNNPool(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind string
		size int
		ok   bool
	}{
		{"max2", PoolMax, 2, true},
		{"avg4", PoolAvg, 4, true},
		{"max1", PoolMax, 1, true},
		{"none", PoolNone, 0, true},
		{"max0", "", 0, false},
		{"max", "", 0, false},
		{"max02", "", 0, false},
		{"avg-2", "", 0, false},
		{"mean2", "", 0, false},
		{"", "", 0, false},
	} {
		kind, size, err := ParseCNNPool(tc.in)
		if (err == nil) != tc.ok || kind != tc.kind || size != tc.size {
			t.Errorf("ParseCNNPool(%q) = %q, %d, %v; want %q, %d, ok=%v", tc.in, kind, size, err, tc.kind, tc.size, tc.ok)
		}
	}
}

func TestCNNBlocks(t *testing.T) {
	for _, tc := range []struct {
		name    string
		widths  []int
		strides []int
		pools   []string
		want    []CNNBlock
		err     string
	}{
		{"defaults", []int{4, 8}, nil, nil, []CNNBlock{{4, 1, PoolMax, 2}, {8, 1, PoolMax, 2}}, ""},
		{"given", []int{32, 64, 128}, []int{2, 1, 1}, []string{"max4", "max2", "none"},
			[]CNNBlock{{32, 2, PoolMax, 4}, {64, 1, PoolMax, 2}, {128, 1, PoolNone, 0}}, ""},
		{"avg", []int{4}, nil, []string{"avg3"}, []CNNBlock{{4, 1, PoolAvg, 3}}, ""},
		{"stride count", []int{4, 8}, []int{1}, nil, nil, "1 strides for 2 blocks"},
		{"pool count", []int{4}, nil, []string{"max2", "none"}, nil, "2 pools for 1 blocks"},
		{"zero stride", []int{4}, []int{0}, nil, nil, "block 0: stride 0"},
		{"bad pool", []int{4, 8}, nil, []string{"none", "max"}, nil, `block 1: pooling "max"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CNNBlocks(tc.widths, tc.strides, tc.pools)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestCheckCNNBlocks(t *testing.T) {
	paper := []CNNBlock{{32, 2, PoolMax, 4}, {64, 1, PoolMax, 2}, {128, 1, PoolNone, 0}}
	for _, tc := range []struct {
		name   string
		shape  []int
		blocks []CNNBlock
		ok     bool
	}{
		{"paper layout", []int{1, 64, 64}, paper, true},           // 64 -s2-> 32 -max4-> 8 -max2-> 4 -> 4
		{"paper layout, small", []int{1, 16, 16}, paper, true},    // 16 -> 8 -> 2 -> 1 -> 1
		{"paper layout, too small", []int{1, 8, 8}, paper, false}, // 8 -> 4 -> 1: no room for max2
		{"no pooling at all", []int{1, 3, 3}, []CNNBlock{{4, 1, PoolNone, 0}, {4, 3, PoolNone, 0}}, true},
		{"avg window too large", []int{1, 4, 4}, []CNNBlock{{4, 1, PoolAvg, 5}}, false},
		{"zero stride", []int{1, 4, 4}, []CNNBlock{{4, 0, PoolNone, 0}}, false},
		{"unknown pool", []int{1, 4, 4}, []CNNBlock{{4, 1, "min", 2}}, false},
		{"zero pool window", []int{1, 4, 4}, []CNNBlock{{4, 1, PoolMax, 0}}, false},
		{"max pool window too large", []int{1, 300, 300}, []CNNBlock{{4, 1, PoolMax, MaxPoolMaxWindow + 1}}, false},
		{"largest max pool window", []int{1, 256, 256}, []CNNBlock{{4, 1, PoolMax, MaxPoolMaxWindow}}, true},
		{"no blocks", []int{1, 4, 4}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckCNNBlocks(tc.shape, tc.blocks); (err == nil) != tc.ok {
				t.Errorf("error %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestCNNDefaultBlocksBuildTheSameNetwork: the explicit default blocks give
// the network NewCNNEncoder always built, bit for bit.
func TestCNNDefaultBlocksBuildTheSameNetwork(t *testing.T) {
	x := randTensor(newTestRNG(60), 1, 3, 2, 8, 8)
	a := NewCNNEncoder("cnn", []int{2, 8, 8}, []int{3, 5}, 4, newTestRNG(61))
	b := NewCNNEncoderBlocks("cnn", []int{2, 8, 8}, []CNNBlock{{3, 1, PoolMax, 2}, {5, 1, PoolMax, 2}}, 4, newTestRNG(61))
	ya, yb := a.Forward(x, true), b.Forward(x, true)
	for i := range ya.Data {
		if math.Float32bits(ya.Data[i]) != math.Float32bits(yb.Data[i]) {
			t.Fatalf("output %d: %v vs %v", i, ya.Data[i], yb.Data[i])
		}
	}
	pa, pb := a.Params(), b.Params()
	if len(pa) != len(pb) {
		t.Fatalf("%d vs %d parameters", len(pa), len(pb))
	}
	for i := range pa {
		if pa[i].Name != pb[i].Name || !slices.Equal(pa[i].Value.Data, pb[i].Value.Data) {
			t.Errorf("parameter %d: %s vs %s", i, pa[i].Name, pb[i].Name)
		}
	}
}

// TestGradCNNEncoderBlocks gradient-checks the per-block variants: strided
// convolutions, max and average pooling of other sizes, and blocks without
// pooling (the last one included).
func TestGradCNNEncoderBlocks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		shape  []int
		blocks []CNNBlock
	}{
		{"stride2-max3-none", []int{1, 12, 12}, []CNNBlock{{3, 2, PoolMax, 3}, {4, 1, PoolNone, 0}}},
		{"avg2-stride2-avg1", []int{2, 8, 8}, []CNNBlock{{3, 1, PoolAvg, 2}, {3, 2, PoolAvg, 1}}},
		{"none-stride3", []int{1, 7, 7}, []CNNBlock{{2, 1, PoolNone, 0}, {3, 3, PoolNone, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := newTestRNG(62)
			e := NewCNNEncoderBlocks("cnn", tc.shape, tc.blocks, 0, rng)
			x := randTensor(rng, 1, append([]int{3}, tc.shape...)...)
			gradCheck(t, e, x, 63)
		})
	}
}
