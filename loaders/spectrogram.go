package loaders

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/dsp/fourier"

	"github.com/miebench/miebench/nn"
)

// SpectrogramConfig sets up Spectrogram. The zero value of a field means
// its default (see DefaultSpectrogram), except Mels, where 0 means a linear
// frequency axis.
type SpectrogramConfig struct {
	NFFT int // FFT size and window length in samples; default 512
	Hop  int // hop between frame centres in samples; default 353
	// Mels is the number of mel bands; 0 gives the linear-frequency
	// magnitude spectrogram with NFFT/2+1 rows.
	Mels int
	// Rate is the sample rate in Hz; needed only for the mel filterbank.
	Rate int
	// LogOffset is added to the magnitude before the natural log; default 1e-7.
	LogOffset float64
}

// DefaultSpectrogram returns the OGM-GE spectrogram configuration for
// audio at the given sample rate: n_fft 512, hop 353, linear frequency,
// log offset 1e-7. At 22,050 Hz a 3 s clip gives 257 x 188.
func DefaultSpectrogram(rate int) SpectrogramConfig {
	return SpectrogramConfig{NFFT: 512, Hop: 353, Rate: rate, LogOffset: 1e-7}
}

// withDefaults fills zero fields with the defaults.
func (c SpectrogramConfig) withDefaults() SpectrogramConfig {
	if c.NFFT == 0 {
		c.NFFT = 512
	}
	if c.Hop == 0 {
		c.Hop = 353
	}
	if c.LogOffset == 0 {
		c.LogOffset = 1e-7
	}
	return c
}

// Frames is the number of STFT frames Spectrogram produces for n samples
// with hop hop: 1 + n/hop (centred frames).
func Frames(n, hop int) int { return 1 + n/hop }

// Spectrogram returns log(|STFT(x)| + LogOffset) as a [F, T] tensor, F =
// NFFT/2+1 frequency rows (or Mels rows) and T = 1 + len(x)/Hop frames.
//
// Conventions (librosa.stft / torch.stft with center=True, pad_mode
// "reflect"): x is padded by NFFT/2 samples on each side by reflection
// about its end samples (repeated reflection if x is shorter than the
// pad, as numpy.pad does); frame t covers padded samples [t*Hop,
// t*Hop+NFFT), so it is centred on x[t*Hop]; each frame is multiplied by
// the periodic Hann window w[n] = 0.5 - 0.5 cos(2 pi n / NFFT) and
// transformed with gonum's real FFT, no normalisation. |STFT| is the
// magnitude (not the power).
//
// With Mels > 0, the magnitude spectrum is first multiplied by a
// triangular mel filterbank (see MelFilterbank: HTK mel scale, 0 Hz to
// Rate/2, filters peaking at 1, no area normalisation), giving [Mels, T].
func Spectrogram(x []float32, cfg SpectrogramConfig) (*nn.Tensor, error) {
	cfg = cfg.withDefaults()
	switch {
	case len(x) == 0:
		return nil, errors.New("loaders: spectrogram of an empty signal")
	case cfg.NFFT < 2 || cfg.NFFT%2 != 0:
		return nil, fmt.Errorf("loaders: spectrogram NFFT %d must be even and >= 2", cfg.NFFT)
	case cfg.Hop < 1:
		return nil, fmt.Errorf("loaders: spectrogram hop %d must be >= 1", cfg.Hop)
	case cfg.Mels < 0:
		return nil, fmt.Errorf("loaders: spectrogram mel count %d is negative", cfg.Mels)
	case cfg.LogOffset <= 0:
		return nil, fmt.Errorf("loaders: spectrogram log offset %g must be > 0", cfg.LogOffset)
	}
	var bank [][]float64
	if cfg.Mels > 0 {
		var err error
		if bank, err = MelFilterbank(cfg.Mels, cfg.NFFT, cfg.Rate); err != nil {
			return nil, err
		}
	}
	nfft, hop := cfg.NFFT, cfg.Hop
	pad := nfft / 2
	padded := make([]float64, len(x)+2*pad)
	for i := range padded {
		padded[i] = float64(x[reflectIndex(i-pad, len(x))])
	}
	window := make([]float64, nfft)
	for i := range window {
		window[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(nfft))
	}
	nf := nfft/2 + 1
	nt := Frames(len(x), hop)
	rows := nf
	if bank != nil {
		rows = cfg.Mels
	}
	out := nn.NewTensor(rows, nt)
	fft := fourier.NewFFT(nfft)
	frame := make([]float64, nfft)
	coef := make([]complex128, nf)
	mag := make([]float64, nf)
	for t := range nt {
		seg := padded[t*hop : t*hop+nfft]
		for i := range frame {
			frame[i] = seg[i] * window[i]
		}
		coef = fft.Coefficients(coef, frame)
		for k, c := range coef {
			mag[k] = math.Hypot(real(c), imag(c))
		}
		if bank == nil {
			for k := range nf {
				out.Data[k*nt+t] = float32(math.Log(mag[k] + cfg.LogOffset))
			}
			continue
		}
		for m, filt := range bank {
			var s float64
			for k, w := range filt {
				s += w * mag[k]
			}
			out.Data[m*nt+t] = float32(math.Log(s + cfg.LogOffset))
		}
	}
	return out, nil
}

// reflectIndex maps index i of a signal of length n extended by reflection
// about its end samples (x[-1] = x[1], x[n] = x[n-2]) back into [0, n).
func reflectIndex(i, n int) int {
	if n == 1 {
		return 0
	}
	period := 2 * (n - 1)
	i %= period
	if i < 0 {
		i += period
	}
	if i >= n {
		i = period - i
	}
	return i
}

// HzToMel converts frequency in Hz to the HTK mel scale,
// 2595 log10(1 + f/700).
func HzToMel(f float64) float64 { return 2595 * math.Log10(1+f/700) }

// MelToHz is the inverse of HzToMel.
func MelToHz(m float64) float64 { return 700 * (math.Pow(10, m/2595) - 1) }

// MelFilterbank returns mels triangular filters over the nfft/2+1 bins of
// an nfft-point spectrum at sample rate rate: filter m rises linearly from
// 0 at edge m to 1 at edge m+1 and falls back to 0 at edge m+2, where the
// mels+2 edges are equally spaced on the HTK mel scale from 0 Hz to rate/2
// and bin k sits at k*rate/nfft Hz (the torchaudio melscale_fbanks
// convention with mel_scale "htk" and norm None).
func MelFilterbank(mels, nfft, rate int) ([][]float64, error) {
	if mels < 1 || nfft < 2 || rate < 1 {
		return nil, fmt.Errorf("loaders: mel filterbank needs mels, nfft and rate >= 1, have %d, %d, %d", mels, nfft, rate)
	}
	nf := nfft/2 + 1
	top := HzToMel(float64(rate) / 2)
	edges := make([]float64, mels+2)
	for i := range edges {
		edges[i] = MelToHz(top * float64(i) / float64(mels+1))
	}
	bank := make([][]float64, mels)
	for m := range bank {
		lo, mid, hi := edges[m], edges[m+1], edges[m+2]
		filt := make([]float64, nf)
		for k := range filt {
			f := float64(k) * float64(rate) / float64(nfft)
			up := (f - lo) / (mid - lo)
			down := (hi - f) / (hi - mid)
			filt[k] = math.Max(0, math.Min(up, down))
		}
		bank[m] = filt
	}
	return bank, nil
}
