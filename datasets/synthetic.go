package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/miebench/miebench/internal/rngs"
	"github.com/miebench/miebench/nn"
)

const syntheticDoc = `synthetic: Gaussian class clusters generated in memory, one feature vector
per modality, so that modality imbalance can be dialled exactly for tests and
studies. No files; nothing to check.

Generation (all from the data seed; the same seed gives the same data):
  For each modality m and class k a prototype p[m][k] of unit length in R^dim[m]:
  the prototypes of one modality are orthonormal when classes <= dim[m]
  (Gram-Schmidt on Gaussian vectors), otherwise independent random unit
  vectors. A sample of class y has, for each modality,
      x_m = strength[m] * p[m][y] + noise[m] * N(0, I).
  Labels are balanced (sizes rounded: sample i of a split has class i mod
  classes before a seeded shuffle). The prototypes are shared by the three
  splits; the noise of each split comes from its own stream.

Separability: with orthonormal prototypes the Bayes (nearest-prototype)
accuracy of modality m alone is the integral of phi(z) Phi(z + s)^(C-1) dz
with s = strength/noise and C classes: for C = 4, s = 3 gives 95.6%, s = 1.5
gives 70.2%, s = 1 gives 55.2% (chance 25%). The defaults therefore make m0
the strong modality and m1 a weak one that is still well above chance alone.

Modalities: "m0", "m1", ..., kind "features", shape [dim[m]]; with image
true, kind "image", shape [1, s, s] with dim[m] = s*s (the same numbers
laid out as one-channel images, for encoders with stages such as cnn).
Splits: train, val, test of the given sizes.
List parameters take one value per modality, or a single value for all
(on the command line: strength=3,1.5).`

func init() {
	Register(Builder{
		Name: "synthetic",
		Doc:  syntheticDoc,
		Params: []ParamSpec{
			{Name: "modalities", Default: 2, Doc: "number of modalities M (at least 2), named m0, m1, ..."},
			{Name: "classes", Default: 4, Doc: "number of classes (at least 2)"},
			{Name: "train", Default: 1000, Doc: "training samples"},
			{Name: "val", Default: 200, Doc: "validation samples"},
			{Name: "test", Default: 500, Doc: "test samples"},
			{Name: "dim", Default: []int{16}, Doc: "feature dimension per modality (one value, or one per modality)"},
			{Name: "strength", Default: []float64{3.0, 1.5}, Doc: "signal strength per modality: length of the class prototype"},
			{Name: "noise", Default: []float64{1.0}, Doc: "standard deviation of the isotropic Gaussian noise per modality"},
			{Name: "image", Default: false, Doc: "lay each modality out as a one-channel square image [1, s, s] (dim must be s*s)"},
		},
		Open: openSynthetic,
	})
}

// syntheticSpec is the resolved generation recipe of a synthetic dataset.
type syntheticSpec struct {
	modalities, classes int
	sizes               map[string]int
	dim                 []int
	strength, noise     []float64
	image               bool
}

func parseSynthetic(cfg Config) (*syntheticSpec, error) {
	p, err := resolve("synthetic", cfg)
	if err != nil {
		return nil, err
	}
	s := &syntheticSpec{modalities: p.Int("modalities"), classes: p.Int("classes"), sizes: map[string]int{}}
	if s.modalities < 2 {
		return nil, fmt.Errorf("dataset synthetic: parameter \"modalities\" is %d, want at least 2", s.modalities)
	}
	if s.classes < 2 {
		return nil, fmt.Errorf("dataset synthetic: parameter \"classes\" is %d, want at least 2", s.classes)
	}
	for _, name := range SplitNames {
		n := p.Int(name)
		if n < 1 {
			return nil, fmt.Errorf("dataset synthetic: parameter %q is %d, want at least 1", name, n)
		}
		s.sizes[name] = n
	}
	if s.dim, err = perModality("synthetic", "dim", p.Ints("dim"), s.modalities); err != nil {
		return nil, err
	}
	if s.strength, err = perModality("synthetic", "strength", p.Floats("strength"), s.modalities); err != nil {
		return nil, err
	}
	if s.noise, err = perModality("synthetic", "noise", p.Floats("noise"), s.modalities); err != nil {
		return nil, err
	}
	for m := range s.modalities {
		if s.dim[m] < 1 {
			return nil, fmt.Errorf("dataset synthetic: parameter \"dim\" for modality %d is %d, want at least 1", m, s.dim[m])
		}
		if side := int(math.Round(math.Sqrt(float64(s.dim[m])))); p.Bool("image") && side*side != s.dim[m] {
			return nil, fmt.Errorf("dataset synthetic: parameter \"image\" needs square dims, modality %d has dim %d", m, s.dim[m])
		}
		if s.noise[m] < 0 || math.IsNaN(s.noise[m]) || math.IsNaN(s.strength[m]) {
			return nil, fmt.Errorf("dataset synthetic: modality %d has strength %v and noise %v; noise must be >= 0 and both numbers", m, s.strength[m], s.noise[m])
		}
	}
	s.image = p.Bool("image")
	return s, nil
}

func openSynthetic(cfg Config) (Dataset, error) {
	s, err := parseSynthetic(cfg)
	if err != nil {
		return nil, err
	}
	info := Info{Name: "synthetic", Classes: make([]string, s.classes)}
	for k := range s.classes {
		info.Classes[k] = fmt.Sprintf("c%d", k)
	}
	for m := range s.modalities {
		mod := Modality{Name: fmt.Sprintf("m%d", m), Kind: "features", Shape: []int{s.dim[m]}}
		if s.image {
			side := int(math.Round(math.Sqrt(float64(s.dim[m]))))
			mod.Kind, mod.Shape = "image", []int{1, side, side}
		}
		info.Modalities = append(info.Modalities, mod)
	}
	protoRNG := rngs.Stream(cfg.Seed, "synthetic/prototypes")
	protos := make([][][]float64, s.modalities)
	for m := range s.modalities {
		protos[m] = prototypes(protoRNG, s.classes, s.dim[m])
	}
	d := &memDataset{info: info, splits: map[string]Split{}}
	for _, name := range SplitNames {
		n := s.sizes[name]
		labels := balancedLabels(n, s.classes, rngs.Stream(cfg.Seed, "synthetic/labels/"+name))
		rng := rngs.Stream(cfg.Seed, "synthetic/samples/"+name)
		x := make([]*nn.Tensor, s.modalities)
		for m := range s.modalities {
			x[m] = nn.NewTensor(n, s.dim[m])
		}
		for i, y := range labels {
			for m := range s.modalities {
				row := x[m].Row(i)
				for j := range row {
					row[j] = float32(s.strength[m]*protos[m][y][j] + s.noise[m]*rng.NormFloat64())
				}
			}
		}
		d.splits[name] = &memSplit{labels: labels, x: x}
	}
	return d, nil
}

// prototypes returns classes unit vectors in R^dim: orthonormal when
// classes <= dim (Gram-Schmidt on Gaussian draws), else independent random
// directions.
func prototypes(rng *rand.Rand, classes, dim int) [][]float64 {
	out := make([][]float64, classes)
	for k := range out {
		for {
			v := make([]float64, dim)
			for j := range v {
				v[j] = rng.NormFloat64()
			}
			if classes <= dim {
				for _, u := range out[:k] {
					var dot float64
					for j := range v {
						dot += v[j] * u[j]
					}
					for j := range v {
						v[j] -= dot * u[j]
					}
				}
			}
			var norm float64
			for _, a := range v {
				norm += a * a
			}
			norm = math.Sqrt(norm)
			if norm < 1e-6 {
				continue // degenerate draw; draw again
			}
			for j := range v {
				v[j] /= norm
			}
			out[k] = v
			break
		}
	}
	return out
}

// balancedLabels returns n labels with class counts differing by at most
// one, in an order shuffled by rng.
func balancedLabels(n, classes int, rng *rand.Rand) []int {
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % classes
	}
	rng.Shuffle(n, func(i, j int) { labels[i], labels[j] = labels[j], labels[i] })
	return labels
}
