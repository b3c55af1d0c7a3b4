package bench

import (
	"strings"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/permodal"
)

// TestGridPerModalityValues: a per-modality hyperparameter's list is one
// value, a list of such values is a grid axis; other lists stay axes.
func TestGridPerModalityValues(t *testing.T) {
	cases := []struct {
		name   string
		method string
		params map[string]any
		labels []string
	}{
		{"positional rho is one value", "mie", map[string]any{"rho": []any{1e-10, 1e-15}}, []string{"mie"}},
		{"named stages in order are one value", "mie", map[string]any{"stages": []any{map[string]any{"visual": 5}, map[string]any{"audio": 5}}}, []string{"mie"}},
		{"a map is one value", "mie", map[string]any{"stages": map[string]any{"audio": 5, "visual": 5}}, []string{"mie"}},
		{"a list of lists is an axis", "mie", map[string]any{"rho": []any{[]any{0.1}, []any{0.2, 0.3}}}, []string{"mie(rho=[0.1])", "mie(rho=[0.2 0.3])"}},
		{"a list of maps is an axis", "mie", map[string]any{"stages": []any{map[string]any{"audio": 5, "visual": 5}, map[string]any{"audio": 2, "visual": 3}}},
			[]string{"mie(stages=map[audio:5 visual:5])", "mie(stages=map[audio:2 visual:3])"}},
		{"a scalar hyperparameter's list is an axis", "ogm-ge", map[string]any{"alpha": []any{0.3, 0.8}}, []string{"ogm-ge(alpha=0.3)", "ogm-ge(alpha=0.8)"}},
	}
	for _, c := range cases {
		pts, err := SuiteMethod{Name: c.method, Params: c.params}.Grid()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var labels []string
		for _, p := range pts {
			labels = append(labels, p.Label)
		}
		if len(labels) != len(c.labels) {
			t.Errorf("%s: labels %v, want %v", c.name, labels, c.labels)
			continue
		}
		for i := range labels {
			if labels[i] != c.labels[i] {
				t.Errorf("%s: labels %v, want %v", c.name, labels, c.labels)
				break
			}
		}
	}
	// The point resolves to a typed list.
	pts, _ := SuiteMethod{Name: "mie", Params: map[string]any{"rho": []any{1e-10, 1e-15}}}.Grid()
	h, err := resolveForTest("mie", pts[0].Params)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := h["rho"].(permodal.List); !ok || l.String() != "[1e-10, 1e-15]" {
		t.Errorf("resolved rho %v (%T), want the list [1e-10, 1e-15]", h["rho"], h["rho"])
	}
}

func resolveForTest(method string, params map[string]any) (map[string]any, error) {
	spec, err := methods.Lookup(method)
	if err != nil {
		return nil, err
	}
	return methods.Resolve(spec.Params, params)
}

// TestMappingForAScalarHyperparameter: the suite format admits mappings
// for per-modality values; for any other hyperparameter one is an error of
// the plan naming the key.
func TestMappingForAScalarHyperparameter(t *testing.T) {
	s, err := ParseSuite("t.yaml", []byte(strings.Replace(testSuite, "on: false", "on: {x: 1}", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Plan(nil)
	want := `t.yaml:13: key "methods.2.params.on": method t-ogm: hyperparameter "on": want true or false, got map[x:1] (map[string]interface {})`
	if err == nil || err.Error() != want {
		t.Errorf("Plan: %v, want %s", err, want)
	}
}
