package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The reference definitions of the batch-normalisation passes, element by
// element: what normalize.go documents and the assembly must reproduce.

func refLanes(n int, f func(i int) float64) float64 {
	var s [lanes]float64
	for i := range n {
		s[i%lanes] += f(i)
	}
	return reduceLanes(&s)
}

// TestNormalizeHandValues checks the passes on values worked by hand.
func TestNormalizeHandValues(t *testing.T) {
	x := []float32{1, 2, 3, 4}
	if got := Sum64(x); got != 10 {
		t.Errorf("Sum64 = %g, want 10", got)
	}
	if got := SumSqDev64(x, 2.5); got != 5 {
		t.Errorf("SumSqDev64 = %g, want 5", got)
	}
	if s, d := SumDot64(x, []float32{1, 0, -1, 2}); s != 10 || d != 6 {
		t.Errorf("SumDot64 = %g, %g, want 10, 6", s, d)
	}
	// g·h + b = 2h - 1: positive for h = 1 and 3, zero for 0.5, negative
	// for 0: dy keeps elements 0 and 3.
	dy := []float32{5, 6, 7, 8}
	s, d := MaskSumDot64(dy, []float32{1, 0, 0.5, 3}, 2, -1)
	if dy[0] != 5 || dy[1] != 0 || dy[2] != 0 || dy[3] != 8 || s != 13 || d != 29 {
		t.Errorf("MaskSumDot64: dy %v, sums %g, %g; want [5 0 0 8], 13, 29", dy, s, d)
	}
	h, y := make([]float32, 3), make([]float32, 3)
	Normalize(h, y, []float32{3, 1, 5}, 3, 0.5, 2, 1, true)
	if h[0] != 0 || h[1] != -1 || h[2] != 1 || y[0] != 1 || y[1] != 0 || y[2] != 3 {
		t.Errorf("Normalize: h %v y %v, want [0 -1 1] [1 0 3]", h, y)
	}
	dx := make([]float32, 2)
	NormalizeGrad(dx, []float32{3, 1}, []float32{1, -1}, 2, 1, 0.5)
	if dx[0] != 3 || dx[1] != 1 {
		t.Errorf("NormalizeGrad: %v, want [3 1]", dx)
	}
	// The float64 sums keep what float32 would lose.
	if got := Sum64([]float32{1e8, 1, -1e8, 1}); got != 2 {
		t.Errorf("Sum64 lost precision: %g", got)
	}
}

// TestNormalizeMatchesDefinition checks every pass, assembly included,
// against its element-by-element definition bit for bit, on lengths
// around the 16-float blocks, unaligned starts and special values.
func TestNormalizeMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	same64 := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || (a != a && b != b) }
	for _, n := range ewLengths {
		for _, off := range []int{0, 3} {
			x := ewInput(rng, n+off)[off:]
			o := ewInput(rng, n+off)[off:]
			if got, want := Sum64(x), refLanes(n, func(i int) float64 { return float64(x[i]) }); !same64(got, want) {
				t.Errorf("n=%d off=%d: Sum64 %g, want %g", n, off, got, want)
			}
			m := 0.25
			if got, want := SumSqDev64(x, m), refLanes(n, func(i int) float64 { d := float64(x[i]) - m; return float64(d * d) }); !same64(got, want) {
				t.Errorf("n=%d off=%d: SumSqDev64 %g, want %g", n, off, got, want)
			}
			s, d := SumDot64(x, o)
			ws := refLanes(n, func(i int) float64 { return float64(x[i]) })
			wd := refLanes(n, func(i int) float64 { return float64(float64(x[i]) * float64(o[i])) })
			if !same64(s, ws) || !same64(d, wd) {
				t.Errorf("n=%d off=%d: SumDot64 %g, %g, want %g, %g", n, off, s, d, ws, wd)
			}

			const g, b = 1.5, -0.25
			dy := append([]float32(nil), x...)
			want := make([]float32, n)
			for i := range n {
				tv := float32(g*o[i]) + b
				if int32(math.Float32bits(tv)) > 0 {
					want[i] = x[i]
				}
			}
			s, d = MaskSumDot64(dy, o, g, b)
			ws = refLanes(n, func(i int) float64 { return float64(want[i]) })
			wd = refLanes(n, func(i int) float64 { return float64(float64(want[i]) * float64(o[i])) })
			if !sameBits(dy, want) || !same64(s, ws) || !same64(d, wd) {
				t.Errorf("n=%d off=%d: MaskSumDot64 dy %v sums %g %g, want %v %g %g", n, off, dy, s, d, want, ws, wd)
			}

			for _, relu := range []bool{false, true} {
				h, y := make([]float32, n), make([]float32, n)
				wh, wy := make([]float32, n), make([]float32, n)
				for i := range n {
					wh[i] = (x[i] - 0.5) * 1.25
					wy[i] = float32(g*wh[i]) + b
					if relu && math.Signbit(float64(wy[i])) && !math.IsNaN(float64(wy[i])) {
						wy[i] = 0
					}
				}
				Normalize(h, y, x, 0.5, 1.25, g, b, relu)
				if !sameBits(h, wh) || !sameBits(y, wy) {
					t.Errorf("n=%d off=%d relu=%v: Normalize h %v y %v, want %v %v", n, off, relu, h, y, wh, wy)
				}
				// In place: y is x.
				xc := append([]float32(nil), x...)
				Normalize(h, xc, xc, 0.5, 1.25, g, b, relu)
				if !sameBits(xc, wy) {
					t.Errorf("n=%d off=%d relu=%v: Normalize in place %v, want %v", n, off, relu, xc, wy)
				}
			}

			dx := make([]float32, n)
			wdx := make([]float32, n)
			for i := range n {
				wdx[i] = 0.75 * ((x[i] - 0.125) - float32(o[i]*0.5))
			}
			NormalizeGrad(dx, x, o, 0.75, 0.125, 0.5)
			if !sameBits(dx, wdx) {
				t.Errorf("n=%d off=%d: NormalizeGrad %v, want %v", n, off, dx, wdx)
			}
		}
	}
}
