package mie

import (
	"reflect"
	"testing"

	"github.com/miebench/miebench/methods/permodal"
)

func TestMIEParseStages(t *testing.T) {
	av := []string{"audio", "visual"}
	avt := []string{"audio", "visual", "text"}
	for _, c := range []struct {
		s    string
		mods []string
		want []mieStage
		bad  bool
	}{
		{"25,50", av, []mieStage{{0, 25}, {1, 50}}, false},
		{"25,50", avt, []mieStage{{0, 25}, {1, 50}, {2, 50}}, false},
		{"5", av, []mieStage{{0, 5}, {1, 5}}, false},
		{"visual:3, audio:2", av, []mieStage{{1, 3}, {0, 2}}, false},
		{"text:1,audio:2,visual:3", avt, []mieStage{{2, 1}, {0, 2}, {1, 3}}, false},
		{"", av, nil, true},
		{"1,2,3", av, nil, true},
		{"0,5", av, nil, true},
		{"x,5", av, nil, true},
		{"audio:5", av, nil, true},         // visual missing
		{"audio:5,audio:5", av, nil, true}, // twice
		{"audio:5,depth:5", av, nil, true}, // unknown
		{"audio:5,5", av, nil, true},       // mixed
		{"5,visual:5", av, nil, true},      // mixed
		{"audio:-1,visual:5", av, nil, true},
	} {
		var got []mieStage
		l, err := permodal.List{}.ConvertFrom(c.s)
		if err == nil {
			got, err = mieParseStages(l.(permodal.List), c.mods)
		}
		if c.bad {
			if err == nil {
				t.Errorf("mieParseStages(%q, %v) = %v, want an error", c.s, c.mods, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("mieParseStages(%q, %v): %v", c.s, c.mods, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("mieParseStages(%q, %v) = %v, want %v", c.s, c.mods, got, c.want)
		}
	}
}

// TestMIEStageAt walks the schedule "visual:2,audio:3" (period 5) over
// 12 epochs, the last stage truncated by the end of training.
func TestMIEStageAt(t *testing.T) {
	st := []mieStage{{1, 2}, {0, 3}}
	want := []struct {
		k, mod int
		first  bool
	}{
		{0, 1, true}, {0, 1, false},
		{1, 0, true}, {1, 0, false}, {1, 0, false},
		{2, 1, true}, {2, 1, false},
		{3, 0, true}, {3, 0, false}, {3, 0, false},
		{4, 1, true}, {4, 1, false},
	}
	for e, w := range want {
		k, s, first := mieStageAt(st, e)
		if k != w.k || s.Modality != w.mod || first != w.first {
			t.Errorf("epoch %d: stage %d modality %d first %v; want %d %d %v", e, k, s.Modality, first, w.k, w.mod, w.first)
		}
	}
}
