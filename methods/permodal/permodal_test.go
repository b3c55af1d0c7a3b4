package permodal

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	av := []string{"audio", "visual"}
	avt := []string{"audio", "visual", "text"}
	for _, c := range []struct {
		s    string
		mods []string
		idx  []int
		vals []string
		bad  bool
	}{
		{"25,50", av, []int{0, 1}, []string{"25", "50"}, false},
		{"25,50", avt, []int{0, 1, 2}, []string{"25", "50", "50"}, false},
		{"visual:3, audio:2", av, []int{1, 0}, []string{"3", "2"}, false},
		{"", av, nil, nil, true},
		{"1,2,3", av, nil, nil, true},
		{"audio:5", av, nil, nil, true},         // visual missing
		{"audio:5,audio:5", av, nil, nil, true}, // twice
		{"audio:5,depth:5", av, nil, nil, true}, // unknown
		{"audio:5,5", av, nil, nil, true},       // mixed
		{"5,visual:5", av, nil, nil, true},      // mixed
	} {
		idx, vals, err := Parse("k", c.s, c.mods)
		if c.bad != (err != nil) || (!c.bad && (!reflect.DeepEqual(idx, c.idx) || !reflect.DeepEqual(vals, c.vals))) {
			t.Errorf("Parse(%q, %v) = %v, %v, %v; want %v, %v (error %v)", c.s, c.mods, idx, vals, err, c.idx, c.vals, c.bad)
		}
	}
}

func TestNonNegFloats(t *testing.T) {
	avt := []string{"audio", "visual", "text"}
	for _, c := range []struct {
		s    string
		want []float64
		bad  bool
	}{
		{"1e-10,1e-15", []float64{1e-10, 1e-15, 1e-15}, false},
		{"text:0.3,audio:0.1,visual:0.2", []float64{0.1, 0.2, 0.3}, false},
		{"-1", nil, true},
		{"NaN", nil, true},
		{"x", nil, true},
	} {
		got, err := NonNegFloats("rho", c.s, avt)
		if c.bad != (err != nil) || (!c.bad && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("NonNegFloats(%q) = %v, %v; want %v (error %v)", c.s, got, err, c.want, c.bad)
		}
	}
}

func TestExample(t *testing.T) {
	if got, want := Example([]string{"audio", "visual"}), "audio:5,visual:5"; got != want {
		t.Errorf("Example = %q, want %q", got, want)
	}
}
