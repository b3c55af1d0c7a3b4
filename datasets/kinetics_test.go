package datasets

import (
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestKineticsSoundsLists(t *testing.T) {
	classes, err := kineticsClasses()
	if err != nil || len(classes) != 31 || classes[0] != "blowing_nose" || !slices.IsSorted(classes) {
		t.Fatalf("classes %v (%v)", classes, err)
	}
	want := map[string]int{"train": 14799, "val": 1320, "test": 2597}
	for split, n := range want {
		ids, labels, err := kineticsList(split, 31)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != n {
			t.Errorf("%s: %d clips, want %d", split, len(ids), n)
		}
		seen := make([]bool, 31)
		for _, y := range labels {
			seen[y] = true
		}
		if slices.Contains(seen, false) {
			t.Errorf("%s: some class has no clip", split)
		}
	}
}

func TestKineticsSoundsFixtureTree(t *testing.T) {
	root := t.TempDir()
	params := map[string]any{"image_size": 8, "audio_seconds": 1.0}
	// T = 1 + 22050/353 = 63 frames.
	var npyID string
	for _, split := range SplitNames {
		ids, _, err := kineticsList(split, 31)
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range ids[:2] {
			if err := os.MkdirAll(filepath.Join(root, "audio"), 0o755); err != nil {
				t.Fatal(err)
			}
			if split == "test" && i == 1 {
				npyID = id
				vals := make([]float32, 257*63)
				for j := range vals {
					vals[j] = float32(j % 7)
				}
				writeNPY(t, filepath.Join(root, "audio", id+".npy"), "<f4", []int{257, 63}, f32bytes(vals))
			} else {
				writeToneWAV(t, filepath.Join(root, "audio", id+".wav"), 44100, 16, 440, 2.5)
			}
			dir := filepath.Join(root, "visual", id)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for k := range 4 {
				writeFrame(t, filepath.Join(dir, "frame_"+string(rune('a'+k))+".jpg"), color.RGBA{uint8(60 * k), 0, 0, 255})
			}
		}
	}
	b := mustBuilder(t, "kinetics-sounds")
	d, err := b.Open(Config{Root: root, Params: params, SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	if m := d.Info().Modalities; !slices.Equal(m[0].Shape, []int{1, 257, 63}) || !slices.Equal(m[1].Shape, []int{3, 3, 8, 8}) {
		t.Fatalf("modalities %+v", m)
	}
	te := splitT(t, d, "test")
	if te.Len() != 2 || te.Skipped() != 2595 || splitT(t, d, "val").Len() != 2 {
		t.Fatalf("test %d (skipped %d)", te.Len(), te.Skipped())
	}
	x := loadAll(t, te)
	if got := x[0].Row(1); got[0] != 0 || got[8] != 1 || got[257*63-1] != float32((257*63-1)%7) {
		t.Errorf("the precomputed spectrogram of %s was not used as is", npyID)
	}
	// Three of four frames, evenly spaced: files 0, 2, 3 (floor((2k+1)*4/6)).
	per := 3 * 8 * 8
	for k, file := range []int{0, 2, 3} {
		red := x[1].Row(0)[k*per+4*8+4]*0.229 + 0.485
		if d := float64(red) - float64(60*file)/255; d > 0.03 || d < -0.03 {
			t.Errorf("frame %d: red %.3f, want file %d's %.3f", k, red, file, float64(60*file)/255)
		}
	}
	writeNPY(t, filepath.Join(root, "audio", npyID+".npy"), "<f4", []int{257, 64}, make([]byte, 4*257*64))
	if _, err := te.Load([]int{1}, nil); err == nil || !strings.Contains(err.Error(), npyID+".npy") || !strings.Contains(err.Error(), "shape") {
		t.Errorf("wrong-shape spectrogram: %v", err)
	}
	if _, err := b.Open(Config{Params: params}); err == nil || !strings.Contains(err.Error(), "root") {
		t.Errorf("no root: %v", err)
	}
	if _, err := b.Check(Config{Root: filepath.Join(root, "nope")}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("nonexistent root: %v", err)
	}
}
