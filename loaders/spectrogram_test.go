package loaders

import (
	"math"
	"testing"
)

func TestSpectrogramShape(t *testing.T) {
	cases := []struct {
		n    int
		cfg  SpectrogramConfig
		f, t int
	}{
		{3 * 22050, DefaultSpectrogram(22050), 257, 188},
		{3 * 22050, SpectrogramConfig{}, 257, 188},
		{353, SpectrogramConfig{}, 257, 2},
		{352, SpectrogramConfig{}, 257, 1},
		{16000, SpectrogramConfig{NFFT: 400, Hop: 160, Mels: 64, Rate: 16000}, 64, 101},
		{5, SpectrogramConfig{NFFT: 8, Hop: 2}, 5, 3},
	}
	for _, c := range cases {
		s, err := Spectrogram(make([]float32, c.n), c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Shape) != 2 || s.Shape[0] != c.f || s.Shape[1] != c.t {
			t.Errorf("%d samples, %+v: shape %v, want [%d %d]", c.n, c.cfg, s.Shape, c.f, c.t)
		}
	}
}

func TestSpectrogramErrors(t *testing.T) {
	cases := []struct {
		n   int
		cfg SpectrogramConfig
	}{
		{0, SpectrogramConfig{}},
		{10, SpectrogramConfig{NFFT: 7}},
		{10, SpectrogramConfig{Hop: -1}},
		{10, SpectrogramConfig{Mels: -2}},
		{10, SpectrogramConfig{Mels: 4}}, // no rate
		{10, SpectrogramConfig{LogOffset: -1}},
	}
	for _, c := range cases {
		if _, err := Spectrogram(make([]float32, c.n), c.cfg); err == nil {
			t.Errorf("%d samples, %+v: no error", c.n, c.cfg)
		}
	}
}

// naiveSTFTMag computes |STFT| of frame t at bin k straight from the
// definitions: reflect padding by nfft/2 written out with explicit mirror
// arithmetic, periodic Hann window, O(n) DFT sum.
func naiveSTFTMag(x []float32, nfft, hop, t, k int) float64 {
	n := len(x)
	at := func(i int) float64 {
		for i < 0 || i >= n {
			if i < 0 {
				i = -i
			}
			if i >= n {
				i = 2*(n-1) - i
			}
		}
		return float64(x[i])
	}
	var re, im float64
	for j := range nfft {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(j)/float64(nfft))
		v := at(t*hop+j-nfft/2) * w
		a := -2 * math.Pi * float64(k) * float64(j) / float64(nfft)
		re += v * math.Cos(a)
		im += v * math.Sin(a)
	}
	return math.Hypot(re, im)
}

func TestSpectrogramToneAgainstNaiveDFT(t *testing.T) {
	const rate = 22050
	// A tone on bin 40 plus a weaker off-bin tone, 0.5 s.
	x := make([]float32, rate/2)
	for i := range x {
		ti := float64(i) / rate
		x[i] = float32(math.Sin(2*math.Pi*40*rate/512*ti) + 0.3*math.Cos(2*math.Pi*3001.7*ti))
	}
	cfg := DefaultSpectrogram(rate)
	s, err := Spectrogram(x, cfg)
	if err != nil {
		t.Fatal(err)
	}
	nt := s.Shape[1]
	for _, tt := range []int{0, 1, nt / 2, nt - 1} {
		for k := range 257 {
			want := naiveSTFTMag(x, 512, 353, tt, k)
			got := math.Exp(float64(s.Data[k*nt+tt])) - 1e-7
			if math.Abs(got-want) > 1e-5*(1+want) {
				t.Fatalf("frame %d bin %d: |STFT| %v, naive DFT %v", tt, k, got, want)
			}
		}
	}
	// Hand value: a unit sine on bin 40 under a periodic Hann window of 512
	// points has |X[40]| = 512/4 = 128 and |X[39]| = |X[41]| = 64 (the
	// 0.3 cosine at 3001.7 Hz, bin 69.7, leaks less than 1e-3 here).
	mid := nt / 2
	for _, c := range []struct {
		k    int
		want float64
	}{{40, 128}, {39, 64}, {41, 64}} {
		got := math.Exp(float64(s.Data[c.k*nt+mid]))
		if math.Abs(got-c.want) > 0.05 {
			t.Errorf("bin %d: magnitude %v, want %v", c.k, got, c.want)
		}
	}
}

func TestSpectrogramShortSignalAgainstNaiveDFT(t *testing.T) {
	// 100 samples under a 512-point window: the reflect padding of 256 on
	// each side wraps around the signal more than once.
	x := tone(1000, 8000, 100)
	for i := range x {
		x[i] += float32(i%7) * 0.01
	}
	s, err := Spectrogram(x, SpectrogramConfig{NFFT: 512, Hop: 30})
	if err != nil {
		t.Fatal(err)
	}
	nt := s.Shape[1]
	if nt != 4 {
		t.Fatalf("%d frames, want 4", nt)
	}
	for tt := range nt {
		for k := range 257 {
			want := naiveSTFTMag(x, 512, 30, tt, k)
			got := math.Exp(float64(s.Data[k*nt+tt])) - 1e-7
			if math.Abs(got-want) > 1e-5*(1+want) {
				t.Fatalf("frame %d bin %d: |STFT| %v, naive DFT %v", tt, k, got, want)
			}
		}
	}
}

func TestSpectrogramSilence(t *testing.T) {
	s, err := Spectrogram(make([]float32, 1000), SpectrogramConfig{})
	if err != nil {
		t.Fatal(err)
	}
	want := float32(math.Log(1e-7))
	for i, v := range s.Data {
		if v != want {
			t.Fatalf("element %d = %v, want log(1e-7) = %v", i, v, want)
		}
	}
}

func TestReflectIndex(t *testing.T) {
	// numpy.pad([0, 1, 2, 3], 5, "reflect") = [1 2 3 2 1 | 0 1 2 3 | 2 1 0 1 2]
	want := []int{1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2}
	for i, w := range want {
		if got := reflectIndex(i-5, 4); got != w {
			t.Errorf("reflectIndex(%d, 4) = %d, want %d", i-5, got, w)
		}
	}
	if reflectIndex(-3, 1) != 0 || reflectIndex(2, 1) != 0 {
		t.Error("length-1 signal must reflect to index 0")
	}
}

func TestMelScale(t *testing.T) {
	if got := HzToMel(700); math.Abs(got-2595*math.Log10(2)) > 1e-9 {
		t.Errorf("HzToMel(700) = %v", got)
	}
	for _, f := range []float64{0, 100, 1000, 8000} {
		if got := MelToHz(HzToMel(f)); math.Abs(got-f) > 1e-9*(1+f) {
			t.Errorf("MelToHz(HzToMel(%v)) = %v", f, got)
		}
	}
}

func TestMelFilterbank(t *testing.T) {
	const mels, nfft, rate = 10, 64, 8000
	bank, err := MelFilterbank(mels, nfft, rate)
	if err != nil {
		t.Fatal(err)
	}
	top := HzToMel(rate / 2)
	for m, filt := range bank {
		lo := MelToHz(top * float64(m) / (mels + 1))
		mid := MelToHz(top * float64(m+1) / (mels + 1))
		hi := MelToHz(top * float64(m+2) / (mels + 1))
		for k, w := range filt {
			f := float64(k) * rate / nfft
			var want float64
			switch {
			case f > lo && f <= mid:
				want = (f - lo) / (mid - lo)
			case f > mid && f < hi:
				want = (hi - f) / (hi - mid)
			}
			if math.Abs(w-want) > 1e-12 {
				t.Fatalf("filter %d bin %d (%v Hz): weight %v, want %v", m, k, f, w, want)
			}
		}
	}
	if _, err := MelFilterbank(0, 64, 8000); err == nil {
		t.Error("0 mels: no error")
	}
}

func TestLogMelMatchesFilterbankOnMagnitude(t *testing.T) {
	const rate = 16000
	x := tone(1234, rate, 4000)
	lin, err := Spectrogram(x, SpectrogramConfig{NFFT: 256, Hop: 100, LogOffset: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	mel, err := Spectrogram(x, SpectrogramConfig{NFFT: 256, Hop: 100, Mels: 20, Rate: rate, LogOffset: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	bank, _ := MelFilterbank(20, 256, rate)
	nt := lin.Shape[1]
	if mel.Shape[0] != 20 || mel.Shape[1] != nt {
		t.Fatalf("mel shape %v", mel.Shape)
	}
	for tt := range nt {
		for m := range 20 {
			var s float64
			for k, w := range bank[m] {
				s += w * (math.Exp(float64(lin.Data[k*nt+tt])) - 1e-6)
			}
			want := math.Log(s + 1e-6)
			if got := float64(mel.Data[m*nt+tt]); math.Abs(got-want) > 1e-3 {
				t.Fatalf("frame %d mel %d: %v, want %v", tt, m, got, want)
			}
		}
	}
}
