package datasets

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/miebench/miebench/loaders"
	"github.com/miebench/miebench/nn"
)

// Audio-visual datasets on disk (crema-d, kinetics-sounds): one audio file
// and one directory of frames per clip, decoded lazily in Load.

// mediaClip is one clip of an audio-visual dataset.
type mediaClip struct {
	id    string
	label int
	audio string // path of the audio file without extension
	dir   string // directory of the clip's frames
}

// mediaSpec is how an audio-visual dataset's clips become tensors.
type mediaSpec struct {
	name     string
	rate     int     // audio sample rate after resampling
	seconds  float64 // audio length (tiled or cropped)
	spec     loaders.SpectrogramConfig
	frames   int  // frames per clip
	image    int  // frame side after resize and crop
	allowNPY bool // an <audio>.npy precomputed spectrogram may replace <audio>.wav
	cacheDir string
	// hashes remembers loaders.FileHash per audio path (string -> string)
	// for the life of the opened dataset, so each file is hashed once
	// rather than on every Load. Only successful hashes are kept.
	hashes sync.Map
}

// samples is the audio length in samples.
func (m *mediaSpec) samples() int { return int(m.seconds*float64(m.rate) + 0.5) }

// audioShape is the spectrogram's shape [F, T].
func (m *mediaSpec) audioShape() []int {
	f := m.spec.NFFT/2 + 1
	if m.spec.Mels > 0 {
		f = m.spec.Mels
	}
	return []int{f, loaders.Frames(m.samples(), m.spec.Hop)}
}

// modalities describes the two modalities.
func (m *mediaSpec) modalities() []Modality {
	return []Modality{
		{Name: "audio", Kind: "spectrogram", Shape: append([]int{1}, m.audioShape()...)},
		{Name: "visual", Kind: "frames", Shape: []int{m.frames, 3, m.image, m.image}},
	}
}

// audioFile returns the clip's audio file: <audio>.npy when allowed and
// present, else <audio>.wav.
func (m *mediaSpec) audioFile(c mediaClip) string {
	if m.allowNPY {
		if _, err := os.Stat(c.audio + ".npy"); err == nil {
			return c.audio + ".npy"
		}
	}
	return c.audio + ".wav"
}

// missing returns the clip's missing paths (audio file, frame directory).
func (m *mediaSpec) missing(c mediaClip) []string {
	var out []string
	if _, err := os.Stat(m.audioFile(c)); err != nil {
		out = append(out, m.audioFile(c))
	}
	if fi, err := os.Stat(c.dir); err != nil || !fi.IsDir() {
		out = append(out, c.dir)
	}
	return out
}

// loadAudio returns the clip's spectrogram [F*T values], through the
// feature cache when one is configured.
func (m *mediaSpec) loadAudio(c mediaClip) ([]float32, error) {
	p := m.audioFile(c)
	want := m.audioShape()
	if filepath.Ext(p) == ".npy" {
		t, err := loaders.ReadNPY(p)
		if err != nil {
			return nil, err
		}
		if n := len(t.Shape); !(n == 2 && slices.Equal(t.Shape, want) || n == 3 && t.Shape[0] == 1 && slices.Equal(t.Shape[1:], want)) {
			return nil, fmt.Errorf("%s: spectrogram of shape %v, want %v or [1 %d %d]", p, t.Shape, want, want[0], want[1])
		}
		return t.Data, nil
	}
	build := func() (*nn.Tensor, error) {
		x, rate, err := loaders.ReadWAV(p)
		if err != nil {
			return nil, err
		}
		if len(x) == 0 {
			return nil, fmt.Errorf("%s: no samples", p)
		}
		x = loaders.FitLength(loaders.Resample(x, rate, m.rate), m.samples())
		s, err := loaders.Spectrogram(x, m.spec)
		if err != nil {
			return nil, fmt.Errorf("%s: spectrogram: %w", p, err)
		}
		return s, nil
	}
	t, err := m.cached(p, build)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(t.Shape, want) {
		return nil, fmt.Errorf("%s: spectrogram of shape %v, want %v", p, t.Shape, want)
	}
	return t.Data, nil
}

// loadFrames reads the clip's frames into dst ([frames*3*image*image]),
// with random crops and flips drawn from aug when aug is non-nil.
func (m *mediaSpec) loadFrames(c mediaClip, dst []float32, aug *rand.Rand) error {
	paths, err := loaders.ReadFrames(c.dir, m.frames)
	if err != nil {
		return err
	}
	cfg := loaders.ImageConfig{Resize: m.image, Crop: m.image, Normalize: true, Train: aug != nil}
	per := 3 * m.image * m.image
	for k, p := range paths {
		img, err := loaders.ReadImage(p)
		if err != nil {
			return err
		}
		copy(dst[k*per:(k+1)*per], loaders.ImageTensor(img, cfg, aug).Data)
	}
	return nil
}

// mediaSplit is a split of an audio-visual dataset on disk.
type mediaSplit struct {
	spec    *mediaSpec
	clips   []mediaClip
	labels  []int
	skipped int
}

func newMediaSplit(spec *mediaSpec, clips []mediaClip, skipped int) *mediaSplit {
	s := &mediaSplit{spec: spec, clips: clips, labels: make([]int, len(clips)), skipped: skipped}
	for i, c := range clips {
		s.labels[i] = c.label
	}
	return s
}

// Len is the number of clips.
func (s *mediaSplit) Len() int { return len(s.clips) }

// Labels returns the class of every clip.
func (s *mediaSplit) Labels() []int { return s.labels }

// Skipped counts clips dropped at open time as missing or unreadable.
func (s *mediaSplit) Skipped() int { return s.skipped }

// Load decodes clips idx: audio [n, 1, F, T] and frames [n, frames, 3, S, S].
// Clips are decoded in parallel; each clip's augmentation stream is seeded
// from aug in clip order first, so the result does not depend on the number
// of goroutines.
func (s *mediaSplit) Load(idx []int, aug *rand.Rand) ([]*nn.Tensor, error) {
	mods := s.spec.modalities()
	au := nn.NewTensor(append([]int{len(idx)}, mods[0].Shape...)...)
	vi := nn.NewTensor(append([]int{len(idx)}, mods[1].Shape...)...)
	seeds := make([][2]uint64, len(idx))
	for i, j := range idx {
		if j < 0 || j >= len(s.clips) {
			return nil, fmt.Errorf("dataset %s: sample index %d out of range [0, %d)", s.spec.name, j, len(s.clips))
		}
		if aug != nil {
			seeds[i] = [2]uint64{aug.Uint64(), aug.Uint64()}
		}
	}
	errs := make([]error, len(idx))
	parallelFor(len(idx), func(i int) {
		c := s.clips[idx[i]]
		spec, err := s.spec.loadAudio(c)
		if err != nil {
			errs[i] = err
			return
		}
		copy(au.Row(i), spec)
		var r *rand.Rand
		if aug != nil {
			r = rand.New(rand.NewPCG(seeds[i][0], seeds[i][1]))
		}
		errs[i] = s.spec.loadFrames(c, vi.Row(i), r)
	})
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("dataset %s: clip %s: %w", s.spec.name, s.clips[idx[i]].id, err)
		}
	}
	return []*nn.Tensor{au, vi}, nil
}

// parallelFor runs fn(0..n-1) on up to GOMAXPROCS goroutines.
func parallelFor(n int, fn func(i int)) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(n, max(1, runtime.GOMAXPROCS(0))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				fn(i)
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
}

// validate decodes clip c fully (audio and every chosen frame) and returns
// the first problem, "path: reason".
func (m *mediaSpec) validate(c mediaClip) error {
	if _, err := m.loadAudio(c); err != nil {
		return err
	}
	return m.loadFrames(c, make([]float32, m.frames*3*m.image*m.image), nil)
}

// openMedia builds the three splits from clip lists. Missing files stop
// opening (naming the first and the count) unless skipBad; with skipBad
// every clip is decoded once (filling the feature cache) and the missing
// and unreadable ones are dropped and counted.
func openMedia(spec *mediaSpec, classes []string, lists map[string][]mediaClip, skipBad bool) (Dataset, error) {
	d := &memDataset{info: Info{Name: spec.name, Modalities: spec.modalities(), Classes: classes}, splits: map[string]Split{}}
	for _, name := range SplitNames {
		clips := lists[name]
		var kept []mediaClip
		if skipBad {
			ok := make([]bool, len(clips))
			parallelFor(len(clips), func(i int) {
				ok[i] = len(spec.missing(clips[i])) == 0 && spec.validate(clips[i]) == nil
			})
			for i, c := range clips {
				if ok[i] {
					kept = append(kept, c)
				}
			}
		} else {
			var missing []string
			for _, c := range clips {
				missing = append(missing, spec.missing(c)...)
			}
			if len(missing) > 0 {
				return nil, fmt.Errorf("dataset %s: split %s: %d missing files or directories, the first %s (run `miebench data check`, or set skip_bad to drop them)",
					spec.name, name, len(missing), missing[0])
			}
			kept = clips
		}
		if len(kept) == 0 {
			return nil, fmt.Errorf("dataset %s: split %s has no usable clips (of %d listed)", spec.name, name, len(clips))
		}
		d.splits[name] = newMediaSplit(spec, kept, len(clips)-len(kept))
	}
	return d, nil
}

// checkMedia validates every clip of lists: counts of usable clips per
// split and class, missing paths, unreadable files.
func checkMedia(spec *mediaSpec, classes []string, lists map[string][]mediaClip) *CheckReport {
	rep := &CheckReport{Counts: map[string]map[string]int{}}
	for _, name := range SplitNames {
		clips := lists[name]
		missing := make([][]string, len(clips))
		bad := make([]error, len(clips))
		parallelFor(len(clips), func(i int) {
			if missing[i] = spec.missing(clips[i]); len(missing[i]) == 0 {
				bad[i] = spec.validate(clips[i])
			}
		})
		for i, c := range clips {
			rep.Missing = append(rep.Missing, missing[i]...)
			if bad[i] != nil {
				rep.Bad = append(rep.Bad, bad[i].Error())
			}
			if len(missing[i]) == 0 && bad[i] == nil {
				addCount(rep, name, classes[c.label])
			}
		}
	}
	return rep
}

// cached returns build's tensor for the file at path through the feature
// cache when one is configured, keyed by the file's content and the audio
// parameters.
func (m *mediaSpec) cached(path string, build func() (*nn.Tensor, error)) (*nn.Tensor, error) {
	if m.cacheDir == "" {
		return build()
	}
	h, err := m.fileHash(path)
	if err != nil {
		return build() // build reports the unreadable file
	}
	key := loaders.CacheKey("audio-v1", h, strconv.Itoa(m.rate), strconv.FormatFloat(m.seconds, 'g', -1, 64),
		strconv.Itoa(m.spec.NFFT), strconv.Itoa(m.spec.Hop), strconv.Itoa(m.spec.Mels),
		strconv.FormatFloat(m.spec.LogOffset, 'g', -1, 64))
	return (&loaders.Cache{Dir: m.cacheDir}).Get(key, build)
}

// fileHash is loaders.FileHash of path, computed once per path and spec.
func (m *mediaSpec) fileHash(path string) (string, error) {
	if h, ok := m.hashes.Load(path); ok {
		return h.(string), nil
	}
	h, err := loaders.FileHash(path)
	if err != nil {
		return "", err
	}
	m.hashes.Store(path, h)
	return h, nil
}

// checkRoot reports a root that is not an existing directory.
func checkRoot(dataset, root string) error {
	fi, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("dataset %s: root: %w", dataset, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("dataset %s: root %s is not a directory", dataset, root)
	}
	return nil
}
