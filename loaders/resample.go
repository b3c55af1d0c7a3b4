package loaders

import (
	"math"
	"sync"
)

// Resampler design. Each output sample is a windowed-sinc interpolation of
// the input: y[n] = sum_k x[k] h(k - t_n) with t_n = n*from/to (in input
// samples) and
//
//	h(u) = fc * sinc(fc*u) * kaiser(u / halfWidth),  fc = resampleRolloff * min(1, to/from)
//
// so the low-pass cut-off (-6 dB) sits at 0.95 min(from, to)/2 Hz and the
// DC gain is 1. The kernel spans resampleZeros zero crossings of the sinc on
// either side, Kaiser window beta resampleBeta. Measured for 22,050 -> 8,000
// Hz: flat (within 0.01 dB) up to 3.5 kHz, -6 dB at 3.8 kHz, -30 dB at 3.9
// kHz and more than 90 dB down from 4 kHz (the new Nyquist frequency) on.
// Samples outside the signal are taken as zero.
const (
	resampleZeros   = 64
	resampleBeta    = 8.6
	resampleRolloff = 0.95
	// resampleTableMax bounds the polyphase coefficient table (float64s).
	resampleTableMax = 1 << 22
)

// resamplePair is a (from, to) rate pair, the key of resampleTables.
type resamplePair struct{ from, to int }

// resampleTables holds Resample's polyphase coefficient tables
// (resamplePair -> []float64), built on first use and never modified.
var resampleTables sync.Map

// Resample converts x from sample rate from to sample rate to (both in Hz,
// both > 0) with a band-limited Kaiser-windowed sinc interpolator whose
// anti-aliasing cut-off is 0.95 * min(from, to)/2. The output has
// ceil(len(x)*to/from) samples. When from == to it returns an exact copy.
// It panics if a rate is not positive.
func Resample(x []float32, from, to int) []float32 {
	if from <= 0 || to <= 0 {
		panic("loaders: Resample with a non-positive rate")
	}
	if from == to || len(x) == 0 {
		return append([]float32(nil), x...)
	}
	g := gcd(from, to)
	up, down := to/g, from/g // output n sits at input time n*down/up
	nOut := int((int64(len(x))*int64(up) + int64(down) - 1) / int64(down))
	fc := resampleRolloff * math.Min(1, float64(to)/float64(from))
	half := float64(resampleZeros) / fc // kernel half-width in input samples
	taps := int(math.Ceil(half))        // taps k - q in [-taps+1, taps]
	width := 2 * taps
	i0beta := besselI0(resampleBeta)
	kernel := func(u float64) float64 {
		if math.Abs(u) >= half {
			return 0
		}
		r := u / half
		w := besselI0(resampleBeta*math.Sqrt(1-r*r)) / i0beta
		return fc * sinc(fc*u) * w
	}
	// Polyphase table: phase p = (n*down mod up) has fractional offset p/up.
	// It depends only on (from, to), so it is built once per pair and
	// shared read-only.
	var table []float64
	if up*width <= resampleTableMax {
		key := resamplePair{from, to}
		if t, ok := resampleTables.Load(key); ok {
			table = t.([]float64)
		} else {
			table = make([]float64, up*width)
			for p := range up {
				frac := float64(p) / float64(up)
				for j := range width {
					table[p*width+j] = kernel(float64(j-taps+1) - frac)
				}
			}
			t, _ := resampleTables.LoadOrStore(key, table)
			table = t.([]float64)
		}
	}
	xf := make([]float64, len(x))
	for i, v := range x {
		xf[i] = float64(v)
	}
	out := make([]float32, nOut)
	coef := make([]float64, width)
	for n := range nOut {
		num := int64(n) * int64(down)
		q := int(num / int64(up))
		p := int(num % int64(up))
		c := coef
		if table != nil {
			c = table[p*width : (p+1)*width]
		} else {
			frac := float64(p) / float64(up)
			for j := range width {
				c[j] = kernel(float64(j-taps+1) - frac)
			}
		}
		lo := q - taps + 1
		j0, j1 := max(0, -lo), min(width, len(x)-lo)
		var s float64
		if j0 < j1 {
			seg, cs := xf[lo+j0:lo+j1], c[j0:j1]
			for j, v := range seg {
				s += cs[j] * v
			}
		}
		out[n] = float32(s)
	}
	return out
}

// FitLength returns a signal of exactly n samples: x cropped from the start
// when it is longer, x repeated end to end (tiled) when it is shorter — the
// OGM-GE convention for CREMA-D, where clips are tiled to 3 s. An empty x
// gives n zeros; n <= 0 gives an empty slice. x is not modified.
func FitLength(x []float32, n int) []float32 {
	if n <= 0 {
		return []float32{}
	}
	out := make([]float32, n)
	if len(x) == 0 {
		return out
	}
	for i := 0; i < n; i += len(x) {
		copy(out[i:], x)
	}
	return out
}

// sinc is sin(pi x)/(pi x) with sinc(0) = 1.
func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	px := math.Pi * x
	return math.Sin(px) / px
}

// besselI0 is the modified Bessel function of the first kind of order 0,
// summed from its power series sum_k ((x/2)^k / k!)^2 until the terms stop
// contributing.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	h := x / 2
	for k := 1; k < 500; k++ {
		term *= h / float64(k)
		t2 := term * term
		sum += t2
		if t2 < sum*1e-17 {
			break
		}
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
