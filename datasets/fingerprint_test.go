package datasets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mediaTree writes a small media-like tree: clips with sizes, a list file
// and labels.
func mediaTree(t *testing.T, root string) {
	t.Helper()
	for rel, content := range map[string]string{
		"AudioWAV/1001_DFA_ANG_XX.wav": "RIFF....audio-1",
		"AudioWAV/1001_DFA_HAP_XX.wav": "RIFF....audio-22",
		"frames/1001_DFA_ANG_XX/1.jpg": "jpeg-1",
		"list.txt":                     "1001_DFA_ANG_XX\n1001_DFA_HAP_XX\n",
		"labels.npy":                   "\x93NUMPY labels 0 1",
	} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFingerprintTree(t *testing.T) {
	base := t.TempDir()
	mediaTree(t, filepath.Join(base, "a"))
	want, err := FingerprintTree(filepath.Join(base, "a"), ListFiles)
	if err != nil {
		t.Fatal(err)
	}
	if want.Files != 5 || want.ContentFiles != 2 || len(want.Content) != 2 || len(want.Hash) != 32 {
		t.Fatalf("fingerprint %+v", want)
	}
	for _, tc := range []struct {
		name   string
		change func(root string) // applied to a fresh copy of the tree
		same   bool
		diff   string // a part of Diff's message when not the same
	}{
		{"another path", func(string) {}, true, ""},
		{"trailing slash", nil, true, ""},
		{"hidden files are ignored", func(r string) { write(t, r, ".DS_Store", "x"); write(t, r, ".cache/x.bin", "y") }, true, ""},
		{"media content of the same size is not read", func(r string) { write(t, r, "AudioWAV/1001_DFA_ANG_XX.wav", "RIFF....audio-9") }, true, ""},
		{"labels shuffled", func(r string) { write(t, r, "labels.npy", "\x93NUMPY labels 1 0") }, false, "content changed: labels.npy"},
		{"list edited", func(r string) { write(t, r, "list.txt", "1001_DFA_HAP_XX\n1001_DFA_ANG_XX\n") }, false, "content changed: list.txt"},
		{"clip deleted", func(r string) { os.Remove(filepath.Join(r, "AudioWAV", "1001_DFA_HAP_XX.wav")) }, false, "file list: 5 files, 86 bytes before; 4 files, 70 bytes now"},
		{"clip truncated", func(r string) { write(t, r, "AudioWAV/1001_DFA_HAP_XX.wav", "RIFF") }, false, "file list"},
		{"clip renamed", func(r string) {
			os.Rename(filepath.Join(r, "frames", "1001_DFA_ANG_XX", "1.jpg"), filepath.Join(r, "frames", "1001_DFA_ANG_XX", "2.jpg"))
		}, false, "file list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "copy")
			mediaTree(t, root)
			arg := root
			if tc.change == nil {
				arg = root + string(filepath.Separator)
			} else {
				tc.change(root)
			}
			got, err := FingerprintTree(arg, ListFiles)
			if err != nil {
				t.Fatal(err)
			}
			if (got.Hash == want.Hash) != tc.same {
				t.Fatalf("same hash %v, want %v: %+v vs %+v", got.Hash == want.Hash, tc.same, got, want)
			}
			if d := want.Diff(got); !tc.same && !strings.Contains(d, tc.diff) {
				t.Errorf("diff %q, want it to contain %q", d, tc.diff)
			}
		})
	}
}

func write(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFingerprintLinksAndRules(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real")
	mediaTree(t, real)
	// A tree whose media folder is a symbolic link elsewhere has the same
	// fingerprint as the plain tree.
	linked := filepath.Join(base, "linked")
	mediaTree(t, linked)
	os.RemoveAll(filepath.Join(linked, "AudioWAV"))
	if err := os.Symlink(filepath.Join(real, "AudioWAV"), filepath.Join(linked, "AudioWAV")); err != nil {
		t.Fatal(err)
	}
	a, err := FingerprintTree(real, ListFiles)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FingerprintTree(linked, ListFiles)
	if err != nil || a.Hash != b.Hash {
		t.Errorf("linked tree: %v, %v vs %v", err, a, b)
	}
	// AllFiles hashes media content too.
	c, _ := FingerprintTree(real, AllFiles)
	write(t, real, "AudioWAV/1001_DFA_ANG_XX.wav", "RIFF....audio-9")
	d, _ := FingerprintTree(real, AllFiles)
	if c.Hash == d.Hash || !strings.Contains(c.Diff(d), "content changed: AudioWAV/1001_DFA_ANG_XX.wav") {
		t.Errorf("AllFiles: %s", c.Diff(d))
	}
	// A link loop is an error, not an endless walk.
	if err := os.Symlink(real, filepath.Join(real, "loop")); err != nil {
		t.Fatal(err)
	}
	if _, err := FingerprintTree(real, ListFiles); err == nil || !strings.Contains(err.Error(), "loop") {
		t.Errorf("link loop: %v", err)
	}
	// Shipped data has no fingerprint; the features dataset hashes every file.
	if fp, err := FingerprintOf("features", Config{}); fp != nil || err != nil {
		t.Errorf("no root: %v %v", fp, err)
	}
	if b, _ := Lookup("features"); b.FingerprintContent == nil || !b.FingerprintContent("a.npy", 1<<30) {
		t.Error("features must hash its feature files")
	}
	if ListFiles("audio/x.npy", 10) || !ListFiles("split.txt", 10) || !ListFiles("sub/labels.npy", 10) {
		t.Error("ListFiles rule")
	}
}
