package datasets

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/miebench/miebench/loaders"
)

const kineticsSoundsDoc = `kinetics-sounds: Kinetics-Sounds, the 31 Kinetics-400 action classes that
are audible (playing instruments, singing, tapping, ...), 10 s YouTube clips.
The lists ship in datasets/data/kinetics-sounds: train (14,799) and test
(2,597) from the OGM-GE release (GeWu-Lab/OGM-GE_CVPR2022, MIT), val (1,320)
from the OGM/OPM journal release (GeWu-Lab/BML_TPAMI2024, MIT), lines
"<id>,10,<class index>"; classes.txt names the 31 classes (alphabetical).
The videos are not redistributable: bring your own copy (root: PATH).

Layout:
    PATH/audio/<id>.wav        (or PATH/audio/<id>.npy: a precomputed
                               spectrogram of shape [F, T] or [1, F, T]
                               equal to the audio shape below; preferred
                               when present)
    PATH/visual/<id>/*.jpg     frames (or .png), read in sorted name order
Splits: train, val and test are the lists.

Modalities:
  audio   spectrogram [1, 257, T]: mono, resampled to 22,050 Hz, tiled or
          cropped to audio_seconds (default 10 s, T = 625), then
          log(|STFT| + 1e-7) with n_fft 512, hop 353, periodic Hann window,
          centred frames (the OGM-GE spectrogram).
  visual  frames [frames, 3, 224, 224], default 3 frames evenly spaced;
          evaluation: short side to 224 and centre crop; training:
          RandomResizedCrop(224) and horizontal flip; ImageNet mean/std.

Samples are decoded lazily in Load. A missing file stops opening (naming
it); an unreadable one stops training with its path and reason. With
skip_bad every clip is decoded once when the dataset is opened and the
missing or unreadable ones are dropped and counted.`

func init() {
	Register(Builder{
		Name: "kinetics-sounds",
		Doc:  kineticsSoundsDoc,
		Params: []ParamSpec{
			{Name: "frames", Default: 3, Doc: "frames per clip, evenly spaced"},
			{Name: "image_size", Default: 224, Doc: "frame side after resizing and cropping"},
			{Name: "audio_seconds", Default: 10.0, Doc: "audio length in seconds (tiled or cropped) before the spectrogram"},
		},
		Open:  openKineticsSounds,
		Check: checkKineticsSounds,
	})
}

// kineticsClasses reads the shipped class names.
func kineticsClasses() ([]string, error) {
	b, err := ShippedFile("kinetics-sounds/classes.txt")
	if err != nil {
		return nil, fmt.Errorf("dataset kinetics-sounds: %w", err)
	}
	return nonEmptyLines(b), nil
}

// kineticsList reads a shipped list, "<id>,<seconds>,<class index>" a line.
func kineticsList(split string, classes int) ([]string, []int, error) {
	rel := "kinetics-sounds/" + split + ".txt"
	b, err := ShippedFile(rel)
	if err != nil {
		return nil, nil, fmt.Errorf("dataset kinetics-sounds: %w", err)
	}
	var ids []string
	var labels []int
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 3 || f[0] == "" || strings.ContainsAny(f[0], `/\`) {
			return nil, nil, fmt.Errorf("dataset kinetics-sounds: datasets/data/%s:%d: %q is not <id>,<seconds>,<class>", rel, i+1, line)
		}
		y, err := strconv.Atoi(f[2])
		if err != nil || y < 0 || y >= classes {
			return nil, nil, fmt.Errorf("dataset kinetics-sounds: datasets/data/%s:%d: class %q is not in 0..%d", rel, i+1, f[2], classes-1)
		}
		ids = append(ids, f[0])
		labels = append(labels, y)
	}
	return ids, labels, nil
}

func kineticsSetup(cfg Config) (*mediaSpec, []string, map[string][]mediaClip, error) {
	p, err := resolve("kinetics-sounds", cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	if cfg.Root == "" {
		return nil, nil, nil, errors.New("dataset kinetics-sounds: the media are not shipped; set root to a directory with audio/ and visual/")
	}
	if err := checkRoot("kinetics-sounds", cfg.Root); err != nil {
		return nil, nil, nil, err
	}
	spec := &mediaSpec{
		name: "kinetics-sounds", rate: 22050, seconds: p.Float("audio_seconds"),
		spec: loaders.DefaultSpectrogram(22050), frames: p.Int("frames"), image: p.Int("image_size"),
		allowNPY: true, cacheDir: cfg.CacheDir,
	}
	switch {
	case spec.frames < 1 || spec.frames > 64:
		return nil, nil, nil, fmt.Errorf("dataset kinetics-sounds: parameter \"frames\" is %d, want 1 to 64", spec.frames)
	case spec.image < 8:
		return nil, nil, nil, fmt.Errorf("dataset kinetics-sounds: parameter \"image_size\" is %d, want at least 8", spec.image)
	case !(spec.seconds >= 0.1 && spec.seconds <= 60):
		return nil, nil, nil, fmt.Errorf("dataset kinetics-sounds: parameter \"audio_seconds\" is %v, want 0.1 to 60", spec.seconds)
	}
	classes, err := kineticsClasses()
	if err != nil {
		return nil, nil, nil, err
	}
	lists := map[string][]mediaClip{}
	for _, split := range SplitNames {
		ids, labels, err := kineticsList(split, len(classes))
		if err != nil {
			return nil, nil, nil, err
		}
		for i, id := range ids {
			lists[split] = append(lists[split], mediaClip{
				id: id, label: labels[i],
				audio: filepath.Join(cfg.Root, "audio", id),
				dir:   filepath.Join(cfg.Root, "visual", id),
			})
		}
	}
	return spec, classes, lists, nil
}

func openKineticsSounds(cfg Config) (Dataset, error) {
	spec, classes, lists, err := kineticsSetup(cfg)
	if err != nil {
		return nil, err
	}
	return openMedia(spec, classes, lists, cfg.SkipBad)
}

func checkKineticsSounds(cfg Config) (*CheckReport, error) {
	spec, classes, lists, err := kineticsSetup(cfg)
	if err != nil {
		return nil, err
	}
	return checkMedia(spec, classes, lists), nil
}
