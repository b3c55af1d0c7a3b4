package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/miebench/miebench/internal/rngs"
)

// The audio-visual folder datasets: av-folder (any data in the generic
// layout) and the named datasets AVE, VGGSound and UCF-101 on it.

const folderLayoutDoc = `Frames: frames evenly spaced over the clip's sorted .jpg/.jpeg/.png
files (1 = the middle one). RGB modalities: evaluation resizes the short
side to image_size and centre-crops; training uses RandomResizedCrop and a
horizontal flip from the run's augmentation stream; ImageNet mean/std.
Grayscale (1 channel) and optical-flow (2 channels: <modality>/u/<clip> and
<modality>/v/<clip>, the TV-L1 layout) frames are resized and centre-cropped
only and scaled to [-1, 1] (128 = no motion).
Audio: mono, resampled to audio_rate (band-limited), tiled or cropped to
audio_seconds, log(|STFT| + 1e-7) with n_fft, hop, periodic Hann window and
centred frames (the OGM-GE spectrogram), [1, n_fft/2+1, 1 + samples/hop]; an
<id>.npy of that shape beside the WAV replaces it.
Missing files stop opening (naming the first) unless drop_missing (drop and
count such clips, as OGM-GE does) or skip_bad (also decode every clip once
and drop the unreadable ones). miebench data check lists every missing and
unreadable file.`

const avFolderDoc = `av-folder: any audio-visual (or multi-stream video) data set in the usual
preprocessed layout: per clip a WAV and one folder of frames per frame
modality; labels and splits from list files. Nothing ships: root: PATH.

Layout:
    PATH/train.txt, PATH/test.txt  one clip a line: "<clip id>,<class name>"
    PATH/val.txt                   optional; without it val_fraction of each
                                   class of train is carved out by the data
                                   seed (stratified)
    PATH/classes.txt               optional: class names, line k = class k
                                   (default: the sorted names in the lists)
    PATH/audio/<clip id>.wav       when audio: true (default)
    PATH/<modality>/<clip id>/*.jpg    for each frame modality of
                                   frame_modalities (default "visual:3");
                                   2-channel (flow) modalities read
                                   PATH/<modality>/u/<clip id>/ and v/.
Blank lines and lines starting with # are ignored in the lists.

` + folderLayoutDoc + `
License: whatever the user's data carries.`

const aveDoc = `ave: AVE, the Audio-Visual Event dataset (Tian et al., ECCV 2018): 4,143
ten-second YouTube videos of 28 event classes (church bell, dog barking,
...), with the official train/val/test lists of 3,339 / 402 / 402 videos.
Source: github.com/YapengTian/AVE-ECCV18 (the dataset archive, AVE_Dataset,
is linked from its README). Licence: the repository and archive state none,
so nothing of AVE ships with miebench: bring the archive's list files and
your preprocessed media (root: PATH). The 28 classes are the sorted
category names of the lists (class k = k-th name).

Layout:
    PATH/trainSet.txt, valSet.txt, testSet.txt   the archive's lists, lines
        "Category&VideoID&Quality&StartTime&EndTime" (a header line is
        skipped); the label is the video's category
    PATH/audio/<VideoID>.wav       the video's audio track
    PATH/visual/<VideoID>/*.jpg    its frames (e.g. one per second)
Splits: the three lists. Defaults follow the OGM-GE spectrogram at 22,050
Hz over the 10 s clip: audio [1, 257, 625], visual [3, 3, 224, 224].

` + folderLayoutDoc

const vggSoundDoc = `vggsound: VGGSound (Chen, Xie, Vedaldi, Zisserman, ICASSP 2020), 10 s
YouTube clips of 309 sound classes, the class set OGM-GE trains on.
Source: www.robots.ox.ac.uk/~vgg/data/vggsound and github.com/hche11/VGGSound.
Licence: the annotations are CC BY 4.0 (the videos belong to their owners),
so the 309 class names ship in datasets/data/vggsound/classes.txt (from the
repository's data/stat.csv, commit 9bbc749, sorted; credit the authors).
The full clip list, vggsound.csv, is not shipped because of its size (about
200,000 lines): put the official file in the root with your media.

Layout:
    PATH/vggsound.csv   the official list, rows "YouTubeID,start,label,split"
                        with split train or test (the test split is the
                        15,446 clips of the repository's data/test.csv)
    PATH/audio/<YouTubeID>_<start, 6 digits>.wav
    PATH/visual/<YouTubeID>_<start, 6 digits>/*.jpg
(the clip names of the VGGSound release, e.g. ---g-f_I2yQ_000001).
Splits: train and test from the csv; val carved from train (val_fraction of
each class, by the data seed). Many YouTube videos are gone: OGM-GE trains
on the clips it could download, which drop_missing: true reproduces.
Defaults follow OGM-GE's VGGSound loader: 16 kHz, 5 s, n_fft 256, hop 128
(audio [1, 129, 626]; OGM-GE crops 5 s at a random offset, miebench takes
the first 5 s), visual [3, 3, 224, 224].

` + folderLayoutDoc

const ucf101Doc = `ucf101: UCF-101 (Soomro, Zamir, Shah, 2012), 13,320 YouTube action clips of
101 classes, split 1 of the official train/test lists (9,537 / 3,783
clips), with two visual modalities: RGB frames (3 channels) and TV-L1
optical flow (2 channels), as in the two-stream setting of PMR and MLA.
Source: www.crcv.ucf.edu/data/UCF101.php. Licence: the lists and videos are
distributed by CRCV without a stated licence, so nothing ships: bring
ucfTrainTestlist (from UCF101TrainTestSplits-RecognitionTask.zip) and your
extracted frames (root: PATH).

Layout:
    PATH/ucfTrainTestlist/classInd.txt     "1 ApplyEyeMakeup" ... (101)
    PATH/ucfTrainTestlist/trainlist01.txt  "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1"
    PATH/ucfTrainTestlist/testlist01.txt   "ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi"
    PATH/rgb/<clip>/*.jpg                  e.g. rgb/v_ApplyEyeMakeup_g08_c01/
    PATH/flow/u/<clip>/*.jpg, PATH/flow/v/<clip>/*.jpg
Splits: train and test from split 1. Validation holds out whole groups
(the gNN actors) of train: round(val_fraction x 18) of the 18 training
groups, chosen by the data seed, so no actor is in both train and val.
No audio (most UCF-101 clips have none).

` + folderLayoutDoc

func init() {
	Register(Builder{
		Name: "av-folder", Doc: avFolderDoc,
		Params: append(folderParams(3, 10, 22050, 512, 353),
			ParamSpec{Name: "audio", Default: true, Doc: "whether clips have audio/<clip id>.wav"},
			ParamSpec{Name: "frame_modalities", Default: "visual:3", Doc: `frame modalities "name:channels,..." (channels 3 RGB, 1 grey, 2 flow)`},
		),
		Open:  openWith("av-folder", avFolderSetup),
		Check: checkWith("av-folder", avFolderSetup),
	})
	Register(Builder{
		Name: "ave", Doc: aveDoc, Params: folderParams(3, 10, 22050, 512, 353),
		Open: openWith("ave", aveSetup), Check: checkWith("ave", aveSetup),
	})
	Register(Builder{
		Name: "vggsound", Doc: vggSoundDoc, Params: folderParams(3, 5, 16000, 256, 128),
		Open: openWith("vggsound", vggSoundSetup), Check: checkWith("vggsound", vggSoundSetup),
	})
	var ucf []ParamSpec
	for _, p := range folderParams(3, 0, 0, 0, 0) {
		if !slices.Contains([]string{"audio_seconds", "audio_rate", "n_fft", "hop"}, p.Name) {
			ucf = append(ucf, p)
		}
	}
	Register(Builder{
		Name: "ucf101", Doc: ucf101Doc, Params: ucf,
		Open: openWith("ucf101", ucf101Setup), Check: checkWith("ucf101", ucf101Setup),
	})
}

// folderSetup resolves a folder dataset: its spec, classes and lists.
type folderSetup func(cfg Config, p Params) (*folderSpec, []string, folderListed, error)

// rootFor checks that cfg has an existing root directory.
func rootFor(name string, cfg Config) error {
	if cfg.Root == "" {
		return fmt.Errorf("dataset %s: nothing of it ships; set root to your copy (see miebench describe %s)", name, name)
	}
	return checkRoot(name, cfg.Root)
}

// openWith opens a folder dataset through setup.
func openWith(name string, setup folderSetup) func(Config) (Dataset, error) {
	return func(cfg Config) (Dataset, error) {
		p, err := resolve(name, cfg)
		if err != nil {
			return nil, err
		}
		if err := rootFor(name, cfg); err != nil {
			return nil, err
		}
		spec, classes, lists, err := setup(cfg, p)
		if err != nil {
			return nil, err
		}
		return openFolder(spec, classes, lists, p.Bool("drop_missing"), cfg.SkipBad)
	}
}

// checkWith checks a folder dataset through setup.
func checkWith(name string, setup folderSetup) func(Config) (*CheckReport, error) {
	return func(cfg Config) (*CheckReport, error) {
		p, err := resolve(name, cfg)
		if err != nil {
			return nil, err
		}
		if err := rootFor(name, cfg); err != nil {
			return nil, err
		}
		spec, classes, lists, err := setup(cfg, p)
		if err != nil {
			return nil, err
		}
		return checkFolder(spec, classes, lists), nil
	}
}

// listLine is one entry of a list file: clip id and class name, with the
// file and line it came from for messages.
type listLine struct {
	id, class string
	where     string // "path:line"
}

// buildLists turns list entries into clips, checking ids and classes.
func buildLists(name string, spec *folderSpec, root string, classes []string, entries map[string][]listLine) (folderListed, error) {
	idx := classIndex(classes)
	lists := folderListed{}
	seen := map[string]string{}
	for _, split := range SplitNames {
		for _, e := range entries[split] {
			y, ok := idx[e.class]
			if !ok {
				return nil, fmt.Errorf("dataset %s: %s: class %q is not one of the %d classes", name, e.where, e.class, len(classes))
			}
			if e.id == "" || e.id == "." || e.id == ".." || strings.ContainsAny(e.id, `/\`) {
				return nil, fmt.Errorf("dataset %s: %s: clip id %q is not a plain name", name, e.where, e.id)
			}
			if prev, dup := seen[e.id]; dup {
				return nil, fmt.Errorf("dataset %s: %s: clip %s already listed at %s", name, e.where, e.id, prev)
			}
			seen[e.id] = e.where
			lists[split] = append(lists[split], spec.clip(root, e.id, y))
		}
	}
	return lists, nil
}

// readListFile reads the non-blank, non-comment lines of a list file with
// their line numbers.
func readListFile(path string) ([]string, []int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var lines []string
	var nums []int
	for i, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
			nums = append(nums, i+1)
		}
	}
	return lines, nums, nil
}

func avFolderSetup(cfg Config, p Params) (*folderSpec, []string, folderListed, error) {
	frames, err := parseFrameModalities("av-folder", p.String("frame_modalities"))
	if err != nil {
		return nil, nil, nil, err
	}
	spec, err := folderSpecFrom("av-folder", p, p.Bool("audio"), frames, cfg.CacheDir)
	if err != nil {
		return nil, nil, nil, err
	}
	entries := map[string][]listLine{}
	var names []string
	for _, split := range SplitNames {
		path := filepath.Join(cfg.Root, split+".txt")
		lines, nums, err := readListFile(path)
		if err != nil {
			if split == "val" && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, nil, nil, fmt.Errorf("dataset av-folder: %w", err)
		}
		for i, l := range lines {
			id, class, ok := strings.Cut(l, ",")
			where := fmt.Sprintf("%s:%d", path, nums[i])
			if !ok {
				return nil, nil, nil, fmt.Errorf("dataset av-folder: %s: %q is not <clip id>,<class name>", where, l)
			}
			e := listLine{id: strings.TrimSpace(id), class: strings.TrimSpace(class), where: where}
			entries[split] = append(entries[split], e)
			names = append(names, e.class)
		}
	}
	classes, err := readLines(filepath.Join(cfg.Root, "classes.txt"))
	if errors.Is(err, os.ErrNotExist) {
		classes, err = sortedUnique(names), nil
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("dataset av-folder: %w", err)
	}
	if len(classes) < 2 {
		return nil, nil, nil, fmt.Errorf("dataset av-folder: %s: %d classes, want at least 2", cfg.Root, len(classes))
	}
	lists, err := buildLists("av-folder", spec, cfg.Root, classes, entries)
	if err != nil {
		return nil, nil, nil, err
	}
	carveFolderVal("av-folder", lists, p.Float("val_fraction"), cfg.Seed)
	return spec, classes, lists, nil
}

// aveClasses is the number of AVE event classes.
const aveClasses = 28

func aveSetup(cfg Config, p Params) (*folderSpec, []string, folderListed, error) {
	spec, err := folderSpecFrom("ave", p, true, []frameModality{{name: "visual", channels: 3}}, cfg.CacheDir)
	if err != nil {
		return nil, nil, nil, err
	}
	entries := map[string][]listLine{}
	var names []string
	for _, sf := range [][2]string{{"train", "trainSet.txt"}, {"val", "valSet.txt"}, {"test", "testSet.txt"}} {
		split, file := sf[0], sf[1]
		path := filepath.Join(cfg.Root, file)
		lines, nums, err := readListFile(path)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("dataset ave: %w (the list files of the AVE archive)", err)
		}
		for i, l := range lines {
			f := strings.Split(l, "&")
			where := fmt.Sprintf("%s:%d", path, nums[i])
			if len(f) != 5 {
				return nil, nil, nil, fmt.Errorf("dataset ave: %s: %q is not Category&VideoID&Quality&StartTime&EndTime", where, l)
			}
			if i == 0 && f[0] == "Category" {
				continue // header
			}
			entries[split] = append(entries[split], listLine{id: f[1], class: f[0], where: where})
			names = append(names, f[0])
		}
	}
	classes := sortedUnique(names)
	if len(classes) != aveClasses {
		return nil, nil, nil, fmt.Errorf("dataset ave: the lists in %s name %d categories, want AVE's %d", cfg.Root, len(classes), aveClasses)
	}
	lists, err := buildLists("ave", spec, cfg.Root, classes, entries)
	if err != nil {
		return nil, nil, nil, err
	}
	return spec, classes, lists, nil
}

// vggSoundClasses reads the shipped VGGSound class names.
func vggSoundClasses() ([]string, error) {
	b, err := ShippedFile("vggsound/classes.txt")
	if err != nil {
		return nil, fmt.Errorf("dataset vggsound: %w", err)
	}
	return nonEmptyLines(b), nil
}

func vggSoundSetup(cfg Config, p Params) (*folderSpec, []string, folderListed, error) {
	spec, err := folderSpecFrom("vggsound", p, true, []frameModality{{name: "visual", channels: 3}}, cfg.CacheDir)
	if err != nil {
		return nil, nil, nil, err
	}
	classes, err := vggSoundClasses()
	if err != nil {
		return nil, nil, nil, err
	}
	path := filepath.Join(cfg.Root, "vggsound.csv")
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("dataset vggsound: %w (the official vggsound.csv)", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 4
	entries := map[string][]listLine{}
	for {
		rec, err := r.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, nil, nil, fmt.Errorf("dataset vggsound: %s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		where := fmt.Sprintf("%s:%d", path, line)
		start, err := strconv.Atoi(strings.TrimSpace(rec[1]))
		split := strings.TrimSpace(rec[3])
		if err != nil || start < 0 || (split != "train" && split != "test") {
			return nil, nil, nil, fmt.Errorf("dataset vggsound: %s: %q is not YouTubeID,start,label,train|test", where, strings.Join(rec, ","))
		}
		id := fmt.Sprintf("%s_%06d", strings.TrimSpace(rec[0]), start)
		entries[split] = append(entries[split], listLine{id: id, class: strings.TrimSpace(rec[2]), where: where})
	}
	lists, err := buildLists("vggsound", spec, cfg.Root, classes, entries)
	if err != nil {
		return nil, nil, nil, err
	}
	carveFolderVal("vggsound", lists, p.Float("val_fraction"), cfg.Seed)
	return spec, classes, lists, nil
}

func ucf101Setup(cfg Config, p Params) (*folderSpec, []string, folderListed, error) {
	spec, err := folderSpecFrom("ucf101", p, false, []frameModality{{name: "rgb", channels: 3}, {name: "flow", channels: 2}}, cfg.CacheDir)
	if err != nil {
		return nil, nil, nil, err
	}
	dir := filepath.Join(cfg.Root, "ucfTrainTestlist")
	ci := filepath.Join(dir, "classInd.txt")
	lines, nums, err := readListFile(ci)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("dataset ucf101: %w", err)
	}
	var classes []string
	for i, l := range lines {
		k, name, ok := strings.Cut(l, " ")
		if n, err := strconv.Atoi(k); !ok || err != nil || n != len(classes)+1 {
			return nil, nil, nil, fmt.Errorf("dataset ucf101: %s:%d: %q is not \"%d <class>\"", ci, nums[i], l, len(classes)+1)
		}
		classes = append(classes, strings.TrimSpace(name))
	}
	if len(classes) != 101 {
		return nil, nil, nil, fmt.Errorf("dataset ucf101: %s names %d classes, want 101", ci, len(classes))
	}
	entries := map[string][]listLine{}
	for _, sf := range [][2]string{{"train", "trainlist01.txt"}, {"test", "testlist01.txt"}} {
		split, file := sf[0], sf[1]
		path := filepath.Join(dir, file)
		lines, nums, err := readListFile(path)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("dataset ucf101: %w", err)
		}
		for i, l := range lines {
			where := fmt.Sprintf("%s:%d", path, nums[i])
			fields := strings.Fields(l)
			class, base, ok := strings.Cut(fields[0], "/")
			id, isAVI := strings.CutSuffix(base, ".avi")
			if !ok || !isAVI || len(fields) > 2 {
				return nil, nil, nil, fmt.Errorf("dataset ucf101: %s: %q is not <Class>/<clip>.avi [<class number>]", where, l)
			}
			if len(fields) == 2 {
				if k := slices.Index(classes, class); fields[1] != strconv.Itoa(k+1) {
					return nil, nil, nil, fmt.Errorf("dataset ucf101: %s: class number %s disagrees with %s in classInd.txt", where, fields[1], class)
				}
			}
			entries[split] = append(entries[split], listLine{id: id, class: class, where: where})
		}
	}
	lists, err := buildLists("ucf101", spec, cfg.Root, classes, entries)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := carveGroups(lists, p.Float("val_fraction"), cfg.Seed); err != nil {
		return nil, nil, nil, err
	}
	return spec, classes, lists, nil
}

// ucfGroup is the group (actor) of a UCF-101 clip id, v_<Class>_g<NN>_c<MM>.
func ucfGroup(id string) (string, error) {
	parts := strings.Split(id, "_")
	if len(parts) < 4 || !strings.HasPrefix(parts[len(parts)-2], "g") {
		return "", fmt.Errorf("dataset ucf101: clip %q is not v_<Class>_g<NN>_c<MM>", id)
	}
	return parts[len(parts)-2], nil
}

// carveGroups moves round(frac x groups) whole groups of train, chosen by
// the data seed, into val.
func carveGroups(lists folderListed, frac float64, seed uint64) error {
	var groups []string
	of := make([]string, len(lists["train"]))
	for i, c := range lists["train"] {
		g, err := ucfGroup(c.id)
		if err != nil {
			return err
		}
		of[i] = g
		groups = append(groups, g)
	}
	groups = sortedUnique(groups)
	rngs.Stream(seed, "ucf101/val").Shuffle(len(groups), func(i, j int) { groups[i], groups[j] = groups[j], groups[i] })
	k := min(len(groups)-1, max(1, int(math.Round(frac*float64(len(groups))))))
	held := groups[:k]
	train := lists["train"]
	lists["train"], lists["val"] = nil, nil
	for i, c := range train {
		if slices.Contains(held, of[i]) {
			lists["val"] = append(lists["val"], c)
		} else {
			lists["train"] = append(lists["train"], c)
		}
	}
	return nil
}
