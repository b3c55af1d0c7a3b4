package datasets

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/miebench/miebench/internal/rngs"
	"github.com/miebench/miebench/loaders"
	"github.com/miebench/miebench/nn"
)

// Audio-visual folder datasets (av-folder, ave, vggsound, ucf101): per clip
// an optional WAV and one folder of frames per frame modality, labels and
// splits from list files. Clips are decoded lazily in Load.

// frameModality is one frame stream of a folder dataset.
type frameModality struct {
	name     string // the modality's name and its directory under the root
	channels int    // 3: RGB frames; 1: grayscale; 2: optical flow from <dir>/u/<clip> and <dir>/v/<clip>
}

// folderClip is one clip of a folder dataset.
type folderClip struct {
	id    string
	label int
	audio string     // audio path without extension; "" when there is no audio
	dirs  [][]string // per frame modality, its directories (one, or u and v)
}

// folderSpec is how a folder dataset's clips become tensors.
type folderSpec struct {
	name   string
	audio  *mediaSpec // the audio settings (rate, seconds, spectrogram, cache); nil without audio
	frames []frameModality
	n      int // frames per clip
	image  int // frame side after resize and crop
}

// modalities describes the audio (if any) and the frame modalities.
func (s *folderSpec) modalities() []Modality {
	var out []Modality
	if s.audio != nil {
		out = append(out, Modality{Name: "audio", Kind: "spectrogram", Shape: append([]int{1}, s.audio.audioShape()...)})
	}
	for _, f := range s.frames {
		out = append(out, Modality{Name: f.name, Kind: "frames", Shape: []int{s.n, f.channels, s.image, s.image}})
	}
	return out
}

// clip builds the paths of clip id under root.
func (s *folderSpec) clip(root, id string, label int) folderClip {
	c := folderClip{id: id, label: label}
	if s.audio != nil {
		c.audio = filepath.Join(root, "audio", id)
	}
	for _, f := range s.frames {
		if f.channels == 2 {
			c.dirs = append(c.dirs, []string{filepath.Join(root, f.name, "u", id), filepath.Join(root, f.name, "v", id)})
		} else {
			c.dirs = append(c.dirs, []string{filepath.Join(root, f.name, id)})
		}
	}
	return c
}

// missing returns the clip's missing paths.
func (s *folderSpec) missing(c folderClip) []string {
	var out []string
	if s.audio != nil {
		if p := s.audio.audioFile(mediaClip{audio: c.audio}); !exists(p, false) {
			out = append(out, p)
		}
	}
	for _, ds := range c.dirs {
		for _, d := range ds {
			if !exists(d, true) {
				out = append(out, d)
			}
		}
	}
	return out
}

// exists reports whether path is an existing file (or directory, if dir).
func exists(path string, dir bool) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir() == dir
}

// loadFrames fills dst ([n, C, S, S]) with frame modality m of clip c.
// RGB frames get the torchvision preprocessing of crema-d (random resized
// crop and flip when aug is non-nil, ImageNet normalisation). Grayscale and
// flow frames are resized and centre-cropped only (flipping flow would need
// its horizontal component negated) and scaled from [0, 1] to [-1, 1], so
// that the flow encoding's mid-grey is zero motion.
func (s *folderSpec) loadFrames(c folderClip, m int, dst []float32, aug *rand.Rand) error {
	f := s.frames[m]
	plane := s.image * s.image
	if f.channels == 3 {
		paths, err := loaders.ReadFrames(c.dirs[m][0], s.n)
		if err != nil {
			return err
		}
		cfg := loaders.ImageConfig{Resize: s.image, Crop: s.image, Normalize: true, Train: aug != nil}
		for k, p := range paths {
			img, err := loaders.ReadImage(p)
			if err != nil {
				return err
			}
			copy(dst[k*3*plane:(k+1)*3*plane], loaders.ImageTensor(img, cfg, aug).Data)
		}
		return nil
	}
	cfg := loaders.ImageConfig{Resize: s.image, Crop: s.image}
	for ch, dir := range c.dirs[m] {
		paths, err := loaders.ReadFrames(dir, s.n)
		if err != nil {
			return err
		}
		for k, p := range paths {
			img, err := loaders.ReadImage(p)
			if err != nil {
				return err
			}
			gray := loaders.ImageTensor(img, cfg, nil).Data[:plane] // R = G = B for grey frames
			out := dst[(k*f.channels+ch)*plane : (k*f.channels+ch+1)*plane]
			for i, v := range gray {
				out[i] = 2*v - 1
			}
		}
	}
	return nil
}

// load decodes clip c into rows (one per modality, in modalities order).
func (s *folderSpec) load(c folderClip, rows [][]float32, aug *rand.Rand) error {
	r := 0
	if s.audio != nil {
		spec, err := s.audio.loadAudio(mediaClip{audio: c.audio})
		if err != nil {
			return err
		}
		copy(rows[0], spec)
		r = 1
	}
	for m := range s.frames {
		if err := s.loadFrames(c, m, rows[r+m], aug); err != nil {
			return err
		}
	}
	return nil
}

// validate decodes clip c fully and returns the first problem.
func (s *folderSpec) validate(c folderClip) error {
	mods := s.modalities()
	rows := make([][]float32, len(mods))
	for i, m := range mods {
		rows[i] = make([]float32, nn.ShapeSize(m.Shape))
	}
	return s.load(c, rows, nil)
}

// folderSplit is a split of a folder dataset.
type folderSplit struct {
	spec    *folderSpec
	clips   []folderClip
	labels  []int
	skipped int
}

// Len is the number of clips.
func (s *folderSplit) Len() int { return len(s.clips) }

// Labels returns the class of every clip.
func (s *folderSplit) Labels() []int { return s.labels }

// Skipped counts clips dropped at open time as missing or unreadable.
func (s *folderSplit) Skipped() int { return s.skipped }

// Load decodes clips idx, one tensor per modality. Clips are decoded in
// parallel; each clip's augmentation stream is seeded from aug in clip
// order first, so the result does not depend on the number of goroutines.
func (s *folderSplit) Load(idx []int, aug *rand.Rand) ([]*nn.Tensor, error) {
	mods := s.spec.modalities()
	out := make([]*nn.Tensor, len(mods))
	for m, mod := range mods {
		out[m] = nn.NewTensor(append([]int{len(idx)}, mod.Shape...)...)
	}
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
		rows := make([][]float32, len(out))
		for m, t := range out {
			rows[m] = t.Row(i)
		}
		var r *rand.Rand
		if aug != nil {
			r = rand.New(rand.NewPCG(seeds[i][0], seeds[i][1]))
		}
		errs[i] = s.spec.load(s.clips[idx[i]], rows, r)
	})
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("dataset %s: clip %s: %w", s.spec.name, s.clips[idx[i]].id, err)
		}
	}
	return out, nil
}

// folderListed is a split's clips as the lists give them, before the
// files are looked at.
type folderListed map[string][]folderClip

// openFolder builds the three splits. Missing files stop opening (naming
// the first and the count) unless dropMissing (clips with a missing file
// are dropped and counted, as OGM-GE does for VGGSound) or skipBad (every
// clip is also decoded once and the unreadable ones dropped).
func openFolder(spec *folderSpec, classes []string, lists folderListed, dropMissing, skipBad bool) (Dataset, error) {
	d := &memDataset{info: Info{Name: spec.name, Modalities: spec.modalities(), Classes: classes}, splits: map[string]Split{}}
	for _, name := range SplitNames {
		clips := lists[name]
		ok := make([]bool, len(clips))
		miss := make([][]string, len(clips))
		parallelFor(len(clips), func(i int) {
			miss[i] = spec.missing(clips[i])
			ok[i] = len(miss[i]) == 0 && (!skipBad || spec.validate(clips[i]) == nil)
		})
		var kept []folderClip
		var missing []string
		for i, c := range clips {
			missing = append(missing, miss[i]...)
			if ok[i] {
				kept = append(kept, c)
			}
		}
		if len(missing) > 0 && !dropMissing && !skipBad {
			return nil, fmt.Errorf("dataset %s: split %s: %d missing files or directories, the first %s (run `miebench data check`, or set drop_missing or skip_bad to drop those clips)",
				spec.name, name, len(missing), missing[0])
		}
		if len(kept) == 0 {
			return nil, fmt.Errorf("dataset %s: split %s has no usable clips (of %d listed)", spec.name, name, len(clips))
		}
		s := &folderSplit{spec: spec, clips: kept, skipped: len(clips) - len(kept)}
		for _, c := range kept {
			s.labels = append(s.labels, c.label)
		}
		d.splits[name] = s
	}
	return d, nil
}

// checkFolder validates every listed clip: counts of usable clips per
// split and class, every missing path, every unreadable file, and the
// modality shapes.
func checkFolder(spec *folderSpec, classes []string, lists folderListed) *CheckReport {
	rep := &CheckReport{Counts: map[string]map[string]int{}}
	for _, m := range spec.modalities() {
		rep.Details = append(rep.Details, fmt.Sprintf("modality %s: %s, shape %v", m.Name, m.Kind, m.Shape))
	}
	listed := make([]int, len(classes))
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
			listed[c.label]++
			rep.Missing = append(rep.Missing, missing[i]...)
			if bad[i] != nil {
				rep.Bad = append(rep.Bad, bad[i].Error())
			}
			if len(missing[i]) == 0 && bad[i] == nil {
				addCount(rep, name, classes[c.label])
			}
		}
	}
	for k, n := range listed {
		if n == 0 {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("class %d (%s) has no listed clips", k, classes[k]))
		}
	}
	return rep
}

// folderParams are the parameters every folder dataset has, with the
// given defaults; named datasets fix some of them.
func folderParams(frames int, seconds float64, rate, nfft, hop int) []ParamSpec {
	return []ParamSpec{
		{Name: "frames", Default: frames, Doc: "frames per clip and frame modality, evenly spaced over the clip's sorted frame files"},
		{Name: "image_size", Default: 224, Doc: "frame side after resizing and cropping"},
		{Name: "audio_seconds", Default: seconds, Doc: "audio length in seconds (tiled or cropped) before the spectrogram"},
		{Name: "audio_rate", Default: rate, Doc: "audio sample rate in Hz after resampling"},
		{Name: "n_fft", Default: nfft, Doc: "STFT size and window length in samples"},
		{Name: "hop", Default: hop, Doc: "STFT hop in samples"},
		{Name: "val_fraction", Default: 0.1, Doc: "fraction of each class of train carved out for validation when there is no validation list"},
		{Name: "drop_missing", Default: false, Doc: "drop (and count) listed clips whose files are missing instead of failing"},
	}
}

// folderSpecFrom validates the common parameters and builds the spec.
func folderSpecFrom(name string, p Params, audio bool, frames []frameModality, cacheDir string) (*folderSpec, error) {
	s := &folderSpec{name: name, frames: frames, n: p.Int("frames"), image: p.Int("image_size")}
	switch {
	case s.n < 1 || s.n > 64:
		return nil, fmt.Errorf("dataset %s: parameter \"frames\" is %d, want 1 to 64", name, s.n)
	case s.image < 8:
		return nil, fmt.Errorf("dataset %s: parameter \"image_size\" is %d, want at least 8", name, s.image)
	}
	if f := p.Float("val_fraction"); !(f > 0 && f < 1) {
		return nil, fmt.Errorf("dataset %s: parameter \"val_fraction\" is %v, want in (0, 1)", name, f)
	}
	if !audio {
		return s, nil
	}
	rate, sec, nfft, hop := p.Int("audio_rate"), p.Float("audio_seconds"), p.Int("n_fft"), p.Int("hop")
	switch {
	case rate < 1000 || rate > 192000:
		return nil, fmt.Errorf("dataset %s: parameter \"audio_rate\" is %d, want 1000 to 192000", name, rate)
	case !(sec >= 0.1 && sec <= 60):
		return nil, fmt.Errorf("dataset %s: parameter \"audio_seconds\" is %v, want 0.1 to 60", name, sec)
	case nfft < 16 || nfft > 8192 || nfft&(nfft-1) != 0:
		return nil, fmt.Errorf("dataset %s: parameter \"n_fft\" is %d, want a power of 2 from 16 to 8192", name, nfft)
	case hop < 1 || hop > nfft:
		return nil, fmt.Errorf("dataset %s: parameter \"hop\" is %d, want 1 to n_fft (%d)", name, hop, nfft)
	}
	s.audio = &mediaSpec{
		name: name, rate: rate, seconds: sec,
		spec:     loaders.SpectrogramConfig{NFFT: nfft, Hop: hop, Rate: rate, LogOffset: 1e-7},
		allowNPY: true, cacheDir: cacheDir,
	}
	return s, nil
}

// carveFolderVal moves val_fraction of each class of train into val (by
// the data seed, stratified) when the lists have no validation clips.
func carveFolderVal(name string, lists folderListed, frac float64, seed uint64) {
	if len(lists["val"]) > 0 {
		return
	}
	train := lists["train"]
	idx := make([]int, len(train))
	labels := make([]int, len(train))
	for i, c := range train {
		idx[i], labels[i] = i, c.label
	}
	tr, va := carveStratified(idx, labels, frac, rngs.Stream(seed, name+"/val"))
	lists["train"], lists["val"] = nil, nil
	for _, i := range tr {
		lists["train"] = append(lists["train"], train[i])
	}
	for _, i := range va {
		lists["val"] = append(lists["val"], train[i])
	}
}

// classIndex maps class names to indices.
func classIndex(classes []string) map[string]int {
	m := make(map[string]int, len(classes))
	for i, c := range classes {
		m[c] = i
	}
	return m
}

// sortedUnique returns the distinct strings of xs in sorted order.
func sortedUnique(xs []string) []string {
	out := slices.Clone(xs)
	sort.Strings(out)
	return slices.Compact(out)
}

// parseFrameModalities parses "name:channels,..." (channels 1, 2 or 3).
func parseFrameModalities(dataset, v string) ([]frameModality, error) {
	var out []frameModality
	for _, part := range strings.Split(v, ",") {
		name, ch, ok := strings.Cut(strings.TrimSpace(part), ":")
		c, err := strconv.Atoi(ch)
		if !ok || err != nil || c < 1 || c > 3 || name == "" || name == "audio" || strings.ContainsAny(name, `/\`) ||
			slices.ContainsFunc(out, func(f frameModality) bool { return f.name == name }) {
			return nil, fmt.Errorf("dataset %s: parameter \"frame_modalities\" is %q: want distinct name:channels entries, channels 1, 2 or 3 (e.g. \"rgb:3,flow:2\")", dataset, v)
		}
		out = append(out, frameModality{name: name, channels: c})
	}
	return out, nil
}
