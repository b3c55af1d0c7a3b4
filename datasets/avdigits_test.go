package datasets

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-audio/audio"
	"github.com/go-audio/wav"

	"github.com/miebench/miebench/internal/rngs"
)

func TestAVDigitsDefaultShapesSplitsAndStratification(t *testing.T) {
	start := time.Now()
	d := openT(t, "av-digits", Config{Seed: 0})
	t.Logf("first open (decodes 3,000 WAVs unless memoised): %v", time.Since(start))
	info := d.Info()
	if !slices.Equal(info.Modalities[0].Shape, []int{1, 40, 65}) || !slices.Equal(info.Modalities[1].Shape, []int{1, 28, 28}) {
		t.Fatalf("modalities %+v", info.Modalities)
	}
	want := map[string]int{"train": 2400, "val": 300, "test": 300}
	for _, name := range SplitNames {
		s := splitT(t, d, name)
		if s.Len() != want[name] || s.Skipped() != 0 {
			t.Errorf("%s: %d samples, %d skipped; want %d, 0", name, s.Len(), s.Skipped(), want[name])
		}
		counts := make([]int, 10)
		for _, y := range s.Labels() {
			counts[y]++
		}
		for y, n := range counts {
			if n != want[name]/10 {
				t.Errorf("%s: digit %d has %d samples, want %d", name, y, n, want[name]/10)
			}
		}
		x, err := s.Load([]int{0, s.Len() - 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(x[0].Shape, []int{2, 1, 40, 65}) || !slices.Equal(x[1].Shape, []int{2, 1, 28, 28}) {
			t.Errorf("%s batch shapes %v %v", name, x[0].Shape, x[1].Shape)
		}
	}
	// Standardised with the training split's statistics.
	for m, x := range loadAll(t, splitT(t, d, "train")) {
		mean, std := meanStd(x.Data)
		if math.Abs(mean) > 1e-4 || math.Abs(std-1) > 1e-4 {
			t.Errorf("modality %d of train: mean %v std %v, want 0 and 1", m, mean, std)
		}
	}
	start = time.Now()
	openT(t, "av-digits", Config{Seed: 1, Params: map[string]any{"image_noise": 0.3}})
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("second open took %v; the audio should be memoised", el)
	}
}

// TestAVDigitsPairing checks, end to end, that each sample's image is an
// MNIST image of the sample's digit, that no image is used twice (so the
// split pools are disjoint), and that the pairing is fixed by the seed.
func TestAVDigitsPairing(t *testing.T) {
	clean := map[string]any{"image_noise": 0, "standardize": false}
	mn, err := readMNIST(newSource("", ""), "mnist")
	if err != nil {
		t.Fatal(err)
	}
	const px = 28 * 28
	labelOf := map[string]int{}
	for i, y := range mn.labels {
		labelOf[fmt.Sprint(mn.pix[i*px:(i+1)*px])] = y
	}
	images := func(seed uint64) map[string][]string {
		d := openT(t, "av-digits", Config{Seed: seed, Params: clean})
		out := map[string][]string{}
		for _, name := range SplitNames {
			s := splitT(t, d, name)
			x := loadAll(t, s)[1]
			for i, y := range s.Labels() {
				key := fmt.Sprint(x.Row(i))
				got, ok := labelOf[key]
				if !ok {
					t.Fatalf("%s sample %d: image is not an MNIST test image", name, i)
				}
				if got != y {
					t.Fatalf("%s sample %d: digit %d paired with an image of %d", name, i, y, got)
				}
				out[name] = append(out[name], key)
			}
		}
		return out
	}
	a, b, c := images(3), images(3), images(4)
	seen := map[string]string{}
	for _, name := range SplitNames {
		for _, k := range a[name] {
			if prev, dup := seen[k]; dup {
				t.Fatalf("an image is used twice (%s and %s)", prev, name)
			}
			seen[k] = name
		}
		if !slices.Equal(a[name], b[name]) {
			t.Errorf("%s: pairing differs between two opens with seed 3", name)
		}
		same := 0
		for i := range a[name] {
			if a[name][i] == c[name][i] {
				same++
			}
		}
		if same > len(a[name])/10 {
			t.Errorf("%s: %d of %d images identical for seeds 3 and 4", name, same, len(a[name]))
		}
	}
}

func TestAVDigitsSpeakerSplit(t *testing.T) {
	src := newSource("", "")
	clips, bad, err := listFSDD(src)
	if err != nil || len(bad) > 0 {
		t.Fatal(err, bad)
	}
	a, err := parseAVDigits(Config{Params: map[string]any{"split": "speaker"}})
	if err != nil {
		t.Fatal(err)
	}
	heldOut := map[string]bool{}
	for seed := range uint64(6) {
		split, err := assignSplits(clips, a, seed)
		if err != nil {
			t.Fatal(err)
		}
		speakers := map[string]map[string]bool{}
		counts := map[string]int{}
		for i, c := range clips {
			if speakers[split[i]] == nil {
				speakers[split[i]] = map[string]bool{}
			}
			speakers[split[i]][c.speaker] = true
			counts[split[i]]++
		}
		if counts["train"] != 2000 || counts["val"] != 500 || counts["test"] != 500 {
			t.Errorf("seed %d: counts %v, want 2000/500/500", seed, counts)
		}
		for s := range speakers["test"] {
			heldOut[s] = true
			if speakers["train"][s] || speakers["val"][s] {
				t.Errorf("seed %d: test speaker %s also in train or val", seed, s)
			}
		}
		for s := range speakers["val"] {
			if speakers["train"][s] {
				t.Errorf("seed %d: val speaker %s also in train", seed, s)
			}
		}
	}
	if len(heldOut) < 2 {
		t.Errorf("six seeds held out only %v for test; the choice should depend on the seed", heldOut)
	}
	d := openT(t, "av-digits", Config{Params: map[string]any{"split": "speaker"}})
	if n := splitT(t, d, "test").Len(); n != 500 {
		t.Errorf("speaker split test size %d, want 500", n)
	}
}

func TestAVDigitsParamErrors(t *testing.T) {
	b, _ := Lookup("av-digits")
	for _, c := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"split": "random"}, `"split"`},
		{map[string]any{"image_nois": 0.1}, `unknown parameter "image_nois" (valid: audio_snr_db,`},
		{map[string]any{"image_noise": "loud"}, `"image_noise": want a number`},
		{map[string]any{"image_occlusion": 1.5}, `"image_occlusion"`},
		{map[string]any{"audio_snr_db": "high"}, `"audio_snr_db"`},
		{map[string]any{"split": "speaker", "test_speakers": 3, "val_speakers": 3}, "6 speakers"},
	} {
		_, err := b.Open(Config{Params: c.params})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %v: error %v, want it to contain %q", c.params, err, c.want)
		}
	}
}

func TestResizeHandComputed(t *testing.T) {
	if got := areaResize1D([]float64{1, 2, 3, 4}, 2); !slices.Equal(got, []float64{1.5, 3.5}) {
		t.Errorf("area 4->2 = %v", got)
	}
	// 3 -> 2: footprints [0, 1.5) and [1.5, 3).
	if got := areaResize1D([]float64{3, 6, 9}, 2); math.Abs(got[0]-4) > 1e-12 || math.Abs(got[1]-8) > 1e-12 {
		t.Errorf("area 3->2 = %v, want [4 8]", got)
	}
	// Output centres at source coordinates -0.25 (clamped to 0), 0.25, 0.75, 1.25 (past the last pixel).
	if got := bilinearResize1D([]float64{1.5, 3.5}, 4); !slices.Equal(got, []float64{1.5, 2, 3, 3.5}) {
		t.Errorf("bilinear 2->4 = %v", got)
	}
	img := make([]float32, 28*28)
	for i := range img {
		img[i] = 0.25
	}
	lowerResolution(img, 28, 7)
	for _, v := range img {
		if math.Abs(float64(v)-0.25) > 1e-6 {
			t.Fatalf("a constant image changed to %v", v)
		}
	}
	// A one-pixel impulse spreads over its 4x4 block at resolution 7.
	img = make([]float32, 28*28)
	img[0] = 16
	lowerResolution(img, 28, 7)
	var sum float64
	for _, v := range img {
		sum += float64(v)
	}
	if img[0] != 1 || math.Abs(sum-16) > 1e-4 {
		t.Errorf("impulse: corner %v, total %v; want 1 and 16", img[0], sum)
	}
}

func TestOccludeAndNoise(t *testing.T) {
	img := make([]float32, 28*28)
	for i := range img {
		img[i] = 1
	}
	occlude(img, 28, 0.25, 0, rngs.Stream(1, "t"))
	zeros := 0
	for _, v := range img {
		if v == 0 {
			zeros++
		}
	}
	if zeros != 14*14 {
		t.Errorf("occlusion 0.25 zeroed %d pixels, want 196", zeros)
	}
	x := make([]float32, 200000)
	for i := range x {
		x[i] = float32(math.Sin(float64(i) * 0.01)) // power 0.5
	}
	orig := slices.Clone(x)
	addNoiseSNR(x, 10, rngs.Stream(2, "t"))
	var pn float64
	for i := range x {
		e := float64(x[i] - orig[i])
		pn += e * e
	}
	pn /= float64(len(x))
	if math.Abs(pn-0.05)/0.05 > 0.02 {
		t.Errorf("noise power at 10 dB SNR = %v, want 0.05", pn)
	}
}

// writeWAV16 writes a mono 16-bit PCM WAV through go-audio's encoder.
func writeWAV16(t *testing.T, path string, rate int, samples []int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	e := wav.NewEncoder(f, rate, 16, 1, 1)
	buf := &audio.IntBuffer{Format: &audio.Format{NumChannels: 1, SampleRate: rate}, Data: samples, SourceBitDepth: 16}
	if err := e.Write(buf); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

func tone(n int, freq, rate float64) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = int(8000 * math.Sin(2*math.Pi*freq*float64(i)/rate))
	}
	return out
}

// avDigitsTree writes a tiny av-digits tree: digits 0 and 1 of speaker
// "ann", takes 0 (test), 5 (val), 10 and 11 (train), plus the shipped MNIST.
func avDigitsTree(t *testing.T) string {
	root := t.TempDir()
	rec := filepath.Join(root, "fsdd", "recordings")
	if err := os.MkdirAll(rec, 0o755); err != nil {
		t.Fatal(err)
	}
	for d := range 2 {
		for _, take := range []int{0, 5, 10, 11} {
			writeWAV16(t, filepath.Join(rec, fmt.Sprintf("%d_ann_%d.wav", d, take)), 8000, tone(3000, 300+200*float64(d), 8000))
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "mnist"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
		b, err := ShippedFile("mnist/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "mnist", f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestAVDigitsBrokenTree(t *testing.T) {
	root := avDigitsTree(t)
	b, _ := Lookup("av-digits")
	rep, err := b.Check(Config{Root: root})
	if err != nil || !rep.OK() {
		t.Fatalf("clean tree: %v %+v", err, rep)
	}
	if rep.Counts["train"]["1"] != 2 || rep.Counts["test"]["0"] != 1 {
		t.Errorf("counts %v", rep.Counts)
	}
	d, err := b.Open(Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if n := splitT(t, d, "train").Len(); n != 4 {
		t.Errorf("train has %d samples, want 4", n)
	}

	corrupt := filepath.Join(root, "fsdd", "recordings", "1_ann_11.wav")
	if err := os.WriteFile(corrupt, []byte("RIFF\x10\x00\x00\x00WAVEjunk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "fsdd", "recordings", "seven.wav"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "mnist", "t10k-labels-idx1-ubyte.gz")); err != nil {
		t.Fatal(err)
	}
	rep, err = b.Check(Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || len(rep.Bad) != 2 || len(rep.Missing) != 1 {
		t.Fatalf("broken tree report %+v", rep)
	}
	if !strings.Contains(rep.Bad[0], "seven.wav") || !strings.Contains(rep.Bad[1], corrupt) ||
		!strings.HasSuffix(rep.Missing[0], "t10k-labels-idx1-ubyte.gz") {
		t.Errorf("report names %q %q", rep.Bad, rep.Missing)
	}
	// A deleted recording is reported missing, not only counted less.
	if err := os.Remove(filepath.Join(root, "fsdd", "recordings", "0_ann_5.wav")); err != nil {
		t.Fatal(err)
	}
	rep, err = b.Check(Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "fsdd", "recordings", "0_ann_5.wav"); len(rep.Missing) != 2 || rep.Missing[0] != want {
		t.Errorf("missing %q, want %s first", rep.Missing, want)
	}
	if rep.Counts["train"]["1"] != 1 {
		t.Errorf("train count of digit 1 = %d, want 1", rep.Counts["train"]["1"])
	}
	// Opening stops at the first bad file, naming it, unless SkipBad.
	_, err = b.Open(Config{Root: root})
	if err == nil || !strings.Contains(err.Error(), "seven.wav") {
		t.Errorf("open of a broken tree: %v", err)
	}
	if err := os.Remove(filepath.Join(root, "fsdd", "recordings", "seven.wav")); err != nil {
		t.Fatal(err)
	}
	writeMNISTLabels(t, root)
	_, err = b.Open(Config{Root: root, Params: map[string]any{"image_noise": 0.1}})
	if err == nil || !strings.Contains(err.Error(), corrupt) {
		t.Errorf("open with a corrupt WAV: %v, want the path", err)
	}
	d, err = b.Open(Config{Root: root, SkipBad: true, Params: map[string]any{"image_noise": 0.2}})
	if err != nil {
		t.Fatal(err)
	}
	if tr := splitT(t, d, "train"); tr.Len() != 3 || tr.Skipped() != 1 {
		t.Errorf("SkipBad: train %d samples, %d skipped; want 3, 1", tr.Len(), tr.Skipped())
	}
}

func writeMNISTLabels(t *testing.T, root string) {
	b, err := ShippedFile("mnist/t10k-labels-idx1-ubyte.gz")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "mnist", "t10k-labels-idx1-ubyte.gz"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func resetAVMemo() {
	avMemoMu.Lock()
	defer avMemoMu.Unlock()
	clear(avAudioMemo)
	avAudioOrder = nil
}

func TestAVDigitsDiskCache(t *testing.T) {
	dir := t.TempDir()
	src := newSource("", "")
	clips, _, err := listFSDD(src)
	if err != nil {
		t.Fatal(err)
	}
	clips = clips[:60]
	raw := make([][]byte, len(clips))
	for i, c := range clips {
		if raw[i], err = src.readFile(fsddDir + "/" + c.file); err != nil {
			t.Fatal(err)
		}
	}
	a, err := parseAVDigits(Config{Params: map[string]any{"audio_snr_db": 20}})
	if err != nil {
		t.Fatal(err)
	}
	ref := computeAVAudio(src, clips, raw, a, 9)
	same := func(what string, f *audioFeatures) {
		t.Helper()
		if f == nil {
			t.Fatalf("%s: no features from the cache path", what)
		}
		for i := range clips {
			if ref.errs[i] != nil || f.errs[i] != nil || !slices.Equal(ref.spec[i], f.spec[i]) {
				t.Fatalf("%s: clip %s differs from the uncached features", what, clips[i].file)
			}
		}
	}
	same("miss", avAudioCached(src, clips, raw, a, 9, dir))
	entries, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("cache entries %v (%v), want 1", entries, err)
	}
	same("hit", avAudioCached(src, clips, raw, a, 9, dir))
	// A truncated entry is rebuilt.
	b, err := os.ReadFile(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(entries[0], b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	same("rebuilt", avAudioCached(src, clips, raw, a, 9, dir))
	// The audio noise seed is part of the key.
	other := avAudioCached(src, clips, raw, a, 10, dir)
	if slices.Equal(other.spec[0], ref.spec[0]) {
		t.Error("a different data seed reused the noisy features of seed 9")
	}
	if entries, _ = filepath.Glob(filepath.Join(dir, "*")); len(entries) != 2 {
		t.Errorf("%d entries after a second seed, want 2", len(entries))
	}
}

func TestAVDigitsFreshImageNoise(t *testing.T) {
	params := map[string]any{"image_noise_fresh": true, "standardize": false}
	d := openT(t, "av-digits", Config{Params: params})
	tr := splitT(t, d, "train")
	clean := openT(t, "av-digits", Config{Params: map[string]any{"image_noise": 0, "standardize": false}})
	ref := loadAll(t, splitT(t, clean, "train"))[1]
	idx := []int{0, 1, 2, 3}
	a, err := tr.Load(idx, rngs.Stream(1, "aug"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := tr.Load(idx, rngs.Stream(1, "aug"))
	c, _ := tr.Load(idx, rngs.Stream(2, "aug"))
	e1, _ := tr.Load(idx, nil)
	e2, _ := tr.Load(idx, nil)
	if !slices.Equal(a[1].Data, b[1].Data) || slices.Equal(a[1].Data, c[1].Data) {
		t.Error("fresh noise should follow the augmentation stream")
	}
	if !slices.Equal(e1[1].Data, e2[1].Data) {
		t.Error("without a stream the noise should be fixed per sample")
	}
	// The noise has the configured std 0.5 around the clean image.
	var ss float64
	for r := range idx {
		for k, v := range c[1].Row(r) {
			e := float64(v - ref.Row(r)[k])
			ss += e * e
		}
	}
	if std := math.Sqrt(ss / float64(len(idx)*784)); math.Abs(std-0.5) > 0.03 {
		t.Errorf("noise std %.3f, want 0.5", std)
	}
	// Standardised: the noise scales with the training statistics.
	ds := openT(t, "av-digits", Config{Params: map[string]any{"image_noise_fresh": true}})
	fixed := openT(t, "av-digits", Config{})
	x1 := loadAll(t, splitT(t, ds, "test"))[1]
	x2 := loadAll(t, splitT(t, fixed, "test"))[1]
	m1, s1 := meanStd(x1.Data)
	m2, s2 := meanStd(x2.Data)
	if math.Abs(m1-m2) > 0.01 || math.Abs(s1-s2) > 0.01 {
		t.Errorf("test images standardised to mean %.3f std %.3f with fresh noise, %.3f %.3f without", m1, s1, m2, s2)
	}
}

func TestAVDigitsLinearSpectrogram(t *testing.T) {
	root := avDigitsTree(t)
	resetAVMemo()
	params := map[string]any{"spectrogram": "linear", "standardize": false}
	d := openT(t, "av-digits", Config{Root: root, Params: params})
	if m := d.Info().Modalities[0]; !slices.Equal(m.Shape, []int{1, 129, 65}) {
		t.Fatalf("linear audio shape %v, want [1 129 65]", m.Shape)
	}
	te := splitT(t, d, "test")
	x := loadAll(t, te)
	// The test clip of digit 0 is a 300 Hz tone at 8 kHz: the bin nearest
	// 300 Hz (300/(8000/256) = 9.6, bin 10) dominates every frame.
	row := x[0].Row(slices.Index(te.Labels(), 0))
	frame := 30
	best := 0
	for f := range 129 {
		if row[f*65+frame] > row[best*65+frame] {
			best = f
		}
	}
	if best != 10 && best != 9 {
		t.Errorf("loudest bin %d, want 9 or 10 (300 Hz)", best)
	}
	if _, err := mustBuilder(t, "av-digits").Open(Config{Root: root, Params: map[string]any{"spectrogram": "bark"}}); err == nil || !strings.Contains(err.Error(), `"spectrogram" is bark`) {
		t.Errorf("bad spectrogram: %v", err)
	}
}
