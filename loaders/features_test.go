package loaders

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixture is the path of a committed feature fixture (made by
// scripts/make-feature-fixtures.py).
func fixture(name string) string { return filepath.Join("testdata", "features", name) }

// ramp is 0.5*k + c for k = 0..n-1, the values the fixtures hold.
func ramp(n int, c float32) []float32 {
	out := make([]float32, n)
	for k := range out {
		out[k] = 0.5*float32(k) + c
	}
	return out
}

func TestReadFeatureFile(t *testing.T) {
	cases := []struct {
		file, key string
		shape     []int
		want      []float32
	}{
		{"f32.pt", "x", []int{3, 2}, ramp(6, 0)},
		{"dict.pt", "audio", []int{2, 3}, ramp(6, 1)},
		{"transposed.pt", "", []int{2, 3}, []float32{0, 1, 2, 0.5, 1.5, 2.5}},
		{"one.npz", "", []int{2, 4}, ramp(8, 0)},
		{"two.npz", "visual", []int{3, 2}, ramp(6, 2)},
		{"two.safetensors", "text", []int{2, 3}, ramp(6, 0)},
		{"rows.csv", "", []int{2, 3}, ramp(6, 0)},
		{"rows.tsv", "", []int{3, 2}, ramp(6, 0)},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			x, _, err := ReadFeatureFile(fixture(c.file), c.key)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(x.Shape, c.shape) || !slices.Equal(x.Data, c.want) {
				t.Fatalf("got %v %v, want %v %v", x.Shape, x.Data, c.shape, c.want)
			}
		})
	}
}

func TestReadLabelFile(t *testing.T) {
	cases := []struct {
		file, key string
		want      []int
	}{
		{"dict.pt", "labels", []int{1, 0}},
		{"two.npz", "labels", []int{2, 0, 1}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			l, err := ReadLabelFile(fixture(c.file), c.key)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(l, c.want) {
				t.Fatalf("labels %v, want %v", l, c.want)
			}
		})
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name, text string
		want       []int
		errPart    string
	}{
		{"ok.csv", "label\n3\n1\n", []int{3, 1}, ""},
		{"frac.csv", "1.5\n", nil, "not a whole number"},
		{"wide.csv", "1,2\n", nil, "want [N] or [N 1]"},
	} {
		p := filepath.Join(dir, c.name)
		if err := os.WriteFile(p, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := ReadLabelFile(p, "")
		if c.errPart == "" {
			if err != nil || !slices.Equal(l, c.want) {
				t.Errorf("%s: %v, %v; want %v", c.name, l, err, c.want)
			}
		} else if err == nil || !strings.Contains(err.Error(), c.errPart) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming the file and %q", c.name, err, c.errPart)
		}
	}
}

// TestFeatureFileErrors checks that every format refuses truncated files
// and wrong contents with an error naming the file and what is wrong.
func TestFeatureFileErrors(t *testing.T) {
	dir := t.TempDir()
	cut := func(name string, keep float64) string {
		b, err := os.ReadFile(fixture(name))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "cut-"+name)
		if err := os.WriteFile(p, b[:int(keep*float64(len(b)))], 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, path, key, errPart string
	}{
		{"truncated pt", cut("f32.pt", 0.8), "", "truncated or corrupt"},
		{"truncated npz", cut("two.npz", 0.9), "", "truncated or corrupt"},
		{"truncated safetensors", cut("two.safetensors", 0.95), "", "header"},
		{"legacy pt", fixture("legacy.pt"), "", "legacy (pre-1.6)"},
		{"ambiguous key", fixture("two.npz"), "audio", `[labels visual] and none is named "audio"`},
		{"integer features", fixture("dict.pt"), "labels", "dtype int64, want a floating-point type"},
		{"ragged csv", write("ragged.csv", "1,2\n3\n"), "", "line 2 has 1 fields, earlier lines have 2"},
		{"bad number tsv", write("bad.tsv", "1\t2\n3\tx\n"), "", `line 2, column 2: "x" is not a number`},
		{"empty csv", write("empty.csv", "# nothing\n"), "", "no data rows"},
		{"unknown extension", write("a.h5", ""), "", `extension ".h5" is not a feature format`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ReadFeatureFile(c.path, c.key)
			if err == nil || !strings.Contains(err.Error(), c.errPart) || !strings.Contains(err.Error(), c.path) {
				t.Fatalf("error %v, want one naming %s and %q", err, c.path, c.errPart)
			}
		})
	}
}

func TestCountNonFinite(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	n, i := CountNonFinite([]float32{1, nan, inf, -inf, 2, nan})
	if n != 2 || i != 2 {
		t.Fatalf("nans %d infs %d, want 2 and 2", n, i)
	}
}

func TestHalfToFloat32(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{
		{0x3c00, 1}, {0xc000, -2}, {0x3555, 0.333251953125}, {0x0001, 5.960464477539063e-08},
		{0x7bff, 65504}, {0x0000, 0},
	} {
		if got := halfToFloat32(c.h); got != c.want {
			t.Errorf("halfToFloat32(%#04x) = %v, want %v", c.h, got, c.want)
		}
	}
}
