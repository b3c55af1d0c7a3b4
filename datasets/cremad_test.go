package datasets

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-audio/audio"
	"github.com/go-audio/wav"
)

func TestCremaDOGMSplit(t *testing.T) {
	b := mustBuilder(t, "crema-d")
	p, err := ResolveParams("crema-d", b.Params, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := cremaDSplits(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s["train"]) + len(s["val"]); n != 6698 || len(s["test"]) != 744 {
		t.Fatalf("train+val %d, test %d; want 6698, 744", n, len(s["test"]))
	}
	count := func(names []string) []int {
		c := make([]int, 6)
		for _, n := range names {
			_, y, err := cremaDClip(n)
			if err != nil {
				t.Fatal(err)
			}
			c[y]++
		}
		return c
	}
	tr, va := count(s["train"]), count(s["val"])
	for k := range 6 {
		if want := int(math.Round(0.1 * float64(tr[k]+va[k]))); va[k] != want {
			t.Errorf("class %s: %d val of %d, want %d", cremaDEmotions[k], va[k], tr[k]+va[k], want)
		}
	}
	inTest := map[string]bool{}
	for _, n := range s["test"] {
		inTest[n] = true
	}
	seen := map[string]bool{}
	for _, n := range append(slices.Clone(s["train"]), s["val"]...) {
		if inTest[n] || seen[n] {
			t.Fatalf("clip %s twice or in train/val and test", n)
		}
		seen[n] = true
	}
	s2, _ := cremaDSplits(p, 0)
	s3, _ := cremaDSplits(p, 1)
	if !slices.Equal(s["val"], s2["val"]) || slices.Equal(s["val"], s3["val"]) {
		t.Error("validation carving should be fixed by the seed and change with it")
	}
}

func TestCremaDSpeakerSplitActorDisjoint(t *testing.T) {
	b := mustBuilder(t, "crema-d")
	p, err := ResolveParams("crema-d", b.Params, map[string]any{"split": "speaker"})
	if err != nil {
		t.Fatal(err)
	}
	var firstTest []string
	for seed := range uint64(3) {
		s, err := cremaDSplits(p, seed)
		if err != nil {
			t.Fatal(err)
		}
		actors := map[string]map[string]bool{}
		total := 0
		for split, names := range s {
			actors[split] = map[string]bool{}
			for _, n := range names {
				a, _, _ := cremaDClip(n)
				actors[split][a] = true
			}
			total += len(names)
		}
		if total != 7442 {
			t.Errorf("seed %d: %d clips in all splits, want 7442", seed, total)
		}
		if len(actors["test"]) != 18 { // round(0.2 * 91)
			t.Errorf("seed %d: %d test actors, want 18", seed, len(actors["test"]))
		}
		for a := range actors["test"] {
			if actors["train"][a] || actors["val"][a] {
				t.Errorf("seed %d: test actor %s also in train/val", seed, a)
			}
		}
		if seed == 0 {
			firstTest = s["test"]
		} else if slices.Equal(firstTest, s["test"]) {
			t.Errorf("seed %d holds out the same actors as seed 0", seed)
		}
	}
}

func TestCremaDClipNames(t *testing.T) {
	for _, c := range []struct {
		name  string
		actor string
		label int
		ok    bool
	}{
		{"1001_DFA_ANG_XX", "1001", 0, true},
		{"1091_WSI_SAD_LO", "1091", 5, true},
		{"1001_DFA_XYZ_XX", "", 0, false},
		{"1001_DFA_ANG", "", 0, false},
	} {
		a, y, err := cremaDClip(c.name)
		if (err == nil) != c.ok || c.ok && (a != c.actor || y != c.label) {
			t.Errorf("%s: %q %d %v", c.name, a, y, err)
		}
	}
	// The test copy of clips.txt is the shipped one.
	tb, err := os.ReadFile("testdata/crema-d-clips.txt")
	if err != nil {
		t.Fatal(err)
	}
	sb, err := ShippedFile("crema-d/clips.txt")
	if err != nil || string(tb) != string(sb) {
		t.Errorf("testdata/crema-d-clips.txt differs from the shipped list (%v)", err)
	}
}

// wavFormats are the PCM bit depths the fixtures cycle through.
var wavFormats = []int{8, 16, 24, 32}

// writeToneWAV writes a mono PCM WAV of a tone through go-audio's encoder.
func writeToneWAV(t *testing.T, path string, rate, bits int, freq, seconds float64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := int(seconds * float64(rate))
	data := make([]int, n)
	full := float64(int(1)<<(bits-1)) - 1
	for i := range data {
		v := 0.5 * full * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))
		if bits == 8 {
			v += 128 // 8-bit WAV is unsigned
		}
		data[i] = int(v)
	}
	e := wav.NewEncoder(f, rate, bits, 1, 1)
	if err := e.Write(&audio.IntBuffer{Format: &audio.Format{NumChannels: 1, SampleRate: rate}, Data: data, SourceBitDepth: bits}); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeFrame writes a w x h image of one colour as PNG or JPEG.
func writeFrame(t *testing.T, path string, c color.RGBA) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for y := range 30 {
		for x := range 40 {
			img.SetRGBA(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.HasSuffix(path, ".png") {
		err = png.Encode(f, img)
	} else {
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 95})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// cremaDTree writes clips (real names from the OGM lists) in the CREMA-D
// layout: a tone WAV at 16 kHz and three frames each; the frame colours
// encode the class in the red channel (40*class) and the frame index in
// green (frames 0, 1, 2: green 0, 100, 200).
func cremaDTree(t *testing.T, clips []string) string {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "AudioWAV"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i, c := range clips {
		_, y, err := cremaDClip(c)
		if err != nil {
			t.Fatal(err)
		}
		writeToneWAV(t, filepath.Join(root, "AudioWAV", c+".wav"), 16000, wavFormats[i%len(wavFormats)], 1000, 0.7)
		dir := filepath.Join(root, "Image-01-FPS", c)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for k := range 3 {
			ext := []string{".jpg", ".png"}[(i+k)%2]
			writeFrame(t, filepath.Join(dir, fmt.Sprintf("%05d%s", k+1, ext)), color.RGBA{uint8(40 * y), uint8(100 * k), 50, 255})
		}
	}
	return root
}

// fixtureClips returns perClass clip names of each class from an OGM list.
func fixtureClips(t *testing.T, list string, perClass int) []string {
	names, err := cremaDNames(list)
	if err != nil {
		t.Fatal(err)
	}
	count := make([]int, 6)
	var out []string
	for _, n := range names {
		_, y, _ := cremaDClip(n)
		if count[y] < perClass {
			count[y]++
			out = append(out, n)
		}
	}
	return out
}

func TestCremaDFixtureTree(t *testing.T) {
	train := fixtureClips(t, "crema-d/splits-ogm/train.csv", 2)
	test := fixtureClips(t, "crema-d/splits-ogm/test.csv", 1)
	root := cremaDTree(t, append(slices.Clone(train), test...))
	b := mustBuilder(t, "crema-d")
	params := map[string]any{"image_size": 16, "frames": 3}

	if _, err := b.Open(Config{Root: root, Params: params}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("open of a partial tree without skip_bad: %v", err)
	}
	d, err := b.Open(Config{Root: root, Params: params, SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	info := d.Info()
	if !slices.Equal(info.Modalities[0].Shape, []int{1, 257, 188}) || !slices.Equal(info.Modalities[1].Shape, []int{3, 3, 16, 16}) {
		t.Fatalf("modalities %+v", info.Modalities)
	}
	te, tr, va := splitT(t, d, "test"), splitT(t, d, "train"), splitT(t, d, "val")
	if te.Len() != 6 || tr.Len()+va.Len() != 12 || te.Skipped() != 744-6 || tr.Skipped()+va.Skipped() != 6698-12 {
		t.Fatalf("sizes test %d train %d val %d, skipped %d %d %d", te.Len(), tr.Len(), va.Len(), te.Skipped(), tr.Skipped(), va.Skipped())
	}
	x := loadAll(t, te)
	// Audio: a 1 kHz tone peaks in bin round(1000*512/22050) = 23 in frames
	// away from the tiling seams (0.7 s, 1.4 s, 2.1 s) and the reflected start.
	for i := range te.Len() {
		spec := x[0].Row(i)
		for _, frame := range []int{20, 60, 110, 160} {
			best := 0
			for f := range 257 {
				if spec[f*188+frame] > spec[best*188+frame] {
					best = f
				}
			}
			if best != 23 {
				t.Errorf("test clip %d frame %d: peak at bin %d, want 23", i, frame, best)
			}
		}
	}
	// Visual: evaluation frames are the flat colours, normalised; the red
	// channel gives the class, the green channel the frame (sorted order).
	per := 3 * 16 * 16
	for i, y := range te.Labels() {
		for k := range 3 {
			v := x[1].Row(i)[k*per:]
			red := v[8*16+8]*0.229 + 0.485
			green := v[16*16+8*16+8]*0.224 + 0.456
			if math.Abs(float64(red)-float64(40*y)/255) > 0.03 || math.Abs(float64(green)-float64(100*k)/255) > 0.03 {
				t.Errorf("test clip %d (class %d) frame %d: red %.3f green %.3f", i, y, k, red, green)
			}
		}
	}
	// Augmentation is reproducible from the stream, and differs without it.
	idx := []int{0, 1}
	a1, err := tr.Load(idx, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := tr.Load(idx, rand.New(rand.NewPCG(5, 6)))
	if !slices.Equal(a1[1].Data, a2[1].Data) || !slices.Equal(a1[0].Data, a2[0].Data) {
		t.Error("augmented loads with equal streams differ")
	}

	// Corrupt one clip's audio and delete another's frames: Load names the
	// file; check lists both.
	bad := filepath.Join(root, "AudioWAV", test[0]+".wav")
	if err := os.WriteFile(bad, []byte("RIFF\x04\x00\x00\x00WAVE"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "Image-01-FPS", test[1])); err != nil {
		t.Fatal(err)
	}
	if _, err := te.Load([]int{0}, nil); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("load of a corrupt clip: %v, want the path", err)
	}
	rep, err := b.Check(Config{Root: root, Params: params})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Bad) != 1 || !strings.Contains(rep.Bad[0], bad) {
		t.Errorf("bad %q", rep.Bad)
	}
	if !slices.Contains(rep.Missing, filepath.Join(root, "Image-01-FPS", test[1])) {
		t.Error("the missing frame directory is not reported")
	}
	// 2*7442 paths of absent clips, minus the 18 present clips' 2 paths each, plus 1.
	if len(rep.Missing) != 2*(7442-18)+1 {
		t.Errorf("%d missing, want %d", len(rep.Missing), 2*(7442-18)+1)
	}
	got := rep.Counts["test"]
	n := 0
	for _, c := range got {
		n += c
	}
	if len(got) != 4 || n != 4 {
		t.Errorf("test counts %v, want four classes with one clip each", got)
	}
	d, err = b.Open(Config{Root: root, Params: params, SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := splitT(t, d, "test"); s.Len() != 4 || s.Skipped() != 740 {
		t.Errorf("skip_bad after damage: test %d, skipped %d; want 4, 740", s.Len(), s.Skipped())
	}
}

func TestCremaDDiskCache(t *testing.T) {
	clips := append(fixtureClips(t, "crema-d/splits-ogm/train.csv", 2), fixtureClips(t, "crema-d/splits-ogm/test.csv", 1)...)
	root := cremaDTree(t, clips)
	dir := t.TempDir()
	b := mustBuilder(t, "crema-d")
	params := map[string]any{"image_size": 8}
	var loads [][]float32
	for range 2 {
		d, err := b.Open(Config{Root: root, Params: params, SkipBad: true, CacheDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		loads = append(loads, loadAll(t, splitT(t, d, "test"))[0].Data)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "*"))
	// skip_bad decodes every clip once at open time; entries are keyed by
	// content, and the fixtures' WAVs differ only in their 4 bit depths.
	if len(entries) != len(wavFormats) {
		t.Errorf("%d cache entries, want one per distinct WAV (%d)", len(entries), len(wavFormats))
	}
	if !slices.Equal(loads[0], loads[1]) {
		t.Error("cached audio differs from decoded audio")
	}
}
