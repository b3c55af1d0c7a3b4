package gradcheck

import (
	"math"
	"testing"
)

func TestNumerical(t *testing.T) {
	// f(x) = x0^2 + 3 x0 x1: df/dx0 = 2 x0 + 3 x1, df/dx1 = 3 x0, exact for
	// central differences up to rounding.
	x := []float32{0.5, -2}
	f := func() float64 { return float64(x[0])*float64(x[0]) + 3*float64(x[0])*float64(x[1]) }
	for _, h := range []float64{1e-2, 1e-3} {
		num := Numerical(x, h, f)
		want := []float64{2*0.5 + 3*-2, 3 * 0.5}
		for i := range want {
			if math.Abs(num[i]-want[i]) > 1e-3 {
				t.Errorf("h %v: d/dx%d = %v, want %v", h, i, num[i], want[i])
			}
		}
		if x[0] != 0.5 || x[1] != -2 {
			t.Fatalf("h %v: x changed to %v", h, x)
		}
	}
}
