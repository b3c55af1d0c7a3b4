package datasets

import (
	"strings"
	"testing"
)

func TestCMUMOSEI(t *testing.T) {
	root := t.TempDir()
	// Written in three formats at once; an extra file is not a modality.
	writeText(t, root, "audio.csv", "1,2\n2,3\n3,4\n4,5\n5,6\n6,7\n")
	writeText(t, root, "visual.tsv", "1\n0\n1\n0\n1\n0\n")
	writeText(t, root, "text.csv", "0.5\n0.1\n0.2\n0.3\n0.4\n0.6\n")
	writeText(t, root, "other.csv", "9\n9\n9\n9\n9\n9\n")
	writeText(t, root, "labels.csv", "0\n1\n0\n1\n0\n1\n")
	writeText(t, root, "classes.txt", "negative\nnon-negative\n")
	writeText(t, root, "split.txt", "train\ntrain\nval\nval\ntest\ntest\n")
	d := openT(t, "cmu-mosei", Config{Root: root})
	info := d.Info()
	if info.Name != "cmu-mosei" || len(info.Modalities) != 3 || info.Modalities[0].Name != "audio" ||
		info.Modalities[1].Name != "visual" || info.Modalities[2].Name != "text" {
		t.Fatalf("info %+v", info)
	}
	for _, s := range SplitNames {
		if n := splitT(t, d, s).Len(); n != 2 {
			t.Errorf("%s: %d samples, want 2", s, n)
		}
	}
	rep, err := mustBuilder(t, "cmu-mosei").Check(Config{Root: root})
	if err != nil || !rep.OK() || len(rep.Warnings) != 3 || rep.Warnings[0] != "split train has 2 samples, the standard split 16326" {
		t.Errorf("check: %v, warnings %q", err, rep.Warnings)
	}
	// No validation lines: the standard split has one, nothing is carved.
	writeText(t, root, "split.txt", "train\ntrain\ntrain\ntrain\ntest\ntest\n")
	if _, err := mustBuilder(t, "cmu-mosei").Open(Config{Root: root}); err == nil || !strings.Contains(err.Error(), "dataset cmu-mosei: split val is empty") {
		t.Errorf("no val: %v", err)
	}
	if _, err := mustBuilder(t, "cmu-mosei").Open(Config{Root: root, Params: map[string]any{"modalities": "a,b"}}); err == nil || !strings.Contains(err.Error(), `unknown`) {
		t.Errorf("modalities param: %v", err)
	}
}
