package datasets

import (
	"fmt"
	"image/color"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// mkdirs creates a directory tree.
func mkdirs(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// writeClipFrames writes n PNG frames of one colour into dir.
func writeClipFrames(t *testing.T, dir string, n int, c color.RGBA) {
	t.Helper()
	mkdirs(t, dir)
	for k := range n {
		writeFrame(t, filepath.Join(dir, fmt.Sprintf("%05d.png", k+1)), c)
	}
}

// smallFolder are parameters that keep fixture clips cheap to decode.
var smallFolder = map[string]any{"image_size": 8, "audio_seconds": 0.5, "frames": 2}

func TestAVFolderGeneric(t *testing.T) {
	root := t.TempDir()
	mkdirs(t, filepath.Join(root, "audio"))
	var train, test []string
	for i := range 12 {
		id := fmt.Sprintf("clip%02d", i)
		class := []string{"cat", "dog"}[i%2]
		line := id + "," + class
		if i < 8 {
			train = append(train, line)
		} else {
			test = append(test, line)
		}
		writeToneWAV(t, filepath.Join(root, "audio", id+".wav"), 16000, 16, 300+100*float64(i%2), 0.3)
		writeClipFrames(t, filepath.Join(root, "rgb", id), 1+i%3, color.RGBA{uint8(200 * (i % 2)), 10, 10, 255})
		writeClipFrames(t, filepath.Join(root, "flow", "u", id), 3, color.RGBA{255, 255, 255, 255})
		writeClipFrames(t, filepath.Join(root, "flow", "v", id), 3, color.RGBA{0, 0, 0, 255})
	}
	writeText(t, root, "train.txt", "# clip,class\n"+strings.Join(train, "\n")+"\n")
	writeText(t, root, "test.txt", strings.Join(test, "\n")+"\n")
	params := map[string]any{"frame_modalities": "rgb:3,flow:2", "val_fraction": 0.25}
	for k, v := range smallFolder {
		params[k] = v
	}
	d := openT(t, "av-folder", Config{Root: root, Seed: 3, Params: params})
	info := d.Info()
	wantMods := []Modality{
		{Name: "audio", Kind: "spectrogram", Shape: []int{1, 257, 1 + 11025/353}},
		{Name: "rgb", Kind: "frames", Shape: []int{2, 3, 8, 8}},
		{Name: "flow", Kind: "frames", Shape: []int{2, 2, 8, 8}},
	}
	if !slices.Equal(info.Classes, []string{"cat", "dog"}) || len(info.Modalities) != 3 {
		t.Fatalf("info %+v", info)
	}
	for i, m := range wantMods {
		if got := info.Modalities[i]; got.Name != m.Name || got.Kind != m.Kind || !slices.Equal(got.Shape, m.Shape) {
			t.Errorf("modality %d: %+v, want %+v", i, got, m)
		}
	}
	tr, va, te := splitT(t, d, "train"), splitT(t, d, "val"), splitT(t, d, "test")
	if tr.Len() != 6 || va.Len() != 2 || te.Len() != 4 {
		t.Fatalf("sizes %d %d %d, want 6 2 4", tr.Len(), va.Len(), te.Len())
	}
	x := loadAll(t, te)
	for r, y := range te.Labels() {
		flow := x[2].Row(r)
		// u frames are white (+1), v frames black (-1), in every frame.
		if flow[0] != 1 || flow[64] != -1 || flow[128] != 1 || flow[4*64-1] != -1 {
			t.Fatalf("flow row %d: %v %v %v", r, flow[0], flow[64], flow[128])
		}
		// red channel 200 for dog (1), 0 for cat: ImageNet-normalised.
		red := x[1].Row(r)[0]
		if (y == 1) != (red > 0) {
			t.Errorf("clip %d label %d: red %v", r, y, red)
		}
	}
	// Augmented loads are reproducible whatever the goroutine count.
	idx := []int{0, 1, 2, 3, 4, 5}
	a1, err := tr.Load(idx, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	prev := runtime.GOMAXPROCS(1)
	a2, err := tr.Load(idx, rand.New(rand.NewPCG(1, 2)))
	runtime.GOMAXPROCS(prev)
	if err != nil || !slices.Equal(a1[1].Data, a2[1].Data) {
		t.Errorf("augmented loads differ (%v)", err)
	}
	// A deleted WAV is a missing file: Open names it, Check lists it.
	gone := filepath.Join(root, "audio", "clip09.wav")
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	b := mustBuilder(t, "av-folder")
	if _, err := b.Open(Config{Root: root, Params: params}); err == nil || !strings.Contains(err.Error(), gone) {
		t.Errorf("open after deleting a WAV: %v", err)
	}
	rep, err := b.Check(Config{Root: root, Params: params})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !slices.Equal(rep.Missing, []string{gone}) || rep.Counts["test"]["dog"] != 1 {
		t.Errorf("check: missing %q counts %v", rep.Missing, rep.Counts)
	}
	params["drop_missing"] = true
	d = openT(t, "av-folder", Config{Root: root, Params: params})
	if s := splitT(t, d, "test"); s.Len() != 3 || s.Skipped() != 1 {
		t.Errorf("drop_missing: test %d clips, %d skipped; want 3 and 1", s.Len(), s.Skipped())
	}
}

// aveTree writes a fixture in the AVE layout: perClass videos of each of
// the 28 categories in train and one each in val and test.
func aveTree(t *testing.T) (string, []string) {
	root := t.TempDir()
	mkdirs(t, filepath.Join(root, "audio"))
	var cats []string
	for k := range aveClasses {
		cats = append(cats, fmt.Sprintf("Event %02d", k))
	}
	lists := map[string][]string{}
	n := 0
	for _, split := range []string{"trainSet", "valSet", "testSet"} {
		lists[split] = []string{"Category&VideoID&Quality&StartTime&EndTime"}
		for _, c := range cats {
			id := fmt.Sprintf("vid%04d-x_", n)
			n++
			lists[split] = append(lists[split], fmt.Sprintf("%s&%s&good&0&10", c, id))
			writeToneWAV(t, filepath.Join(root, "audio", id+".wav"), 22050, 16, 440, 0.2)
			writeClipFrames(t, filepath.Join(root, "visual", id), 2, color.RGBA{9, 9, 9, 255})
		}
		writeText(t, root, split+".txt", strings.Join(lists[split], "\n")+"\n")
	}
	return root, cats
}

func TestAVE(t *testing.T) {
	root, cats := aveTree(t)
	d := openT(t, "ave", Config{Root: root, Params: smallFolder})
	if !slices.Equal(d.Info().Classes, cats) {
		t.Fatalf("classes %v", d.Info().Classes)
	}
	for _, s := range SplitNames {
		if n := splitT(t, d, s).Len(); n != aveClasses {
			t.Errorf("%s: %d clips, want %d", s, n, aveClasses)
		}
	}
	if m := d.Info().Modalities; m[0].Shape[1] != 257 || m[1].Name != "visual" {
		t.Errorf("modalities %+v", m)
	}
	rep, err := mustBuilder(t, "ave").Check(Config{Root: root, Params: smallFolder})
	if err != nil || !rep.OK() || rep.Counts["val"]["Event 03"] != 1 {
		t.Errorf("check %v %+v", err, rep)
	}
	writeText(t, root, "testSet.txt", "Event 00&vid0000-x_&good&0&10\n")
	if _, err := mustBuilder(t, "ave").Open(Config{Root: root, Params: smallFolder}); err == nil || !strings.Contains(err.Error(), "already listed at") {
		t.Errorf("a clip in two lists: %v", err)
	}
}

func TestVGGSound(t *testing.T) {
	classes, err := vggSoundClasses()
	if err != nil || len(classes) != 309 || !slices.IsSorted(classes) || !slices.Contains(classes, "bird chirping, tweeting") {
		t.Fatalf("shipped classes: %d (%v)", len(classes), err)
	}
	root := t.TempDir()
	mkdirs(t, filepath.Join(root, "audio"))
	var csvRows []string
	for i := range 30 {
		c := classes[i%3]
		split := "train"
		if i >= 24 {
			split = "test"
		}
		yt := fmt.Sprintf("-%02dabcdefgh", i)
		csvRows = append(csvRows, fmt.Sprintf("%s,%d,\"%s\",%s", yt, 10*i, c, split))
		if i == 29 {
			continue // a video no longer on YouTube
		}
		id := fmt.Sprintf("%s_%06d", yt, 10*i)
		writeToneWAV(t, filepath.Join(root, "audio", id+".wav"), 16000, 16, 500, 0.2)
		writeClipFrames(t, filepath.Join(root, "visual", id), 1, color.RGBA{1, 2, 3, 255})
	}
	writeText(t, root, "vggsound.csv", strings.Join(csvRows, "\n")+"\n")
	params := map[string]any{"drop_missing": true}
	for k, v := range smallFolder {
		params[k] = v
	}
	d := openT(t, "vggsound", Config{Root: root, Params: params})
	if m := d.Info().Modalities[0]; !slices.Equal(m.Shape, []int{1, 129, 1 + 8000/128}) {
		t.Errorf("audio shape %v", m.Shape)
	}
	tr, va, te := splitT(t, d, "train"), splitT(t, d, "val"), splitT(t, d, "test")
	if tr.Len()+va.Len() != 24 || va.Len() != 3 || te.Len() != 5 || te.Skipped() != 1 {
		t.Errorf("train %d val %d test %d (skipped %d)", tr.Len(), va.Len(), te.Len(), te.Skipped())
	}
	writeText(t, root, "vggsound.csv", "x,1,not a class,train\n")
	if _, err := mustBuilder(t, "vggsound").Open(Config{Root: root, Params: params}); err == nil || !strings.Contains(err.Error(), `vggsound.csv:1: class "not a class" is not one of the 309 classes`) {
		t.Errorf("unknown class: %v", err)
	}
}

func TestUCF101(t *testing.T) {
	root := t.TempDir()
	lists := filepath.Join(root, "ucfTrainTestlist")
	mkdirs(t, lists)
	var ind, train, test []string
	for k := range 101 {
		ind = append(ind, fmt.Sprintf("%d Class%03d", k+1, k))
	}
	clip := func(k, g int) string { return fmt.Sprintf("v_Class%03d_g%02d_c01", k, g) }
	for _, k := range []int{0, 1, 100} {
		for g := 8; g <= 25; g++ {
			train = append(train, fmt.Sprintf("Class%03d/%s.avi %d", k, clip(k, g), k+1))
		}
		for g := 1; g <= 2; g++ {
			test = append(test, fmt.Sprintf("Class%03d/%s.avi", k, clip(k, g)))
		}
	}
	writeText(t, lists, "classInd.txt", strings.Join(ind, "\n")+"\n")
	writeText(t, lists, "trainlist01.txt", strings.Join(train, "\n")+"\n")
	writeText(t, lists, "testlist01.txt", strings.Join(test, "\n")+"\n")
	for _, l := range append(train, test...) {
		id := strings.TrimSuffix(strings.Split(strings.Fields(l)[0], "/")[1], ".avi")
		writeClipFrames(t, filepath.Join(root, "rgb", id), 2, color.RGBA{50, 60, 70, 255})
		writeClipFrames(t, filepath.Join(root, "flow", "u", id), 2, color.RGBA{128, 128, 128, 255})
		writeClipFrames(t, filepath.Join(root, "flow", "v", id), 2, color.RGBA{128, 128, 128, 255})
	}
	params := map[string]any{"image_size": 8, "frames": 1}
	d := openT(t, "ucf101", Config{Root: root, Seed: 5, Params: params})
	info := d.Info()
	if len(info.Classes) != 101 || info.Classes[100] != "Class100" || len(info.Modalities) != 2 ||
		!slices.Equal(info.Modalities[1].Shape, []int{1, 2, 8, 8}) {
		t.Fatalf("info %+v", info)
	}
	tr, va, te := splitT(t, d, "train"), splitT(t, d, "val"), splitT(t, d, "test")
	// round(0.1 x 18) = 2 groups of 3 classes held out.
	if tr.Len() != 48 || va.Len() != 6 || te.Len() != 6 {
		t.Fatalf("sizes %d %d %d, want 48 6 6", tr.Len(), va.Len(), te.Len())
	}
	groups := map[string]bool{}
	for _, c := range va.(*folderSplit).clips {
		g, _ := ucfGroup(c.id)
		groups[g] = true
	}
	for _, c := range tr.(*folderSplit).clips {
		if g, _ := ucfGroup(c.id); groups[g] {
			t.Fatalf("group %s in train and val", g)
		}
	}
	if x := loadAll(t, te); x[1].Row(0)[0] > 0.01 || x[1].Row(0)[0] < -0.01 {
		t.Errorf("mid-grey flow %v, want about 0", x[1].Row(0)[0])
	}
	train[0] = strings.Replace(train[0], ".avi 1", ".avi 7", 1)
	writeText(t, lists, "trainlist01.txt", strings.Join(train, "\n")+"\n")
	if _, err := mustBuilder(t, "ucf101").Open(Config{Root: root, Params: params}); err == nil || !strings.Contains(err.Error(), "trainlist01.txt:1: class number 7 disagrees with Class000") {
		t.Errorf("wrong class number: %v", err)
	}
}

func TestFolderParamErrors(t *testing.T) {
	root := t.TempDir()
	for _, c := range []struct {
		name    string
		params  map[string]any
		errPart string
	}{
		{"av-folder", map[string]any{"frame_modalities": "rgb:4"}, `"frame_modalities" is "rgb:4"`},
		{"av-folder", map[string]any{"n_fft": 300}, `"n_fft" is 300`},
		{"vggsound", map[string]any{"frames": 0}, `"frames" is 0`},
		{"ave", nil, "trainSet.txt"},
		{"ucf101", nil, "classInd.txt"},
	} {
		_, err := mustBuilder(t, c.name).Open(Config{Root: root, Params: c.params})
		if err == nil || !strings.Contains(err.Error(), c.errPart) {
			t.Errorf("%s %v: %v, want %q", c.name, c.params, err, c.errPart)
		}
	}
	if _, err := mustBuilder(t, "ave").Open(Config{}); err == nil || !strings.Contains(err.Error(), "nothing of it ships") {
		t.Errorf("no root: %v", err)
	}
}
