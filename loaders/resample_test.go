package loaders

import (
	"math"
	"testing"
)

func tone(freq float64, rate, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(math.Sin(2 * math.Pi * freq * float64(i) / float64(rate)))
	}
	return x
}

// rmsMiddle is the root mean square of x without its first and last
// quarter, where edge effects of the zero-padded filter live.
func rmsMiddle(x []float32) float64 {
	a, b := len(x)/4, 3*len(x)/4
	var s float64
	for _, v := range x[a:b] {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(b-a))
}

// dftPeak returns the frequency in Hz of the largest naive-DFT magnitude of
// the middle half of x, scanning bins of width rate/len.
func dftPeak(x []float32, rate int) float64 {
	seg := x[len(x)/4 : 3*len(x)/4]
	n := len(seg)
	best, bestK := -1.0, 0
	for k := 1; k < n/2; k++ {
		// Rotate a unit phasor instead of calling sin/cos per term.
		step := complex(math.Cos(2*math.Pi*float64(k)/float64(n)), -math.Sin(2*math.Pi*float64(k)/float64(n)))
		z, acc := complex(1, 0), complex(0, 0)
		for _, v := range seg {
			acc += complex(float64(v), 0) * z
			z *= step
		}
		if m := math.Hypot(real(acc), imag(acc)); m > best {
			best, bestK = m, k
		}
	}
	return float64(bestK) * float64(rate) / float64(n)
}

func TestResampleIdentityIsCopy(t *testing.T) {
	x := []float32{1, -2, 3}
	y := Resample(x, 16000, 16000)
	y[0] = 9
	if x[0] != 1 || len(y) != 3 || y[1] != -2 || y[2] != 3 {
		t.Fatalf("identity resample is not an independent copy: x %v y %v", x, y)
	}
}

func TestResampleLength(t *testing.T) {
	cases := []struct{ n, from, to, want int }{
		{8000, 8000, 22050, 22050},
		{1, 8000, 22050, 3},
		{100, 44100, 22050, 50},
		{101, 44100, 22050, 51},
		{7, 3, 2, 5},
	}
	for _, c := range cases {
		if got := len(Resample(make([]float32, c.n), c.from, c.to)); got != c.want {
			t.Errorf("%d samples %d->%d Hz: %d outputs, want %d", c.n, c.from, c.to, got, c.want)
		}
	}
}

func TestResampleKeepsTone(t *testing.T) {
	cases := []struct {
		from, to int
		freq     float64
		n        int
	}{
		{8000, 22050, 1000, 4000},
		{22050, 8000, 3000, 11025},
		{44100, 16000, 440, 22050},
		{16000, 22050, 5000, 8000},
		// gcd 1: 22,050 phases x 270 taps exceed the table bound, so the
		// kernel is evaluated directly.
		{44101, 22050, 1000, 8000},
	}
	for _, c := range cases {
		x := tone(c.freq, c.from, c.n)
		y := Resample(x, c.from, c.to)
		want := tone(c.freq, c.to, len(y))
		var maxErr float64
		for i := len(y) / 4; i < 3*len(y)/4; i++ {
			maxErr = math.Max(maxErr, math.Abs(float64(y[i]-want[i])))
		}
		if maxErr > 2e-3 {
			t.Errorf("%v Hz tone %d->%d Hz: max deviation from the ideal sine %.2g", c.freq, c.from, c.to, maxErr)
		}
		if p := dftPeak(y, c.to); math.Abs(p-c.freq) > 2*float64(c.to)/float64(len(y)/2) {
			t.Errorf("%v Hz tone %d->%d Hz: DFT peak at %v Hz", c.freq, c.from, c.to, p)
		}
	}
}

func TestResampleRejectsAboveNyquist(t *testing.T) {
	// Downsampling 22,050 -> 8,000 Hz: the new Nyquist frequency is 4 kHz;
	// tones above it would alias back into the band.
	cases := []struct {
		freq  float64
		maxDB float64
	}{
		{4100, -85},
		{4200, -85},
		{5000, -95},
		{7000, -95},
		{10000, -95},
	}
	for _, c := range cases {
		y := Resample(tone(c.freq, 22050, 11025), 22050, 8000)
		db := 20 * math.Log10(rmsMiddle(y)/math.Sqrt(0.5))
		if db > c.maxDB {
			t.Errorf("%v Hz tone: attenuated to %.1f dB, want below %v dB", c.freq, db, c.maxDB)
		}
	}
	// The pass band keeps its level.
	for _, f := range []float64{1000, 3000, 3500} {
		y := Resample(tone(f, 22050, 11025), 22050, 8000)
		if db := 20 * math.Log10(rmsMiddle(y)/math.Sqrt(0.5)); math.Abs(db) > 0.01 {
			t.Errorf("%v Hz tone: level %.3f dB, want 0", f, db)
		}
	}
}

func TestResampleDC(t *testing.T) {
	x := make([]float32, 4000)
	for i := range x {
		x[i] = 0.5
	}
	for _, to := range []int{3000, 11025, 22050} {
		y := Resample(x, 8000, to)
		for i := len(y) / 4; i < 3*len(y)/4; i++ {
			if math.Abs(float64(y[i])-0.5) > 1e-4 {
				t.Fatalf("8000->%d Hz: DC level %v at %d, want 0.5", to, y[i], i)
			}
		}
	}
}

func TestBesselI0(t *testing.T) {
	// Reference values of I0 from Abramowitz & Stegun table 9.8.
	cases := []struct{ x, want float64 }{{0, 1}, {1, 1.2660658778}, {2, 2.2795853023}, {5, 27.239871823}}
	for _, c := range cases {
		if got := besselI0(c.x); math.Abs(got-c.want) > 1e-9*c.want {
			t.Errorf("I0(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

func TestFitLength(t *testing.T) {
	cases := []struct {
		x    []float32
		n    int
		want []float32
	}{
		{[]float32{1, 2, 3}, 7, []float32{1, 2, 3, 1, 2, 3, 1}},
		{[]float32{1, 2, 3}, 2, []float32{1, 2}},
		{[]float32{1, 2, 3}, 3, []float32{1, 2, 3}},
		{[]float32{4}, 3, []float32{4, 4, 4}},
		{nil, 2, []float32{0, 0}},
		{[]float32{1}, 0, []float32{}},
	}
	for _, c := range cases {
		got := FitLength(c.x, c.n)
		if len(got) != len(c.want) {
			t.Errorf("FitLength(%v, %d) = %v, want %v", c.x, c.n, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("FitLength(%v, %d) = %v, want %v", c.x, c.n, got, c.want)
				break
			}
		}
	}
}
