package datasets

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/miebench/miebench/internal/rngs"
)

func TestRegistry(t *testing.T) {
	want := []string{"av-digits", "av-folder", "ave", "cmu-mosei", "crema-d", "features", "kinetics-sounds", "synthetic", "ucf101", "vggsound"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, name := range want {
		b := mustBuilder(t, name)
		if len(b.Doc) < 200 || !strings.HasPrefix(b.Doc, name+":") {
			t.Errorf("%s: Doc too short or not starting with the name", name)
		}
		if b.Open == nil || (b.Check == nil) != (name == "synthetic") {
			t.Errorf("%s: Open or Check missing", name)
		}
		for _, p := range b.Params {
			if p.Doc == "" || p.Default == nil {
				t.Errorf("%s: parameter %s lacks a default or a doc", name, p.Name)
			}
			// Every default survives ResolveParams unchanged in type.
			if _, err := ResolveParams(name, b.Params, map[string]any{p.Name: p.Default}); err != nil {
				t.Errorf("%s: default of %s rejected: %v", name, p.Name, err)
			}
		}
		// Unknown keys are rejected before anything touches the disk.
		_, err := b.Open(Config{Root: "/nonexistent", Params: map[string]any{"no_such_knob": 1}})
		if err == nil || !strings.Contains(err.Error(), `unknown parameter "no_such_knob"`) || !strings.Contains(err.Error(), "valid: ") {
			t.Errorf("%s: unknown key: %v", name, err)
		}
	}
	if _, err := Lookup("mnist"); err == nil || !strings.Contains(err.Error(), "av-digits") {
		t.Errorf("Lookup of an unknown dataset: %v", err)
	}
}

func TestCheckReportFormat(t *testing.T) {
	r := &CheckReport{
		Counts:  map[string]map[string]int{"test": {"b": 1, "a": 2}, "train": {"a": 5}, "extra": {"a": 1}},
		Missing: []string{"m1", "m2", "m3", "m4"},
		Bad:     []string{"x.wav: truncated"},
	}
	var b strings.Builder
	if err := r.Format(&b, 2); err != nil {
		t.Fatal(err)
	}
	want := `train: 5 samples
  a                        5
test: 3 samples
  a                        2
  b                        1
extra: 1 samples
  a                        1
missing: 4
  m1
  m2
  ... and 2 more
unreadable: 1
  x.wav: truncated
FAILED: 4 missing, 1 unreadable
`
	if b.String() != want {
		t.Errorf("Format:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := (&CheckReport{}).Format(&b, 3); err != nil || b.String() != "ok: no missing or unreadable files\n" {
		t.Errorf("empty report: %q %v", b.String(), err)
	}
}

// TestMediaLoadIndependentOfGoroutines loads augmented batches with one and
// with several goroutines and expects identical tensors.
func TestMediaLoadIndependentOfGoroutines(t *testing.T) {
	clips := append(fixtureClips(t, "crema-d/splits-ogm/train.csv", 1), fixtureClips(t, "crema-d/splits-ogm/test.csv", 1)...)
	root := cremaDTree(t, clips)
	// Replace the flat frames by gradients, so that crops differ.
	for _, c := range clips {
		img := image.NewRGBA(image.Rect(0, 0, 40, 30))
		for y := range 30 {
			for x := range 40 {
				img.SetRGBA(x, y, color.RGBA{uint8(6 * x), uint8(8 * y), 0, 255})
			}
		}
		dir := filepath.Join(root, "Image-01-FPS", c)
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"1.png", "2.png", "3.png"} {
			f, err := os.Create(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, img); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
	d, err := mustBuilder(t, "crema-d").Open(Config{Root: root, SkipBad: true, Params: map[string]any{"image_size": 12, "frames": 2}})
	if err != nil {
		t.Fatal(err)
	}
	s := splitT(t, d, "train")
	idx := []int{0, 1, 2, 3, 4, 0}
	prev := runtime.GOMAXPROCS(1)
	one, err := s.Load(idx, rngs.Stream(4, "aug"))
	runtime.GOMAXPROCS(max(prev, 4))
	many, err2 := s.Load(idx, rngs.Stream(4, "aug"))
	runtime.GOMAXPROCS(prev)
	if err != nil || err2 != nil {
		t.Fatal(err, err2)
	}
	for m := range one {
		if !slices.Equal(one[m].Data, many[m].Data) {
			t.Errorf("modality %d differs between 1 and 4 goroutines", m)
		}
	}
	// Sample 0 appears twice with different crops: the augmentation is per
	// position in the batch, not per clip.
	per := one[1].RowLen()
	if slices.Equal(one[1].Data[:per], one[1].Data[5*per:]) {
		t.Error("two draws of the same clip got the same random crop")
	}
}
