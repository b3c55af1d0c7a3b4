package datasets

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
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

const featuresDoc = `features: precomputed embeddings, one .npy array per modality. This is how
embeddings from any backbone (audio, image, text, ...) enter miebench, and
how image-text sets are used.

Layout (root: PATH is required):
    PATH/<modality>.npy  float32 (float64 is converted), shape [N, D] or
                         [N, d1, d2, ...]; one file per modality, at least 2
    PATH/labels.npy      integer class indices, shape [N] or [N, 1]
    PATH/split.txt       N lines, line i is "train", "val" or "test": the
                         split of sample i (blank lines and lines starting
                         with # are ignored)
    PATH/classes.txt     optional: class names, line k names class k
                         (default "0", "1", ..., up to the largest label)
Row i of every file is sample i. Modalities are all .npy files other than
labels.npy, in sorted name order, unless the modalities parameter gives the
names (and order) to use, e.g. "image,text".

If split.txt names no validation sample, a validation split is carved from
train: val_fraction of every class, chosen by the data seed (stratified).
Modalities: kind "features", shape = the array shape without N.
License: whatever the user's data carries.`

func init() {
	Register(Builder{
		Name: "features",
		Doc:  featuresDoc,
		Params: []ParamSpec{
			{Name: "modalities", Default: "", Doc: `comma-separated modality names (file stems) in order; "" = every .npy but labels, sorted`},
			{Name: "val_fraction", Default: 0.1, Doc: "fraction of each class of train carved out for validation when split.txt has no val lines"},
			{Name: "standardize", Default: false, Doc: "standardise each feature dimension with the training split's mean and std"},
		},
		Open:  openFeatures,
		Check: checkFeatures,
		// Every file is read whole when the dataset is opened.
		FingerprintContent: AllFiles,
	})
}

// featuresTree is a features directory, read and validated.
type featuresTree struct {
	names   []string
	x       []*nn.Tensor
	labels  []int
	split   []string
	classes []string
}

// featureModalities lists the modality names of root.
func featureModalities(root, param string) ([]string, error) {
	if s := strings.TrimSpace(param); s != "" {
		var names []string
		for _, n := range strings.Split(s, ",") {
			n = strings.TrimSpace(n)
			if n == "" || n == "labels" || slices.Contains(names, n) {
				return nil, fmt.Errorf("dataset features: parameter \"modalities\" is %q: want distinct names other than labels", param)
			}
			names = append(names, n)
		}
		if len(names) < 2 {
			return nil, fmt.Errorf("dataset features: parameter \"modalities\" is %q: want at least 2 names", param)
		}
		return names, nil
	}
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("dataset features: %w", err)
	}
	var names []string
	for _, e := range ents {
		stem, ok := strings.CutSuffix(e.Name(), ".npy")
		if ok && !e.IsDir() && stem != "labels" {
			names = append(names, stem)
		}
	}
	sort.Strings(names)
	if len(names) < 2 {
		return nil, fmt.Errorf("dataset features: %s has %d modality .npy files (%v), want at least 2", root, len(names), names)
	}
	return names, nil
}

// readSplitFile reads split.txt: one split name per sample.
func readSplitFile(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !slices.Contains(SplitNames, line) {
			return nil, fmt.Errorf("%s:%d: %q is not train, val or test", path, i+1, line)
		}
		out = append(out, line)
	}
	return out, nil
}

// readLines reads the non-empty lines of a text file.
func readLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return nonEmptyLines(b), nil
}

// nonEmptyLines splits b at newlines, trims each line's surrounding space
// and drops the lines left empty (nil when none remain).
func nonEmptyLines(b []byte) []string {
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// readFeatures reads and cross-checks a features tree. Problems are
// returned as missing files and bad files ("path: reason"), so that Check
// can list them all; Open fails on the first.
func readFeatures(root, modParam string) (*featuresTree, []string, []string, error) {
	if root == "" {
		return nil, nil, nil, errors.New("dataset features: needs a root directory (root: PATH)")
	}
	names, err := featureModalities(root, modParam)
	if err != nil {
		return nil, nil, nil, err
	}
	t := &featuresTree{names: names}
	var missing, bad []string
	// note records an error from os or readSplitFile, which already names
	// the file.
	note := func(path string, err error) {
		if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, path)
		} else {
			bad = append(bad, err.Error())
		}
	}
	n := -1
	for _, name := range names {
		p := filepath.Join(root, name+".npy")
		if _, err := os.Stat(p); err != nil {
			note(p, err)
			t.x = append(t.x, nil)
			continue
		}
		x, err := loaders.ReadNPY(p)
		if err != nil {
			// ReadNPY's errors already name the file.
			bad = append(bad, err.Error())
			t.x = append(t.x, nil)
			continue
		}
		if len(x.Shape) < 2 {
			err = fmt.Errorf("shape %v, want [N, D...]", x.Shape)
		} else if n >= 0 && x.Shape[0] != n {
			err = fmt.Errorf("%d rows, but %s.npy has %d", x.Shape[0], names[0], n)
		}
		if err != nil {
			bad = append(bad, p+": "+err.Error())
			t.x = append(t.x, nil)
			continue
		}
		if n < 0 {
			n = x.Shape[0]
		}
		t.x = append(t.x, x)
	}
	lp := filepath.Join(root, "labels.npy")
	if _, err := os.Stat(lp); err != nil {
		note(lp, err)
	} else if t.labels, err = loaders.ReadNPYLabels(lp); err != nil {
		bad = append(bad, err.Error())
		t.labels = nil
	} else if n >= 0 && len(t.labels) != n {
		bad = append(bad, fmt.Sprintf("%s: %d labels for %d samples", lp, len(t.labels), n))
		t.labels = nil
	} else {
		for i, y := range t.labels {
			if y < 0 {
				bad = append(bad, fmt.Sprintf("%s: label %d of sample %d is negative", lp, y, i))
				t.labels = nil
				break
			}
		}
	}
	sp := filepath.Join(root, "split.txt")
	if t.split, err = readSplitFile(sp); err != nil {
		note(sp, err)
		t.split = nil
	} else if n >= 0 && len(t.split) != n {
		bad = append(bad, fmt.Sprintf("%s: %d split lines for %d samples", sp, len(t.split), n))
		t.split = nil
	}
	maxLabel := -1
	for _, y := range t.labels {
		maxLabel = max(maxLabel, y)
	}
	cp := filepath.Join(root, "classes.txt")
	if names, err := readLines(cp); err == nil {
		if len(names) <= maxLabel {
			bad = append(bad, fmt.Sprintf("%s: %d class names, but labels go up to %d", cp, len(names), maxLabel))
		}
		t.classes = names
	} else if !errors.Is(err, fs.ErrNotExist) {
		bad = append(bad, err.Error()) // os errors name the file
	} else {
		for k := 0; k <= maxLabel; k++ {
			t.classes = append(t.classes, strconv.Itoa(k))
		}
	}
	return t, missing, bad, nil
}

func openFeatures(cfg Config) (Dataset, error) {
	p, err := resolve("features", cfg)
	if err != nil {
		return nil, err
	}
	frac := p.Float("val_fraction")
	if !(frac >= 0 && frac < 1) {
		return nil, fmt.Errorf("dataset features: parameter \"val_fraction\" is %v, want in [0, 1)", frac)
	}
	t, missing, bad, err := readFeatures(cfg.Root, p.String("modalities"))
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("dataset features: missing %s", missing[0])
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("dataset features: %s", bad[0])
	}
	if len(t.classes) < 2 {
		return nil, fmt.Errorf("dataset features: %s has %d classes, want at least 2", cfg.Root, len(t.classes))
	}
	members := map[string][]int{}
	for i, s := range t.split {
		members[s] = append(members[s], i)
	}
	if len(members["val"]) == 0 {
		members["train"], members["val"] = carveStratified(members["train"], t.labels, frac, rngs.Stream(cfg.Seed, "features/val"))
	}
	info := Info{Name: "features", Classes: t.classes}
	for m, name := range t.names {
		info.Modalities = append(info.Modalities, Modality{Name: name, Kind: "features", Shape: slices.Clone(t.x[m].Shape[1:])})
	}
	d := &memDataset{info: info, splits: map[string]Split{}}
	for _, name := range SplitNames {
		idx := members[name]
		if len(idx) == 0 {
			return nil, fmt.Errorf("dataset features: split %s is empty (%s)", name, filepath.Join(cfg.Root, "split.txt"))
		}
		d.splits[name] = gatherSplit(t.x, t.labels, idx)
	}
	if p.Bool("standardize") {
		standardizeColumns(d)
	}
	return d, nil
}

// gatherSplit copies rows idx of every tensor into an in-memory split.
func gatherSplit(x []*nn.Tensor, labels []int, idx []int) *memSplit {
	s := &memSplit{labels: make([]int, len(idx)), x: make([]*nn.Tensor, len(x))}
	for m, t := range x {
		s.x[m] = nn.NewTensor(append([]int{len(idx)}, t.Shape[1:]...)...)
		for r, i := range idx {
			copy(s.x[m].Row(r), t.Row(i))
		}
	}
	for r, i := range idx {
		s.labels[r] = labels[i]
	}
	return s
}

// standardizeColumns shifts and scales every feature column of every split
// by the training split's column mean and standard deviation (columns with
// zero deviation are only shifted).
func standardizeColumns(d *memDataset) {
	tr := d.splits["train"].(*memSplit)
	for m := range tr.x {
		n, w := tr.x[m].Rows(), tr.x[m].RowLen()
		mean, std := make([]float64, w), make([]float64, w)
		for i := range n {
			for j, v := range tr.x[m].Row(i) {
				mean[j] += float64(v)
			}
		}
		for j := range mean {
			mean[j] /= float64(n)
		}
		for i := range n {
			for j, v := range tr.x[m].Row(i) {
				e := float64(v) - mean[j]
				std[j] += e * e
			}
		}
		for j := range std {
			std[j] = sqrtOr1(std[j] / float64(n))
		}
		for _, name := range SplitNames {
			s := d.splits[name].(*memSplit)
			for i := range s.x[m].Rows() {
				row := s.x[m].Row(i)
				for j, v := range row {
					row[j] = float32((float64(v) - mean[j]) / std[j])
				}
			}
		}
	}
}

func checkFeatures(cfg Config) (*CheckReport, error) {
	p, err := resolve("features", cfg)
	if err != nil {
		return nil, err
	}
	t, missing, bad, err := readFeatures(cfg.Root, p.String("modalities"))
	if err != nil {
		return nil, err
	}
	rep := &CheckReport{Counts: map[string]map[string]int{}, Missing: missing, Bad: bad}
	if t.labels != nil && t.split != nil {
		for i, y := range t.labels {
			name := strconv.Itoa(y)
			if y < len(t.classes) {
				name = t.classes[y]
			}
			addCount(rep, t.split[i], name)
		}
	}
	return rep, nil
}

// sqrtOr1 is the square root of v, or 1 when that is 0.
func sqrtOr1(v float64) float64 {
	if s := math.Sqrt(v); s > 0 {
		return s
	}
	return 1
}
