package datasets

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/miebench/miebench/internal/rngs"
	"github.com/miebench/miebench/loaders"
)

const cremaDDoc = `crema-d: CREMA-D, the Crowd-sourced Emotional Multimodal Actors Dataset
(7,442 clips of 91 actors speaking 12 sentences with 6 emotions). Source:
github.com/CheyneyComputerScience/CREMA-D. Licence: Open Database License
(database) and Database Contents License (contents). The media are not
shipped: bring your own copy (root: PATH). The clip list, actor
demographics and the OGM-GE split ship in datasets/data/crema-d.

Layout (the usual preprocessing, one frame per second of each video):
    PATH/AudioWAV/<clip>.wav
    PATH/Image-01-FPS/<clip>/*.jpg   (or .png; read in sorted name order)
Clip names are {actor}_{sentence}_{emotion}_{level}; the label is the
emotion: ANG DIS FEA HAP NEU SAD are classes 0-5 (alphabetical; the OGM-GE
code numbers them NEU HAP SAD FEA DIS ANG, which only permutes labels).

Splits:
  split: ogm (default)  the random train/test split of OGM-GE, PMR, AGM and
          AMSS (6,698 / 744 clips). It is not speaker-independent.
  split: speaker  actor-disjoint: round(test_fraction x 91) actors, chosen
          by the data seed, form the test split.
  In both, validation is carved from train: val_fraction of each class,
  chosen by the data seed (stratified). The published protocols select
  the epoch on test; miebench selects on this validation split.

Modalities:
  audio   spectrogram [1, 257, 188]: WAV mixed to mono, resampled to 22,050
          Hz (band-limited), tiled to 3 s, log(|STFT| + 1e-7) with n_fft
          512, hop 353, periodic Hann window, centred frames (OGM-GE).
  visual  frames [frames, 3, 224, 224]: frames evenly spaced over the clip's
          sorted frame files (1 = the middle one; OGM-GE draws them at
          random); evaluation: short side resized to 224 (bilinear,
          antialiased) and centre crop; training: RandomResizedCrop(224)
          and horizontal flip from the run's augmentation stream; ImageNet
          mean/std normalisation.

Samples are decoded lazily in Load. A missing file stops opening (naming
it); an unreadable one stops training with its path and reason. With
skip_bad every clip is decoded once when the dataset is opened and the
missing or unreadable ones are dropped and counted.`

// cremaDEmotions are the class names, in class-index order.
var cremaDEmotions = []string{"ANG", "DIS", "FEA", "HAP", "NEU", "SAD"}

func init() {
	Register(Builder{
		Name: "crema-d",
		Doc:  cremaDDoc,
		Params: []ParamSpec{
			{Name: "split", Default: "ogm", Doc: `"ogm" (the OGM-GE lists) or "speaker" (actor-disjoint)`},
			{Name: "val_fraction", Default: 0.1, Doc: "fraction of each class of train carved out for validation"},
			{Name: "test_fraction", Default: 0.2, Doc: "split speaker: fraction of the actors held out for test"},
			{Name: "frames", Default: 1, Doc: "frames per clip, evenly spaced"},
			{Name: "image_size", Default: 224, Doc: "frame side after resizing and cropping"},
		},
		Open:  openCremaD,
		Check: checkCremaD,
	})
}

// cremaDClip parses a clip name and returns its actor and class.
func cremaDClip(name string) (actor string, label int, err error) {
	parts := strings.Split(name, "_")
	if len(parts) != 4 {
		return "", 0, fmt.Errorf("clip name %q is not {actor}_{sentence}_{emotion}_{level}", name)
	}
	for k, e := range cremaDEmotions {
		if parts[2] == e {
			return parts[0], k, nil
		}
	}
	return "", 0, fmt.Errorf("clip name %q: emotion %q is not one of %v", name, parts[2], cremaDEmotions)
}

// cremaDNames reads a shipped list: clips.txt (one name a line) or an OGM
// split file (clip,EMOTION), checking that the emotion column agrees with
// the clip name.
func cremaDNames(rel string) ([]string, error) {
	b, err := ShippedFile(rel)
	if err != nil {
		return nil, fmt.Errorf("dataset crema-d: %w", err)
	}
	var out []string
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, emo, hasEmo := strings.Cut(line, ",")
		_, label, err := cremaDClip(name)
		if err != nil {
			return nil, fmt.Errorf("dataset crema-d: datasets/data/%s:%d: %w", rel, i+1, err)
		}
		if hasEmo && emo != cremaDEmotions[label] {
			return nil, fmt.Errorf("dataset crema-d: datasets/data/%s:%d: label %q disagrees with clip name %q", rel, i+1, emo, name)
		}
		out = append(out, name)
	}
	return out, nil
}

// cremaDSplits returns the clip names of train, val and test.
func cremaDSplits(p Params, seed uint64) (map[string][]string, error) {
	frac := p.Float("val_fraction")
	if !(frac > 0 && frac < 1) {
		return nil, fmt.Errorf("dataset crema-d: parameter \"val_fraction\" is %v, want in (0, 1)", frac)
	}
	var train, test []string
	switch p.String("split") {
	case "ogm":
		var err error
		if train, err = cremaDNames("crema-d/splits-ogm/train.csv"); err != nil {
			return nil, err
		}
		if test, err = cremaDNames("crema-d/splits-ogm/test.csv"); err != nil {
			return nil, err
		}
	case "speaker":
		tf := p.Float("test_fraction")
		if !(tf > 0 && tf < 1) {
			return nil, fmt.Errorf("dataset crema-d: parameter \"test_fraction\" is %v, want in (0, 1)", tf)
		}
		all, err := cremaDNames("crema-d/clips.txt")
		if err != nil {
			return nil, err
		}
		train, test = actorSplit(all, tf, seed)
	default:
		return nil, fmt.Errorf("dataset crema-d: parameter \"split\" is %q, want \"ogm\" or \"speaker\"", p.String("split"))
	}
	labels := make([]int, len(train))
	idx := make([]int, len(train))
	for i, n := range train {
		_, labels[i], _ = cremaDClip(n) // the names were checked when read
		idx[i] = i
	}
	tr, va := carveStratified(idx, labels, frac, rngs.Stream(seed, "crema-d/val"))
	out := map[string][]string{"test": test}
	for _, i := range tr {
		out["train"] = append(out["train"], train[i])
	}
	for _, i := range va {
		out["val"] = append(out["val"], train[i])
	}
	return out, nil
}

// actorSplit holds out round(frac * actors) actors, chosen by seed, for
// test; the clips keep their list order.
func actorSplit(clips []string, frac float64, seed uint64) (train, test []string) {
	seen := map[string]bool{}
	var actors []string
	for _, c := range clips {
		a, _, _ := cremaDClip(c)
		if !seen[a] {
			seen[a] = true
			actors = append(actors, a)
		}
	}
	sort.Strings(actors)
	rngs.Stream(seed, "crema-d/actors").Shuffle(len(actors), func(i, j int) { actors[i], actors[j] = actors[j], actors[i] })
	n := max(1, int(math.Round(frac*float64(len(actors)))))
	held := map[string]bool{}
	for _, a := range actors[:n] {
		held[a] = true
	}
	for _, c := range clips {
		a, _, _ := cremaDClip(c)
		if held[a] {
			test = append(test, c)
		} else {
			train = append(train, c)
		}
	}
	return train, test
}

// cremaDSetup resolves the parameters and returns the media spec and the
// clips of each split.
func cremaDSetup(cfg Config) (*mediaSpec, map[string][]mediaClip, error) {
	p, err := resolve("crema-d", cfg)
	if err != nil {
		return nil, nil, err
	}
	if cfg.Root == "" {
		return nil, nil, errors.New("dataset crema-d: the media are not shipped; set root to a directory with AudioWAV/ and Image-01-FPS/")
	}
	if err := checkRoot("crema-d", cfg.Root); err != nil {
		return nil, nil, err
	}
	spec := &mediaSpec{
		name: "crema-d", rate: 22050, seconds: 3, spec: loaders.DefaultSpectrogram(22050),
		frames: p.Int("frames"), image: p.Int("image_size"), cacheDir: cfg.CacheDir,
	}
	if spec.frames < 1 || spec.frames > 64 {
		return nil, nil, fmt.Errorf("dataset crema-d: parameter \"frames\" is %d, want 1 to 64", spec.frames)
	}
	if spec.image < 8 {
		return nil, nil, fmt.Errorf("dataset crema-d: parameter \"image_size\" is %d, want at least 8", spec.image)
	}
	names, err := cremaDSplits(p, cfg.Seed)
	if err != nil {
		return nil, nil, err
	}
	lists := map[string][]mediaClip{}
	for split, ns := range names {
		for _, n := range ns {
			_, label, _ := cremaDClip(n)
			lists[split] = append(lists[split], mediaClip{
				id: n, label: label,
				audio: filepath.Join(cfg.Root, "AudioWAV", n),
				dir:   filepath.Join(cfg.Root, "Image-01-FPS", n),
			})
		}
	}
	return spec, lists, nil
}

func openCremaD(cfg Config) (Dataset, error) {
	spec, lists, err := cremaDSetup(cfg)
	if err != nil {
		return nil, err
	}
	return openMedia(spec, cremaDEmotions, lists, cfg.SkipBad)
}

func checkCremaD(cfg Config) (*CheckReport, error) {
	spec, lists, err := cremaDSetup(cfg)
	if err != nil {
		return nil, err
	}
	return checkMedia(spec, cremaDEmotions, lists), nil
}
