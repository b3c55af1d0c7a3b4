package datasets

import (
	"fmt"
	"sync"

	"github.com/miebench/miebench/internal/rngs"
	"github.com/miebench/miebench/loaders"
	"github.com/miebench/miebench/nn"
)

// avDigitsCorruptions are av-digits' modality-specific corruptions, each
// applied on top of the dataset's own degradations (audio_snr_db,
// image_resolution, image_occlusion, image_noise).
var avDigitsCorruptions = []Corruption{
	{Modality: "audio", Name: "snr_db", Decreasing: true, Min: -30, Max: 60,
		Levels: "signal-to-noise ratio in dB of white Gaussian noise added to the fitted waveform before the spectrogram, in [-30, 60], listed from high (mild) to low (severe)"},
	{Modality: "visual", Name: "occlusion", Min: 0, Max: 1,
		Levels: "fraction of the 28x28 image covered by a black square (pixel value 0) at a uniform position, in [0, 1]"},
	{Modality: "visual", Name: "pixel_noise", Min: 0, Max: 10,
		Levels: "standard deviation of Gaussian noise added to the pixels, in units of the [0, 1] pixel scale, in [0, 10]"},
}

// avDigitsData is an opened av-digits: its in-memory splits and what its
// corruptions need to recompute or rescale a split's inputs.
type avDigitsData struct {
	*memDataset
	src    source
	params *avParams
	seed   uint64                // data seed (the dataset's own noise)
	mem    map[string]*memSplit  // the stored splits (train without fresh noise)
	files  map[string][]fsddClip // every split's recordings, in sample order
	norm   [2][2]float64         // per modality the (mean, std) of standardisation; (0, 1) without

	// audioMemo keeps the recomputed spectrograms of the last few audio
	// corruptions: every run of a suite with the same seed asks for the
	// same ones, and recomputing 300 spectrograms per level costs about as
	// much as evaluating the model.
	audioMu    sync.Mutex
	audioMemo  map[audioCorruptionKey]*audioCorruption
	audioOrder []audioCorruptionKey
}

// audioCorruptionKey identifies one audio corruption of a split.
type audioCorruptionKey struct {
	split, stream string
	level         float64
	seed          uint64
}

// audioCorruption is a memoised audio corruption, computed once.
type audioCorruption struct {
	once sync.Once
	x    *nn.Tensor
	err  error
}

// audioMemoMax bounds the memoised audio corruptions (3 MB each for the
// default test split: three levels of three seeds).
const audioMemoMax = 9

// Corrupt implements Corrupter. A sample's randomness is
// rngs.Stream(seed, stream+"/"+its FSDD file name).
func (d *avDigitsData) Corrupt(split, modality, name string, level float64, seed uint64, stream string) (Split, error) {
	s, ok := d.mem[split]
	if !ok {
		return nil, fmt.Errorf("dataset av-digits: no split %q (valid: train, val, test)", split)
	}
	c, err := FindCorruption("av-digits", modality, name)
	if err != nil {
		return nil, err
	}
	if err := c.CheckLevels([]float64{level}); err != nil {
		return nil, fmt.Errorf("dataset av-digits: corruption %s.%s: %w", modality, name, err)
	}
	files := d.files[split]
	out := &memSplit{labels: s.labels, x: append([]*nn.Tensor(nil), s.x...), skipped: s.skipped}
	rng := func(i int) string { return stream + "/" + files[i].file }
	switch modality + "." + name {
	case "audio.snr_db":
		x, err := d.memoAudio(audioCorruptionKey{split: split, stream: stream, level: level, seed: seed}, files)
		if err != nil {
			return nil, err
		}
		out.x[0] = x
	case "visual.occlusion", "visual.pixel_noise":
		x := s.x[1].Clone()
		mean, std := d.norm[1][0], d.norm[1][1]
		for i := range files {
			row, r := x.Row(i), rngs.Stream(seed, rng(i))
			if name == "occlusion" {
				occlude(row, mnistSide, level, float32((0-mean)/std), r)
			} else {
				addGaussian(row, level/std, r)
			}
		}
		out.x[1] = x
	}
	return out, nil
}

// memoAudio returns noisyAudio's spectrograms for k, computing them once
// while they stay among the last audioMemoMax asked for. The tensor is
// shared: callers copy rows out of it (memSplit.Load) and never write it.
func (d *avDigitsData) memoAudio(k audioCorruptionKey, files []fsddClip) (*nn.Tensor, error) {
	d.audioMu.Lock()
	e, ok := d.audioMemo[k]
	if !ok {
		if d.audioMemo == nil {
			d.audioMemo = map[audioCorruptionKey]*audioCorruption{}
		}
		if len(d.audioOrder) == audioMemoMax {
			delete(d.audioMemo, d.audioOrder[0])
			d.audioOrder = d.audioOrder[1:]
		}
		e = &audioCorruption{}
		d.audioMemo[k] = e
		d.audioOrder = append(d.audioOrder, k)
	}
	d.audioMu.Unlock()
	e.once.Do(func() { e.x, e.err = d.noisyAudio(files, k.level, k.seed, k.stream) })
	return e.x, e.err
}

// noisyAudio recomputes the spectrograms of files with white noise at snrDB
// added to each fitted (and already audio_snr_db-degraded) waveform, then
// standardises them as the dataset does. Clips are computed in parallel,
// each from its own stream.
func (d *avDigitsData) noisyAudio(files []fsddClip, snrDB float64, seed uint64, stream string) (*nn.Tensor, error) {
	a := d.params
	cfg := loaders.SpectrogramConfig{NFFT: a.nfft, Hop: a.hop, Mels: a.mels, Rate: a.rate}
	want := []int{a.bins(), a.frames()}
	x := nn.NewTensor(len(files), 1, want[0], want[1])
	errs := make([]error, len(files))
	mean, std := d.norm[0][0], d.norm[0][1]
	parallelFor(len(files), func(i int) {
		c := files[i]
		raw, err := d.src.readFile(fsddDir + "/" + c.file)
		if err != nil {
			errs[i] = fmt.Errorf("%s: %w", d.src.path(fsddDir+"/"+c.file), err)
			return
		}
		spec, err := clipSpectrogram(d.src, c, raw, cfg, a, d.seed, want, func(w []float32) {
			addNoiseSNR(w, snrDB, rngs.Stream(seed, stream+"/"+c.file))
		})
		if err != nil {
			errs[i] = err
			return
		}
		row := x.Row(i)
		for k, v := range spec {
			row[k] = float32((float64(v) - mean) / std)
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("dataset av-digits: corruption audio.snr_db: %w", err)
		}
	}
	return x, nil
}
