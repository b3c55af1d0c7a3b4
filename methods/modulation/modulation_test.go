package modulation

import (
	"strings"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/nn"
)

func TestWindowFrom(t *testing.T) {
	cases := []struct {
		start, end int
		bad        bool
		active     []int
		inactive   []int
	}{
		{0, 50, false, []int{0, 50}, []int{51}},
		{3, 3, false, []int{3}, []int{2, 4}},
		{-1, 5, true, nil, nil},
		{5, 4, true, nil, nil},
	}
	for _, c := range cases {
		w, err := WindowFrom("m", methods.Hyper{"modulation_starts": c.start, "modulation_ends": c.end})
		if c.bad {
			if err == nil || !strings.Contains(err.Error(), "m: modulation window") {
				t.Errorf("[%d, %d]: error %v, want one naming the method and the window", c.start, c.end, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("[%d, %d]: %v", c.start, c.end, err)
		}
		for _, e := range c.active {
			if !w.Active(e) {
				t.Errorf("[%d, %d]: epoch %d inactive, want active", c.start, c.end, e)
			}
		}
		for _, e := range c.inactive {
			if w.Active(e) {
				t.Errorf("[%d, %d]: epoch %d active, want inactive", c.start, c.end, e)
			}
		}
	}
}

func TestConvOrLinearWeights(t *testing.T) {
	conv := &nn.Param{Name: "enc.audio.conv1.weight", Grad: nn.NewTensor(2, 1, 3, 3)}
	bn := &nn.Param{Name: "enc.audio.bn1.weight", Grad: nn.NewTensor(2)}
	bias := &nn.Param{Name: "enc.audio.fc.bias", Grad: nn.NewTensor(4)}
	lin := &nn.Param{Name: "enc.audio.fc.weight", Grad: nn.NewTensor(4, 2)}
	cases := []struct {
		name string
		in   []*nn.Param
		want []*nn.Param
	}{
		{"cnn encoder: only the 4-D conv weight", []*nn.Param{conv, bn, bias, lin}, []*nn.Param{conv}},
		{"mlp encoder: only the 2-D weight", []*nn.Param{lin, bias}, []*nn.Param{lin}},
		{"no weights", []*nn.Param{bias}, nil},
	}
	for _, c := range cases {
		got := ConvOrLinearWeights(c.in)
		if len(got) != len(c.want) {
			t.Errorf("%s: got %d tensors, want %d", c.name, len(got), len(c.want))
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: tensor %d is %s, want %s", c.name, i, got[i].Name, c.want[i].Name)
			}
		}
	}
}
