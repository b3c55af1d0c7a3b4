package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// untouched marks the floats a transform must not write.
var untouched = float32(math.Float32frombits(0x7fc0dead))

// filled returns n copies of the untouched.
func filled(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = untouched
	}
	return s
}

// tilePlanes returns the 16 planes of th x tw tiles, stride floats apart
// (a gap of 13 after each), filled with the untouched, and the stride.
func tilePlanes(tw, th int) ([]float32, int) {
	stride := th*tw + 13
	return filled(16*stride + 8), stride
}

// winogradPlaneSizes are plane sizes around the assembly's blocks of 8
// tiles (16 columns): odd and even, shorter than a block, whole blocks,
// a block and a bit.
var winogradPlaneSizes = [][2]int{
	{1, 1}, {2, 2}, {3, 5}, {4, 6}, {5, 12}, {6, 15}, {7, 16}, {9, 17},
	{12, 24}, {17, 31}, {16, 32}, {33, 47}, {2, 65},
}

// TestWinogradTilesMatchLoops checks the plane-wide transforms, assembly
// included, against their Go loops bit for bit on random planes with
// special values, and that they write nothing outside their tiles or the
// plane.
func TestWinogradTilesMatchLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, hw := range winogradPlaneSizes {
		h, w := hw[0], hw[1]
		tw, th := (w+1)/2, (h+1)/2
		// Input: split rows of n floats, n past the assembly's last block.
		n := (tw+7)&^7 + 1
		split := ewInput(rng, 4*(th+1)*n)
		got, stride := tilePlanes(tw, th)
		want, _ := tilePlanes(tw, th)
		WinogradInputTiles(got, stride, split, n, tw, th)
		winogradInputTilesGo(want, stride, split, n, tw, th)
		if !sameBits(got, want) {
			t.Errorf("%dx%d: WinogradInputTiles differs from its Go loop", h, w)
		}
		checkPlanesWritten(t, "WinogradInputTiles", h, w, got, stride, tw*th)

		// Output: products in 16 planes, a plane of h x w with a margin.
		m := ewInput(rng, 16*stride+8)
		gotY, wantY := filled(h*w+9), filled(h*w+9)
		WinogradOutputTiles(gotY[1:1+h*w], h, w, m, stride, tw, th)
		winogradOutputTilesGo(wantY[1:1+h*w], h, w, m, stride, tw, th)
		if !sameBits(gotY, wantY) {
			t.Errorf("%dx%d: WinogradOutputTiles differs from its Go loop", h, w)
		}
		for i, v := range gotY {
			inside := i >= 1 && i < 1+h*w
			if (math.Float32bits(v) == math.Float32bits(untouched)) == inside {
				t.Errorf("%dx%d: WinogradOutputTiles: float %d of the plane with its margin written wrongly (%g)", h, w, i-1, v)
				break
			}
		}

		// Output gradient: from a plane of h x w.
		g := ewInput(rng, h*w)
		gotM, _ := tilePlanes(tw, th)
		wantM, _ := tilePlanes(tw, th)
		WinogradGradTiles(gotM, stride, g, h, w, tw, th)
		winogradGradTilesGo(wantM, stride, g, h, w, tw, th)
		if !sameBits(gotM, wantM) {
			t.Errorf("%dx%d: WinogradGradTiles differs from its Go loop", h, w)
		}
		checkPlanesWritten(t, "WinogradGradTiles", h, w, gotM, stride, tw*th)
	}
}

// checkPlanesWritten reports a transform that left a tile of one of the 16
// planes unwritten or wrote past a plane's tiles.
func checkPlanesWritten(t *testing.T, name string, h, w int, planes []float32, stride, tiles int) {
	t.Helper()
	for i, v := range planes {
		inside := i < 16*stride && i%stride < tiles
		if (math.Float32bits(v) == math.Float32bits(untouched)) == inside {
			t.Errorf("%dx%d: %s: float %d of plane %d written wrongly (%g)", h, w, name, i%stride, i/stride, v)
			return
		}
	}
}

// TestWinogradTilesHandValues checks the transforms' Go definitions
// against the matrices of F(2x2, 3x3) applied to each tile: V = Bᵀ d B,
// Y = Aᵀ M A and dM = A g Aᵀ, with zero padding around the plane.
func TestWinogradTilesHandValues(t *testing.T) {
	bT := [4][4]float64{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}}
	aT := [2][4]float64{{1, 1, 1, 0}, {0, 1, -1, -1}}
	rng := rand.New(rand.NewPCG(1, 2))
	const h, w = 5, 7
	tw, th := (w+1)/2, (h+1)/2
	x := make([]float32, h*w)
	for i := range x {
		x[i] = float32(rng.IntN(9) - 4)
	}
	px := func(y, c int) float64 {
		if y < 0 || y >= h || c < 0 || c >= w {
			return 0
		}
		return float64(x[y*w+c])
	}
	// The split rows of x, as the input transform takes them.
	n := tw + 1
	split := make([]float32, 4*(th+1)*n)
	for k := range 2*th + 2 {
		for j := range n {
			split[2*k*n+j] = float32(px(k-1, 2*j-1))
			split[(2*k+1)*n+j] = float32(px(k-1, 2*j))
		}
	}
	v, stride := tilePlanes(tw, th)
	winogradInputTilesGo(v, stride, split, n, tw, th)
	y := make([]float32, h*w)
	winogradOutputTilesGo(y, h, w, v, stride, tw, th) // Aᵀ (Bᵀ d B) A
	dm, _ := tilePlanes(tw, th)
	winogradGradTilesGo(dm, stride, x, h, w, tw, th)
	for ty := range th {
		for tx := range tw {
			at := ty*tw + tx
			var d [4][4]float64
			for r := range 4 {
				for c := range 4 {
					d[r][c] = px(2*ty-1+r, 2*tx-1+c)
				}
			}
			for i := range 4 {
				for j := range 4 {
					var s float64
					for r := range 4 {
						for c := range 4 {
							s += bT[i][r] * d[r][c] * bT[j][c]
						}
					}
					if got := float64(v[(4*i+j)*stride+at]); got != s {
						t.Fatalf("tile (%d,%d): V[%d][%d] = %g, want %g", ty, tx, i, j, got, s)
					}
					var g float64
					for r := range 2 {
						for c := range 2 {
							g += aT[r][i] * px(2*ty+r, 2*tx+c) * aT[c][j]
						}
					}
					if got := float64(dm[(4*i+j)*stride+at]); got != g {
						t.Fatalf("tile (%d,%d): dM[%d][%d] = %g, want %g", ty, tx, i, j, got, g)
					}
				}
			}
			for r := range 2 {
				for c := range 2 {
					oy, ox := 2*ty+r, 2*tx+c
					if oy >= h || ox >= w {
						continue
					}
					var s float64
					for i := range 4 {
						for j := range 4 {
							var vij float64
							for a := range 4 {
								for b := range 4 {
									vij += bT[i][a] * d[a][b] * bT[j][b]
								}
							}
							s += aT[r][i] * vij * aT[c][j]
						}
					}
					if got := float64(y[oy*w+ox]); got != s {
						t.Fatalf("output (%d,%d) = %g, want %g", oy, ox, got, s)
					}
				}
			}
		}
	}
}

// TestDeinterleave checks the strided copy, assembly included, against
// its definition on lengths around the 8-float blocks and unaligned starts.
func TestDeinterleave(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 7, 8, 9, 23, 24, 57} {
		for _, off := range []int{0, 1} {
			src := ewInput(rng, 2*n+off)[off:]
			ev, od := make([]float32, n), make([]float32, n)
			Deinterleave(ev, od, src)
			for i := range n {
				if !sameBits([]float32{ev[i], od[i]}, src[2*i:2*i+2]) {
					t.Fatalf("n=%d off=%d: Deinterleave at %d: %g %g, want %v", n, off, i, ev[i], od[i], src[2*i:2*i+2])
				}
			}
		}
	}
}

// TestWinogradFiltersMatchLoops checks the filter transforms, assembly
// included, against their one-filter Go definitions bit for bit, on counts
// around the blocks of 4 and of filterBlock, with special values.
func TestWinogradFiltersMatchLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 3, 4, 5, 63, 64, 65, 130} {
		plane := n + 3
		w := ewInput(rng, 9*n)
		got, want := filled(16*plane), filled(16*plane)
		WinogradFilters(got, plane, w)
		for i := range n {
			winogradFilterGo(want[i:], plane, w[i*9:][:9])
		}
		if !sameBits(got, want) {
			t.Errorf("n=%d: WinogradFilters differs from its definition", n)
		}
		du := ewInput(rng, 16*plane)
		dw := ewInput(rng, 9*n)
		wantDW := append([]float32(nil), dw...)
		WinogradFilterGrads(dw, du, plane)
		for i := range n {
			winogradFilterGradGo(wantDW[i*9:][:9], du[i:], plane)
		}
		// Where the gradient and dw are both NaN, which payload the sum
		// keeps depends on the operand order Go's compiler picks for +=.
		for i := range dw {
			if !sameBits(dw[i:i+1], wantDW[i:i+1]) && !(isNaN(dw[i]) && isNaN(wantDW[i])) {
				t.Errorf("n=%d: WinogradFilterGrads differs from its definition at %d: %g, want %g", n, i, dw[i], wantDW[i])
				break
			}
		}
	}
}

// TestWinogradFiltersHandValues checks the definitions against the
// matrices: U = G g Gᵀ and dg = Gᵀ dU G.
func TestWinogradFiltersHandValues(t *testing.T) {
	G := [4][3]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 6
	w := make([]float32, 9*n)
	du := make([]float32, 16*n)
	for i := range w {
		w[i] = float32(rng.IntN(17) - 8)
	}
	for i := range du {
		du[i] = float32(rng.IntN(17) - 8)
	}
	u := make([]float32, 16*n)
	WinogradFilters(u, n, w)
	dw := make([]float32, 9*n)
	WinogradFilterGrads(dw, du, n)
	for i := range n {
		for a := range 4 {
			for b := range 4 {
				var s float64
				for r := range 3 {
					for c := range 3 {
						s += G[a][r] * float64(w[i*9+3*r+c]) * G[b][c]
					}
				}
				if got := float64(u[(4*a+b)*n+i]); got != s {
					t.Fatalf("filter %d: U[%d][%d] = %g, want %g", i, a, b, got, s)
				}
			}
		}
		for r := range 3 {
			for c := range 3 {
				var s float64
				for a := range 4 {
					for b := range 4 {
						s += G[a][r] * float64(du[(4*a+b)*n+i]) * G[b][c]
					}
				}
				if got := float64(dw[i*9+3*r+c]); got != s {
					t.Fatalf("filter %d: dg[%d][%d] = %g, want %g", i, r, c, got, s)
				}
			}
		}
	}
}

// isNaN reports whether v is a NaN.
func isNaN(v float32) bool { return v != v }
