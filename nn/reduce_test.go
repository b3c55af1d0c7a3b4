package nn

import (
	"math"
	"testing"
)

func TestReductions(t *testing.T) {
	for n := range 10 {
		a := make([]float32, n)
		b := make([]float32, n)
		var sum, ss, dot float64
		for i := range n {
			a[i], b[i] = float32(i+1), float32(2*i-3)
			sum += float64(i + 1)
			dot += float64(i+1) * float64(2*i-3)
		}
		m := 0.5
		for i := range n {
			ss += (float64(i+1) - m) * (float64(i+1) - m)
		}
		gs, gd := sumDot64(a, b)
		if sum64(a) != sum || sumSqDev64(a, m) != ss || gs != sum || gd != dot {
			t.Errorf("n=%d: sum %g sumSqDev %g sumDot %g %g, want %g %g %g %g", n, sum64(a), sumSqDev64(a, m), gs, gd, sum, ss, sum, dot)
		}
	}
	if got := sum64([]float32{1e8, 1, -1e8, 1}); math.Abs(got-2) > 0 {
		t.Errorf("float64 accumulation lost precision: %g", got)
	}
}
