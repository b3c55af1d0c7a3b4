package permodal

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestListConvertFrom(t *testing.T) {
	cases := []struct {
		name string
		in   any
		want List
		bad  bool
	}{
		{"yaml list", []any{25, 50.5}, List{Values: []float64{25, 50.5}}, false},
		{"one number", 3, List{Values: []float64{3}}, false},
		{"map, sorted by name", map[string]any{"visual": 2, "audio": 1}, List{Names: []string{"audio", "visual"}, Values: []float64{1, 2}}, false},
		{"ordered entries", []any{map[string]any{"visual": 5}, map[string]any{"audio": 3}}, List{Names: []string{"visual", "audio"}, Values: []float64{5, 3}}, false},
		{"comma string", "25,50", List{Values: []float64{25, 50}}, false},
		{"named string", "visual:5, audio:3", List{Names: []string{"visual", "audio"}, Values: []float64{5, 3}}, false},
		{"empty string", "", List{}, false},
		{"mixed string", "audio:5,5", List{}, true},
		{"mixed list", []any{map[string]any{"audio": 5}, 5}, List{}, true},
		{"two-entry map in a list", []any{map[string]any{"audio": 5, "visual": 1}}, List{}, true},
		{"not a number", []any{"x"}, List{}, true},
		{"empty list", []any{}, List{}, true},
		{"a bool", true, List{}, true},
	}
	for _, c := range cases {
		got, err := List{}.ConvertFrom(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%s: %v converted to %v, want an error", c.name, c.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: ConvertFrom(%v) = %v, %v; want %v", c.name, c.in, got, err, c.want)
		}
	}
}

func TestListEntries(t *testing.T) {
	avt := []string{"audio", "visual", "text"}
	cases := []struct {
		l    List
		idx  []int
		vals []float64
		bad  bool
	}{
		{Positional(25, 50), []int{0, 1, 2}, []float64{25, 50, 50}, false},
		{List{Names: []string{"text", "audio", "visual"}, Values: []float64{1, 2, 3}}, []int{2, 0, 1}, []float64{1, 2, 3}, false},
		{Positional(1, 2, 3, 4), nil, nil, true},
		{List{Names: []string{"audio", "visual"}, Values: []float64{1, 2}}, nil, nil, true},                        // text missing
		{List{Names: []string{"audio", "audio", "text"}, Values: []float64{1, 2, 3}}, nil, nil, true},              // twice
		{List{Names: []string{"audio", "depth", "visual", "text"}, Values: []float64{1, 2, 3, 4}}, nil, nil, true}, // unknown
		{List{}, nil, nil, true},
	}
	for _, c := range cases {
		idx, vals, err := c.l.Entries("k", avt)
		if c.bad != (err != nil) || (!c.bad && (!reflect.DeepEqual(idx, c.idx) || !reflect.DeepEqual(vals, c.vals))) {
			t.Errorf("Entries(%v) = %v, %v, %v; want %v, %v (error %v)", c.l, idx, vals, err, c.idx, c.vals, c.bad)
		}
	}
	if _, err := Positional(1, -1).NonNegative("rho", avt); err == nil {
		t.Error("NonNegative accepted -1")
	}
}

func TestListTextAndJSONRoundTrip(t *testing.T) {
	for _, c := range []struct {
		l    List
		text string
		js   string
	}{
		{Positional(25, 50), "[25, 50]", "[25,50]"},
		{List{Names: []string{"visual", "audio"}, Values: []float64{5, 1e-10}}, "{visual: 5, audio: 1e-10}", `[{"visual":5},{"audio":1e-10}]`},
		{List{}, "[]", "[]"},
	} {
		if got := c.l.String(); got != c.text {
			t.Errorf("String() = %q, want %q", got, c.text)
		}
		b, err := json.Marshal(c.l)
		if err != nil || string(b) != c.js {
			t.Errorf("json = %s, %v; want %s", b, err, c.js)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		if c.l.Len() == 0 {
			continue
		}
		back, err := List{}.ConvertFrom(v)
		if err != nil || !reflect.DeepEqual(back, c.l) {
			t.Errorf("round trip of %v: %v, %v", c.l, back, err)
		}
	}
}
