package datasets

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/miebench/miebench/internal/rngs"
	"github.com/miebench/miebench/nn"
)

func openT(t *testing.T, name string, cfg Config) Dataset {
	t.Helper()
	b, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	d, err := b.Open(cfg)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	return d
}

func loadAll(t *testing.T, s Split) []*nn.Tensor {
	t.Helper()
	idx := make([]int, s.Len())
	for i := range idx {
		idx[i] = i
	}
	x, err := s.Load(idx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func splitT(t *testing.T, d Dataset, name string) Split {
	t.Helper()
	s, err := d.Split(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSyntheticShapesAndBalance(t *testing.T) {
	d := openT(t, "synthetic", Config{Seed: 1, Params: map[string]any{
		"modalities": 3, "classes": 5, "train": 103, "dim": []any{4, 6, 8}, "strength": 2.0,
	}})
	info := d.Info()
	if got := len(info.Modalities); got != 3 {
		t.Fatalf("modalities = %d, want 3", got)
	}
	for m, want := range []int{4, 6, 8} {
		mod := info.Modalities[m]
		if mod.Name != []string{"m0", "m1", "m2"}[m] || mod.Kind != "features" || !slices.Equal(mod.Shape, []int{want}) {
			t.Errorf("modality %d = %+v", m, mod)
		}
	}
	tr := splitT(t, d, "train")
	if tr.Len() != 103 {
		t.Fatalf("train len = %d, want 103", tr.Len())
	}
	counts := make([]int, 5)
	for _, y := range tr.Labels() {
		counts[y]++
	}
	// 103 = 5*20 + 3: classes 0, 1, 2 get 21, the others 20.
	if !slices.Equal(counts, []int{21, 21, 21, 20, 20}) {
		t.Errorf("class counts = %v", counts)
	}
	x, err := tr.Load([]int{5, 0, 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x[2].Shape, []int{3, 8}) {
		t.Errorf("batch shape = %v, want [3 8]", x[2].Shape)
	}
	if !slices.Equal(x[1].Row(0), x[1].Row(2)) {
		t.Error("the same sample loaded twice differs")
	}
	if _, err := tr.Load([]int{103}, nil); err == nil {
		t.Error("out-of-range index accepted")
	}
	if _, err := d.Split("dev"); err == nil {
		t.Error("unknown split accepted")
	}
}

// TestSyntheticImage checks that image true lays the same numbers out as
// one-channel square images.
func TestSyntheticImage(t *testing.T) {
	params := map[string]any{"train": 7, "dim": []any{16, 9}}
	flat := openT(t, "synthetic", Config{Seed: 2, Params: params})
	params["image"] = true
	img := openT(t, "synthetic", Config{Seed: 2, Params: params})
	for m, want := range [][]int{{1, 4, 4}, {1, 3, 3}} {
		if mod := img.Info().Modalities[m]; mod.Kind != "image" || !slices.Equal(mod.Shape, want) {
			t.Errorf("modality %d = %+v, want kind image, shape %v", m, mod, want)
		}
	}
	a, err := splitT(t, flat, "train").Load([]int{0, 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := splitT(t, img, "train").Load([]int{0, 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for m := range 2 {
		if !slices.Equal(a[m].Data, b[m].Data) {
			t.Errorf("modality %d: image data differ from the feature vectors", m)
		}
	}
}

func TestSyntheticDeterminism(t *testing.T) {
	a := loadAll(t, splitT(t, openT(t, "synthetic", Config{Seed: 7}), "test"))
	b := loadAll(t, splitT(t, openT(t, "synthetic", Config{Seed: 7}), "test"))
	c := loadAll(t, splitT(t, openT(t, "synthetic", Config{Seed: 8}), "test"))
	for m := range a {
		if !slices.Equal(a[m].Data, b[m].Data) {
			t.Errorf("modality %d differs between two opens with seed 7", m)
		}
		if slices.Equal(a[m].Data, c[m].Data) {
			t.Errorf("modality %d is the same for seeds 7 and 8", m)
		}
	}
}

func TestPrototypesOrthonormal(t *testing.T) {
	rng := rngs.Stream(3, "test")
	p := prototypes(rng, 4, 6)
	for i := range p {
		for j := range p {
			var dot float64
			for k := range p[i] {
				dot += p[i][k] * p[j][k]
			}
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(dot-want) > 1e-12 {
				t.Errorf("<p%d, p%d> = %v, want %v", i, j, dot, want)
			}
		}
	}
}

// nearestCentroidAcc estimates class centroids on train and returns the
// accuracy of the nearest-centroid rule on test, per modality.
func nearestCentroidAcc(t *testing.T, d Dataset) []float64 {
	tr, te := splitT(t, d, "train"), splitT(t, d, "test")
	xtr, xte := loadAll(t, tr), loadAll(t, te)
	C := len(d.Info().Classes)
	acc := make([]float64, len(xtr))
	for m := range xtr {
		dim := xtr[m].RowLen()
		cent := make([][]float64, C)
		n := make([]int, C)
		for k := range cent {
			cent[k] = make([]float64, dim)
		}
		for i, y := range tr.Labels() {
			for j, v := range xtr[m].Row(i) {
				cent[y][j] += float64(v)
			}
			n[y]++
		}
		for k := range cent {
			for j := range cent[k] {
				cent[k][j] /= float64(n[k])
			}
		}
		correct := 0
		for i, y := range te.Labels() {
			best, bestD := -1, math.Inf(1)
			for k := range cent {
				var dd float64
				for j, v := range xte[m].Row(i) {
					e := float64(v) - cent[k][j]
					dd += e * e
				}
				if dd < bestD {
					best, bestD = k, dd
				}
			}
			if best == y {
				correct++
			}
		}
		acc[m] = float64(correct) / float64(te.Len())
	}
	return acc
}

func TestSyntheticDefaultImbalance(t *testing.T) {
	d := openT(t, "synthetic", Config{Seed: 0, Params: map[string]any{"train": 4000, "test": 4000}})
	acc := nearestCentroidAcc(t, d)
	// Bayes accuracies for C = 4 and orthonormal prototypes (see the Doc):
	// s = 3 -> 0.9564, s = 1.5 -> 0.7019. With 4,000 test samples the
	// binomial standard error is below 0.008.
	if math.Abs(acc[0]-0.9564) > 0.02 {
		t.Errorf("strong modality accuracy = %.4f, want about 0.956", acc[0])
	}
	if math.Abs(acc[1]-0.7019) > 0.03 {
		t.Errorf("weak modality accuracy = %.4f, want about 0.702", acc[1])
	}
	if !(acc[0] > acc[1]+0.15 && acc[1] > 0.25+0.3) {
		t.Errorf("accuracies %v: want m0 clearly stronger and m1 well above chance", acc)
	}
}

func TestSyntheticParamErrors(t *testing.T) {
	cases := []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"strenght": 1.0}, `unknown parameter "strenght"`},
		{map[string]any{"classes": "many"}, `"classes"`},
		{map[string]any{"classes": 2.5}, "want an integer"},
		{map[string]any{"modalities": 3}, `"strength" has 2 values, want 1 or 3`},
		{map[string]any{"modalities": 1}, "at least 2"},
		{map[string]any{"noise": -1.0}, "noise must be >= 0"},
		{map[string]any{"dim": []any{4, "x"}}, "item 1"},
		{map[string]any{"train": 0}, `"train" is 0`},
		{map[string]any{"image": true, "dim": []any{16, 8}}, `"image" needs square dims, modality 1 has dim 8`},
	}
	b, err := Lookup("synthetic")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		_, err := b.Open(Config{Params: c.params})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %v: error %v, want it to contain %q", c.params, err, c.want)
		}
	}
	if _, err := b.Open(Config{Params: map[string]any{"strength": "2, 0.5", "modalities": "2"}}); err != nil {
		t.Errorf("string overrides rejected: %v", err)
	}
}

func TestResolveParamsConversions(t *testing.T) {
	specs := []ParamSpec{
		{Name: "f", Default: 1.0}, {Name: "i", Default: 1}, {Name: "b", Default: false},
		{Name: "s", Default: "x"}, {Name: "fs", Default: []float64{1}}, {Name: "is", Default: []int{1}},
	}
	p, err := ResolveParams("t", specs, map[string]any{
		"f": 3, "i": 4.0, "b": "true", "fs": "1.5,2", "is": []any{3, 4.0},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Float("f") != 3 || p.Int("i") != 4 || !p.Bool("b") || p.String("s") != "x" ||
		!slices.Equal(p.Floats("fs"), []float64{1.5, 2}) || !slices.Equal(p.Ints("is"), []int{3, 4}) {
		t.Errorf("resolved %v", p)
	}
	if p, err := ResolveParams("t", specs, map[string]any{"s": 2.5}); err != nil || p.String("s") != "2.5" {
		t.Errorf("number for a string parameter: %v, %v", p, err)
	}
	if _, err := ResolveParams("t", specs, map[string]any{"s": []any{1}}); err == nil {
		t.Error("list accepted for a string parameter")
	}
}
