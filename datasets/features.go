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

const featuresDoc = `features: precomputed embeddings, one file per modality. This is how
embeddings from any backbone (audio, image, text, ...) enter miebench, and
how image-text sets are used.

Layout (root: PATH is required):
    PATH/<modality>.<ext>  shape [N, D] or [N, d1, d2, ...], floating point
                           (float16, bfloat16 and float64 are converted to
                           float32); one file per modality, at least 2
    PATH/labels.<ext>      integer class indices, shape [N] or [N, 1]
    PATH/split.txt         N lines, line i is "train", "val" or "test": the
                           split of sample i (blank lines and lines starting
                           with # are ignored)
    PATH/classes.txt       optional: class names, line k names class k
                           (default "0", "1", ..., up to the largest label)
File formats, chosen by the extension <ext>:
    .npy          NumPy array (numpy.save)
    .npz          NumPy archive (numpy.savez, savez_compressed): its one
                  array, or the array named like the file when it has several
    .safetensors  Hugging Face safetensors: its one tensor, or the one named
                  like the file
    .pt           torch.save (PyTorch 1.6+ zip format) of a tensor or of a
                  dict of tensors (the entry named like the file)
    .csv, .tsv    delimited text, one sample per row, fields separated by
                  commas or tabs (UCI multi-view style); an all-text first
                  row is a header; labels: one integer per row. UCI's
                  space-separated files (mfeat-*) become .tsv with
                  tr -s ' ' '\t' < mfeat-fou > fou.tsv
Row i of every file is sample i. Modalities are all such files other than
labels, classes and split, in sorted name order, unless the modalities
parameter gives the names (and order) to use, e.g. "image,text". A name
present with two extensions is an error. NaN or Inf anywhere is an error
naming the file, the split and the first sample.

Preprocessing: by default every feature dimension is standardised with the
training split's mean and standard deviation (as av-digits does; raw
embeddings of very different scales make every method train poorly);
standardize: false keeps the raw values.
If split.txt names no validation sample, a validation split is carved from
train: val_fraction of every class, chosen by the data seed (stratified).
Modalities: kind "features", shape = the array shape without N.
License: whatever the user's data carries.`

func init() {
	Register(Builder{
		Name: "features",
		Doc:  featuresDoc,
		Params: []ParamSpec{
			{Name: "modalities", Default: "", Doc: `comma-separated modality names (file stems) in order; "" = every feature file but labels, sorted`},
			{Name: "val_fraction", Default: 0.1, Doc: "fraction of each class of train carved out for validation when split.txt has no val lines"},
			{Name: "standardize", Default: true, Doc: "standardise each feature dimension with the training split's mean and std (false keeps raw values)"},
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
	files   []string // the file of each modality
	dtypes  []string // each modality file's element type
	x       []*nn.Tensor
	labels  []int
	split   []string
	classes []string
}

// reservedStems are the file stems of a features tree that are never
// modalities.
var reservedStems = []string{"labels", "classes", "split"}

// featureFiles maps each file stem of root with a feature extension to
// its file names.
func featureFiles(root string) (map[string][]string, error) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("dataset features: %w", err)
	}
	out := map[string][]string{}
	for _, e := range ents {
		if e.IsDir() || !loaders.IsFeatureFile(e.Name()) {
			continue
		}
		stem := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
		out[stem] = append(out[stem], e.Name())
	}
	return out, nil
}

// featureFile returns the one file of stem, or an error when there is none
// or several.
func featureFile(root, stem string, files map[string][]string) (string, error) {
	switch names := files[stem]; len(names) {
	case 0:
		return "", fmt.Errorf("%s: no %s file (want %s.npy, or one of %s)", root, stem, stem, strings.Join(loaders.FeatureExts, " "))
	case 1:
		return filepath.Join(root, names[0]), nil
	default:
		return "", fmt.Errorf("%s: %s is present as %v: keep one", root, stem, names)
	}
}

// featureModalities lists the modality names of root and their files.
func featureModalities(root, param string, files map[string][]string) ([]string, []string, error) {
	var names []string
	if s := strings.TrimSpace(param); s != "" {
		for _, n := range strings.Split(s, ",") {
			n = strings.TrimSpace(n)
			if n == "" || slices.Contains(reservedStems, n) || slices.Contains(names, n) {
				return nil, nil, fmt.Errorf("dataset features: parameter \"modalities\" is %q: want distinct names other than %v", param, reservedStems)
			}
			names = append(names, n)
		}
		if len(names) < 2 {
			return nil, nil, fmt.Errorf("dataset features: parameter \"modalities\" is %q: want at least 2 names", param)
		}
	} else {
		for stem := range files {
			if !slices.Contains(reservedStems, stem) {
				names = append(names, stem)
			}
		}
		sort.Strings(names)
		if len(names) < 2 {
			return nil, nil, fmt.Errorf("dataset features: %s has %d modality files (%v), want at least 2 (formats: %s)", root, len(names), names, strings.Join(loaders.FeatureExts, " "))
		}
	}
	paths := make([]string, len(names))
	for i, n := range names {
		p, err := featureFile(root, n, files)
		if err != nil {
			return nil, nil, fmt.Errorf("dataset features: %w", err)
		}
		paths[i] = p
	}
	return names, paths, nil
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
	files, err := featureFiles(root)
	if err != nil {
		return nil, nil, nil, err
	}
	names, paths, err := featureModalities(root, modParam, files)
	if err != nil {
		return nil, nil, nil, err
	}
	t := &featuresTree{names: names, files: paths}
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
	for m, name := range names {
		p := paths[m]
		x, dtype, err := loaders.ReadFeatureFile(p, name)
		t.dtypes = append(t.dtypes, dtype)
		if err != nil {
			// The loaders' errors already name the file.
			bad = append(bad, err.Error())
			t.x = append(t.x, nil)
			continue
		}
		if len(x.Shape) < 2 {
			err = fmt.Errorf("shape %v (%s), want [N, D...]", x.Shape, dtype)
		} else if n >= 0 && x.Shape[0] != n {
			err = fmt.Errorf("%d rows, but %s has %d", x.Shape[0], filepath.Base(paths[0]), n)
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
	if lp, err := featureFile(root, "labels", files); err != nil {
		if len(files["labels"]) == 0 {
			missing = append(missing, filepath.Join(root, "labels.npy"))
		} else {
			bad = append(bad, err.Error())
		}
	} else if t.labels, err = loaders.ReadLabelFile(lp, "labels"); err != nil {
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
	bad = append(bad, t.nonFinite()...)
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

// nonFinite counts the NaN and Inf values of every modality per split
// (over all samples when the split file is unusable) and describes each
// modality and split that has any, naming the first sample.
func (t *featuresTree) nonFinite() []string {
	var out []string
	for m, x := range t.x {
		if x == nil {
			continue
		}
		type count struct{ nans, infs, first int }
		per := map[string]*count{}
		var order []string
		for i := range x.Rows() {
			nans, infs := loaders.CountNonFinite(x.Row(i))
			if nans+infs == 0 {
				continue
			}
			s := "(all samples)"
			if t.split != nil {
				s = t.split[i]
			}
			c, ok := per[s]
			if !ok {
				c = &count{first: i}
				per[s] = c
				order = append(order, s)
			}
			c.nans += nans
			c.infs += infs
		}
		sort.Slice(order, func(i, j int) bool { return slices.Index(SplitNames, order[i]) < slices.Index(SplitNames, order[j]) })
		for _, s := range order {
			c := per[s]
			out = append(out, fmt.Sprintf("%s: %d NaN and %d Inf values in split %s (first in sample %d): non-finite features are refused", t.files[m], c.nans, c.infs, s, c.first))
		}
	}
	return out
}

func openFeatures(cfg Config) (Dataset, error) {
	p, err := resolve("features", cfg)
	if err != nil {
		return nil, err
	}
	return openFeaturesAs("features", cfg, p)
}

// openFeaturesAs opens a features tree under the dataset name name with
// resolved features parameters p.
func openFeaturesAs(name string, cfg Config, p Params) (Dataset, error) {
	frac := p.Float("val_fraction")
	if !(frac >= 0 && frac < 1) {
		return nil, fmt.Errorf("dataset %s: parameter \"val_fraction\" is %v, want in [0, 1)", name, frac)
	}
	t, missing, bad, err := readFeatures(cfg.Root, p.String("modalities"))
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("dataset %s: missing %s", name, missing[0])
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("dataset %s: %s", name, bad[0])
	}
	if len(t.classes) < 2 {
		return nil, fmt.Errorf("dataset %s: %s has %d classes, want at least 2", name, cfg.Root, len(t.classes))
	}
	members := map[string][]int{}
	for i, s := range t.split {
		members[s] = append(members[s], i)
	}
	if len(members["val"]) == 0 {
		members["train"], members["val"] = carveStratified(members["train"], t.labels, frac, rngs.Stream(cfg.Seed, "features/val"))
	}
	info := Info{Name: name, Classes: t.classes}
	for m, name := range t.names {
		info.Modalities = append(info.Modalities, Modality{Name: name, Kind: "features", Shape: slices.Clone(t.x[m].Shape[1:])})
	}
	d := &memDataset{info: info, splits: map[string]Split{}}
	for _, split := range SplitNames {
		idx := members[split]
		if len(idx) == 0 {
			return nil, fmt.Errorf("dataset %s: split %s is empty (%s)", name, split, filepath.Join(cfg.Root, "split.txt"))
		}
		d.splits[split] = gatherSplit(t.x, t.labels, idx)
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
	return checkFeaturesWith(cfg, p)
}

// checkFeaturesWith checks a features tree with resolved features
// parameters p.
func checkFeaturesWith(cfg Config, p Params) (*CheckReport, error) {
	t, missing, bad, err := readFeatures(cfg.Root, p.String("modalities"))
	if err != nil {
		return nil, err
	}
	rep := &CheckReport{Counts: map[string]map[string]int{}, Missing: missing, Bad: bad}
	for m, name := range t.names {
		if x := t.x[m]; x != nil {
			rep.Details = append(rep.Details, fmt.Sprintf("modality %s: %s, %d samples of shape %v, dtype %s", name, filepath.Base(t.files[m]), x.Shape[0], x.Shape[1:], t.dtypes[m]))
		}
	}
	if t.labels == nil || t.split == nil {
		return rep, nil
	}
	perClass := make([]map[string]int, len(t.classes))
	for i, y := range t.labels {
		name := strconv.Itoa(y)
		if y < len(t.classes) {
			name = t.classes[y]
			if perClass[y] == nil {
				perClass[y] = map[string]int{}
			}
			perClass[y][t.split[i]]++
		}
		addCount(rep, t.split[i], name)
	}
	for k, c := range t.classes {
		switch {
		case perClass[k] == nil:
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("class %d (%s) has no samples", k, c))
		case perClass[k]["train"] == 0:
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("class %d (%s) has no training samples", k, c))
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
