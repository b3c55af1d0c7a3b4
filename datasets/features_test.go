package datasets

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miebench/miebench/internal/rngs"
)

// writeNPY writes a version-1.0 .npy file with the given dtype, shape and
// little-endian payload.
func writeNPY(t *testing.T, path, descr string, shape []int, payload []byte) {
	t.Helper()
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	sh := "(" + strings.Join(dims, ", ")
	if len(shape) == 1 {
		sh += ","
	}
	sh += ")"
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, sh)
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
	b = append(b, h...)
	b = append(b, payload...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func f32bytes(x []float32) []byte {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

func i64bytes(x []int) []byte {
	b := make([]byte, 8*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(v))
	}
	return b
}

// featuresTree3 writes a three-modality tree of n samples: modality "a"
// holds 10*i+j in column j of sample i, "b" is [n,2,2], "c" is [n,1];
// labels are i%3; split.txt has the first 6 samples test, the rest train.
func featuresTree3(t *testing.T, n int) string {
	root := t.TempDir()
	var a, b, c []float32
	labels := make([]int, n)
	var split []string
	for i := range n {
		for j := range 3 {
			a = append(a, float32(10*i+j))
		}
		b = append(b, float32(i), float32(-i), 1, 2)
		c = append(c, float32(i%3))
		labels[i] = i % 3
		if i < 6 {
			split = append(split, "test")
		} else {
			split = append(split, "train")
		}
	}
	writeNPY(t, filepath.Join(root, "a.npy"), "<f4", []int{n, 3}, f32bytes(a))
	writeNPY(t, filepath.Join(root, "b.npy"), "<f4", []int{n, 2, 2}, f32bytes(b))
	writeNPY(t, filepath.Join(root, "c.npy"), "<f4", []int{n, 1}, f32bytes(c))
	writeNPY(t, filepath.Join(root, "labels.npy"), "<i8", []int{n}, i64bytes(labels))
	if err := os.WriteFile(filepath.Join(root, "split.txt"), []byte("# split of each sample\n"+strings.Join(split, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestFeaturesThreeModalities(t *testing.T) {
	root := featuresTree3(t, 36)
	d := openT(t, "features", Config{Root: root, Seed: 1, Params: map[string]any{"standardize": false}})
	info := d.Info()
	if len(info.Modalities) != 3 || !slices.Equal(info.Classes, []string{"0", "1", "2"}) {
		t.Fatalf("info %+v", info)
	}
	for m, want := range [][]int{{3}, {2, 2}, {1}} {
		if info.Modalities[m].Name != string(rune('a'+m)) || !slices.Equal(info.Modalities[m].Shape, want) {
			t.Errorf("modality %d: %+v", m, info.Modalities[m])
		}
	}
	te, tr, va := splitT(t, d, "test"), splitT(t, d, "train"), splitT(t, d, "val")
	// 30 training samples, 10 per class; val_fraction 0.1 carves 1 per class.
	if te.Len() != 6 || tr.Len() != 27 || va.Len() != 3 {
		t.Fatalf("sizes test %d train %d val %d, want 6 27 3", te.Len(), tr.Len(), va.Len())
	}
	vl := slices.Clone(va.Labels())
	slices.Sort(vl)
	if !slices.Equal(vl, []int{0, 1, 2}) {
		t.Errorf("val labels %v, want one of each class", vl)
	}
	// Rows arrive intact: sample i of "a" is [10i, 10i+1, 10i+2] with label i%3.
	for _, s := range []Split{te, tr, va} {
		x := loadAll(t, s)
		for r, y := range s.Labels() {
			row := x[0].Row(r)
			i := int(row[0]) / 10
			if row[1] != row[0]+1 || i%3 != y || x[1].Row(r)[0] != float32(i) || x[2].Row(r)[0] != float32(y) {
				t.Fatalf("row %d: a=%v b=%v c=%v label %d", r, row, x[1].Row(r), x[2].Row(r), y)
			}
		}
	}
	// The modalities parameter chooses and orders them.
	d2 := openT(t, "features", Config{Root: root, Params: map[string]any{"modalities": "c, a"}})
	if m := d2.Info().Modalities; len(m) != 2 || m[0].Name != "c" || m[1].Name != "a" {
		t.Errorf("modalities param: %+v", m)
	}
	// Standardised train columns have mean 0; the constant column of b stays finite.
	d3 := openT(t, "features", Config{Root: root}) // standardize defaults to true
	x := loadAll(t, splitT(t, d3, "train"))
	var s float64
	for r := range x[0].Rows() {
		s += float64(x[0].Row(r)[2])
	}
	if math.Abs(s) > 1e-3 || x[1].Row(0)[2] != 0 {
		t.Errorf("standardised column sum %v, constant column %v", s, x[1].Row(0)[2])
	}
	rep, err := mustBuilder(t, "features").Check(Config{Root: root})
	if err != nil || !rep.OK() || rep.Counts["test"]["1"] != 2 || rep.Counts["train"]["0"] != 10 {
		t.Errorf("check: %v %+v", err, rep)
	}
}

func mustBuilder(t *testing.T, name string) Builder {
	t.Helper()
	b, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFeaturesBrokenTrees(t *testing.T) {
	b := mustBuilder(t, "features")
	root := featuresTree3(t, 12)
	// Wrong dtype and wrong row count, missing split file.
	writeNPY(t, filepath.Join(root, "b.npy"), "<i4", []int{12, 1}, make([]byte, 48))
	writeNPY(t, filepath.Join(root, "c.npy"), "<f4", []int{11, 1}, make([]byte, 44))
	if err := os.Remove(filepath.Join(root, "split.txt")); err != nil {
		t.Fatal(err)
	}
	rep, err := b.Check(Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || len(rep.Missing) != 1 || !strings.HasSuffix(rep.Missing[0], "split.txt") || len(rep.Bad) != 2 {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(rep.Bad[0], "b.npy") || !strings.Contains(rep.Bad[0], "dtype") ||
		!strings.Contains(rep.Bad[1], "c.npy: 11 rows, but a.npy has 12") {
		t.Errorf("bad %q", rep.Bad)
	}
	if _, err := b.Open(Config{Root: root}); err == nil || !strings.Contains(err.Error(), "split.txt") {
		t.Errorf("open: %v", err)
	}
	for _, c := range []struct {
		split, want string
	}{
		{"train\ndev\n", `split.txt:2: "dev" is not train, val or test`},
		{"train\n", "1 split lines for 12 samples"},
	} {
		root := featuresTree3(t, 12)
		if err := os.WriteFile(filepath.Join(root, "split.txt"), []byte(c.split), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Open(Config{Root: root}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("split %q: %v, want %q", c.split, err, c.want)
		}
	}
	if _, err := b.Open(Config{}); err == nil || !strings.Contains(err.Error(), "needs a root") {
		t.Errorf("no root: %v", err)
	}
	one := t.TempDir()
	writeNPY(t, filepath.Join(one, "a.npy"), "<f4", []int{1, 1}, make([]byte, 4))
	if _, err := b.Open(Config{Root: one}); err == nil || !strings.Contains(err.Error(), "want at least 2") {
		t.Errorf("one modality: %v", err)
	}
}

func TestCarveStratified(t *testing.T) {
	labels := []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2}
	idx := make([]int, len(labels))
	for i := range idx {
		idx[i] = i
	}
	tr, va := carveStratified(idx, labels, 0.2, rngs.Stream(1, "t"))
	// round(0.2*10) = 2, round(0.2*5) = 1, round(0.2*2) = 0.
	per := map[int]int{}
	for _, i := range va {
		per[labels[i]]++
	}
	if len(va) != 3 || per[0] != 2 || per[1] != 1 || len(tr)+len(va) != len(idx) {
		t.Errorf("val %v (per class %v), train %v", va, per, tr)
	}
	if !slices.IsSorted(tr) || !slices.IsSorted(va) {
		t.Error("carving reorders samples")
	}
	tr2, va2 := carveStratified(idx, labels, 0.2, rngs.Stream(1, "t"))
	if !slices.Equal(tr, tr2) || !slices.Equal(va, va2) {
		t.Error("carving is not deterministic")
	}
}

// copyFile copies src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeText writes a text file under root.
func writeText(t *testing.T, root, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFeaturesFormats opens a tree whose modalities and labels come in
// the .pt and .safetensors formats (the loaders' committed fixtures) and
// checks what data check reports about it.
func TestFeaturesFormats(t *testing.T) {
	fix := filepath.Join("..", "loaders", "testdata", "features")
	root := t.TempDir()
	copyFile(t, filepath.Join(fix, "dict.pt"), filepath.Join(root, "audio.pt"))                 // "audio" [2 3] float16, "labels" [1 0]
	copyFile(t, filepath.Join(fix, "two.safetensors"), filepath.Join(root, "text.safetensors")) // "text" [2 3] float32
	copyFile(t, filepath.Join(fix, "dict.pt"), filepath.Join(root, "labels.pt"))
	writeText(t, root, "split.txt", "train\ntest\n")
	writeText(t, root, "classes.txt", "no\nyes\nmaybe\n")
	rep, err := mustBuilder(t, "features").Check(Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := rep.Format(&out, 0); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"modality audio: audio.pt, 2 samples of shape [3], dtype float16",
		"modality text: text.safetensors, 2 samples of shape [3], dtype float32",
		"class 0 (no) has no training samples",
		"class 2 (maybe) has no samples",
		"ok: no missing or unreadable files",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if rep.Counts["train"]["yes"] != 1 || rep.Counts["test"]["no"] != 1 {
		t.Errorf("counts %v", rep.Counts)
	}
}

// TestFeaturesNonFinite checks that NaN and Inf are counted per modality
// and split by data check and refused by Open, naming file and split.
func TestFeaturesNonFinite(t *testing.T) {
	root := t.TempDir()
	writeText(t, root, "a.csv", "1,2\nnan,nan\n3,4\n5,inf\n")
	writeText(t, root, "b.tsv", "1\n2\n3\n4\n")
	writeText(t, root, "labels.csv", "0\n1\n0\n1\n")
	writeText(t, root, "split.txt", "train\ntrain\nval\ntest\n")
	b := mustBuilder(t, "features")
	rep, err := b.Check(Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	a := filepath.Join(root, "a.csv")
	want := []string{
		a + ": 2 NaN and 0 Inf values in split train (first in sample 1): non-finite features are refused",
		a + ": 0 NaN and 1 Inf values in split test (first in sample 3): non-finite features are refused",
	}
	if rep.OK() || !slices.Equal(rep.Bad, want) {
		t.Fatalf("bad %q, want %q", rep.Bad, want)
	}
	if _, err := b.Open(Config{Root: root}); err == nil || !strings.Contains(err.Error(), want[0]) {
		t.Errorf("open: %v, want %q", err, want[0])
	}
}

func TestFeaturesFileChoice(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		errPart string
	}{
		{"stem twice", map[string]string{"a.csv": "1\n", "a.tsv": "1\n", "b.csv": "1\n"}, "a is present as [a.csv a.tsv]: keep one"},
		{"one modality", map[string]string{"a.csv": "1\n", "labels.csv": "0\n", "classes.txt": "x\n"}, "has 1 modality files ([a])"},
		{"no labels", map[string]string{"a.csv": "1\n", "b.csv": "1\n", "split.txt": "train\n"}, "missing " + "ROOT/labels.npy"},
		{"label beyond the class names", map[string]string{"a.csv": "1\n2\n", "b.csv": "1\n2\n", "labels.csv": "0\n2\n", "classes.txt": "x\ny\n", "split.txt": "train\ntest\n"},
			"ROOT/classes.txt: 2 class names, but labels go up to 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			for n, text := range c.files {
				writeText(t, root, n, text)
			}
			_, err := mustBuilder(t, "features").Open(Config{Root: root})
			want := strings.ReplaceAll(c.errPart, "ROOT/", root+string(filepath.Separator))
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want %q", err, want)
			}
		})
	}
}
