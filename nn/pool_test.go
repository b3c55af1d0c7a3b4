package nn

import (
	"fmt"
	"math"
	"testing"
)

// naiveMaxPool is the definition: per window, the first maximum in
// row-major order, padding never winning.
func naiveMaxPool(x []float32, h, w, k, stride, pad int) (y []float32, arg []int32) {
	oh, ow := (h+2*pad-k)/stride+1, (w+2*pad-k)/stride+1
	for oy := range oh {
		for ox := range ow {
			best, at := float32(0), -1
			for iy := oy*stride - pad; iy < oy*stride-pad+k; iy++ {
				for ix := ox*stride - pad; ix < ox*stride-pad+k; ix++ {
					if iy < 0 || iy >= h || ix < 0 || ix >= w {
						continue
					}
					if v := x[iy*w+ix]; at < 0 || v > best {
						best, at = v, iy*w+ix
					}
				}
			}
			y, arg = append(y, best), append(arg, int32(at))
		}
	}
	return y, arg
}

// TestMaxPoolMatchesDefinition: every path of MaxPool2D (2x2, the unrolled
// 3x3 interior, the general one) gives the definition's values and
// arg-maxes (one-byte positions and, past MaxPoolByteWindow, two-byte
// ones), with ties among the inputs and NaN (except for 2x2 windows,
// whose tournament differs from the scan around NaN).
func TestMaxPoolMatchesDefinition(t *testing.T) {
	for _, g := range []struct{ h, w, k, stride, pad int }{
		{9, 8, 3, 2, 1}, {8, 9, 3, 2, 1}, {7, 7, 3, 1, 1}, {6, 5, 3, 2, 0}, {3, 3, 3, 1, 0},
		{8, 8, 2, 2, 0}, {7, 9, 2, 2, 0}, {9, 9, 4, 4, 0}, {5, 6, 2, 1, 1},
		{20, 19, 17, 2, 1},                 // beyond MaxPoolByteWindow: 16-bit positions
		{7, 40, 3, 2, 1}, {6, 37, 3, 2, 1}, // rows wide enough for nn/gemm's blocks of 8
	} {
		t.Run(fmt.Sprintf("%dx%d_k%d_s%d_p%d", g.h, g.w, g.k, g.stride, g.pad), func(t *testing.T) {
			rng := newTestRNG(90)
			x := randTensor(rng, 1, 2, 3, g.h, g.w)
			for i := range x.Data {
				switch i % 13 {
				case 3, 4:
					x.Data[i] = 0.5 // ties
				case 7:
					// The 2x2 path picks its maximum by a tournament,
					// which agrees with the scan except around NaN.
					if i%26 == 7 && g.k != 2 {
						x.Data[i] = float32(math.NaN())
					}
				}
			}
			m := NewMaxPool2D(g.k, g.stride, g.pad).(*MaxPool2D)
			yEval := m.Forward(x, false).Clone() // without positions
			y := m.Forward(x, true)
			for i := range y.Data {
				if math.Float32bits(y.Data[i]) != math.Float32bits(yEval.Data[i]) {
					t.Fatalf("output %d: %v in training, %v in evaluation", i, y.Data[i], yEval.Data[i])
				}
			}
			hw, o := g.h*g.w, y.Shape[2]*y.Shape[3]
			for pl := range 6 {
				wantY, wantArg := naiveMaxPool(x.Data[pl*hw:][:hw], g.h, g.w, g.k, g.stride, g.pad)
				for j := range wantY {
					oy, ox := j/y.Shape[3], j%y.Shape[3]
					off := m.position(pl*o + j)
					gotY := y.Data[pl*o+j]
					gotArg := int32((oy*g.stride-g.pad+off/g.k)*g.w + ox*g.stride - g.pad + off%g.k)
					if math.Float32bits(gotY) != math.Float32bits(wantY[j]) || gotArg != wantArg[j] {
						t.Fatalf("plane %d output %d: %v at %d, want %v at %d", pl, j, gotY, gotArg, wantY[j], wantArg[j])
					}
				}
			}
		})
	}
}

// position is where output i's maximum is in its window, from whichever
// of the position slices the window size uses.
func (m *MaxPool2D) position(i int) int {
	if m.k <= MaxPoolByteWindow {
		return int(m.arg8[i])
	}
	return int(m.arg16[i])
}
