package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeNPY writes a version-1.0 .npy file.
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
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s), }", descr, sh)
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
	b = append(append(b, h...), payload...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// featuresTree writes a two-modality features tree of n samples whose
// class (i%2) is visible in both modalities, with labels permuted by perm.
func featuresTree(t *testing.T, root string, n int, perm func(int) int) {
	t.Helper()
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	for m, name := range []string{"a", "b"} {
		b := make([]byte, 4*4*n)
		for i := range n {
			for j := range 4 {
				v := float32(math.Sin(float64(i*4+j+m))) + float32(i%2)
				binary.LittleEndian.PutUint32(b[4*(i*4+j):], math.Float32bits(v))
			}
		}
		writeNPY(t, filepath.Join(root, name+".npy"), "<f4", []int{n, 4}, b)
	}
	lab := make([]byte, 8*n)
	var split strings.Builder
	for i := range n {
		binary.LittleEndian.PutUint64(lab[8*i:], uint64(perm(i)%2))
		switch {
		case i < n*2/3:
			split.WriteString("train\n")
		case i < n*5/6:
			split.WriteString("val\n")
		default:
			split.WriteString("test\n")
		}
	}
	writeNPY(t, filepath.Join(root, "labels.npy"), "<i8", []int{n}, lab)
	if err := os.WriteFile(filepath.Join(root, "split.txt"), []byte(split.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

const featuresSuite = `name: feat
seeds: [0, 1]
datasets:
  - name: features
methods:
  - name: joint
train: {epochs: 2, batch_size: 8, lr: 0.05}
model:
  encoders: {a: {kind: mlp, dim: 4}, b: {kind: mlp, dim: 4}}
`

// The data's content, not its path, identifies a run: the same tree at
// another path (or with a trailing slash) is already recorded; the same
// path with shuffled labels is refused with what changed, until the user
// picks a new --out or --retrain-changed-data.
func TestRunIdentityByDataContent(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "feat")
	featuresTree(t, root, 60, func(i int) int { return i })
	suite := writeSuite(t, featuresSuite)
	out := filepath.Join(base, "out")
	run := func(root string, extra ...string) (int, string) {
		args := append([]string{"run", "--suite", suite, "--out", out, "--progress", "lines", "--no-table", "--set", "dataset.root=" + root}, extra...)
		code, _, errs := cli(args...)
		return code, errs
	}
	if code, errs := run(root); code != exitOK || !strings.Contains(errs, "2 trained") {
		t.Fatalf("first run: exit %d\n%s", code, errs)
	}
	// Moved, and named with a trailing slash: nothing to train.
	moved := filepath.Join(base, "elsewhere")
	if err := os.Rename(root, moved); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{moved, moved + "/"} {
		if code, errs := run(r); code != exitOK || !strings.Contains(errs, "2 already recorded, 0 trained") {
			t.Errorf("data at %s: exit %d\n%s", r, code, errs)
		}
	}
	// Shuffled labels, same path: an error that says what changed.
	featuresTree(t, moved, 60, func(i int) int { return (i * 7) / 3 })
	code, errs := run(moved)
	for _, want := range []string{"holds 2 records of this plan's runs made on other data", "content changed: labels.npy",
		"run into a new --out", "--retrain-changed-data"} {
		if code != exitConfig || !strings.Contains(errs, want) {
			t.Errorf("changed labels: exit %d, want %d and %q:\n%s", code, exitConfig, want, errs)
		}
	}
	if code, errs := run(moved, "--retrain-changed-data"); code != exitOK || !strings.Contains(errs, "0 already recorded, 2 trained") {
		t.Errorf("retrain: exit %d\n%s", code, errs)
	}
	if m, _ := filepath.Glob(filepath.Join(out, "superseded", "*.json")); len(m) != 2 {
		t.Errorf("superseded records: %v", m)
	}
	m, _ := filepath.Glob(filepath.Join(out, "runs", "*.json"))
	if len(m) != 2 {
		t.Fatalf("records after retraining: %v", m)
	}
	b, err := os.ReadFile(m[0])
	if err != nil || !strings.Contains(string(b), `"fingerprint": "`) || !strings.Contains(string(b), `"labels.npy": "`) {
		t.Errorf("the record must hold the data fingerprint:\n%s", b)
	}
}

// The reproduction: a suite, then the same suite with other epochs
// and seeds into the same directory. The table keeps the settings apart
// instead of averaging them as "(3)" seeds with seed 0 twice.
func TestTableKeepsSettingsApart(t *testing.T) {
	suite := writeSuite(t, tinySuite)
	out := t.TempDir()
	mustRun(t, "run", "--suite", suite, "--out", out, "--progress", "none", "--no-table")
	mustRun(t, "run", "--suite", suite, "--out", out, "--progress", "none", "--no-table", "--set", "train.epochs=2", "--set", "seeds=[0]")
	tab := mustRun(t, "table", out)
	for _, want := range []string{"| joint [train.epochs=2] ", "| joint [train.epochs=3] ", " (2) |", " (1) "} {
		if !strings.Contains(tab, want) {
			t.Errorf("table lacks %q:\n%s", want, tab)
		}
	}
	if strings.Contains(tab, "(3)") || strings.Contains(tab, "| joint  ") {
		t.Errorf("settings pooled:\n%s", tab)
	}
}
