package gemm

import (
	"math/rand/v2"
	"testing"
)

// TestWinogradStepsMatchLoops checks the transform steps and strided copies,
// assembly included, against their Go loops bit for bit, on lengths around
// the 8-float blocks, unaligned starts and special values.
func TestWinogradStepsMatchLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 7, 8, 9, 23, 24, 57} {
		for _, off := range []int{0, 1} {
			x := make([][]float32, 4)
			for i := range x {
				x[i] = ewInput(rng, n+off)[off:]
			}
			d := make([][]float32, 4)
			for i := range d {
				d[i] = make([]float32, n)
			}
			WinogradInputStep(d[0], d[1], d[2], d[3], x[0], x[1], x[2], x[3])
			for i := range n {
				want := []float32{x[0][i] - x[2][i], x[1][i] + x[2][i], x[2][i] - x[1][i], x[1][i] - x[3][i]}
				for j := range 4 {
					if !sameBits(d[j][i:i+1], want[j:j+1]) {
						t.Fatalf("n=%d off=%d: WinogradInputStep d%d[%d] = %g, want %g", n, off, j, i, d[j][i], want[j])
					}
				}
			}
			s0, s1 := make([]float32, n), make([]float32, n)
			WinogradOutputStep(s0, s1, x[0], x[1], x[2], x[3])
			for i := range n {
				w0, w1 := x[0][i]+x[1][i]+x[2][i], x[1][i]-x[2][i]-x[3][i]
				if !sameBits([]float32{s0[i], s1[i]}, []float32{w0, w1}) {
					t.Fatalf("n=%d off=%d: WinogradOutputStep %d = %g %g, want %g %g", n, off, i, s0[i], s1[i], w0, w1)
				}
			}
			g := make([][]float32, 4)
			for i := range g {
				g[i] = make([]float32, n)
			}
			WinogradGradStep(g[0], g[1], g[2], g[3], x[0], x[1])
			for i := range n {
				want := []float32{x[0][i], x[0][i] + x[1][i], x[0][i] - x[1][i], -x[1][i]}
				for j := range 4 {
					if !sameBits(g[j][i:i+1], want[j:j+1]) {
						t.Fatalf("n=%d off=%d: WinogradGradStep d%d[%d] = %g, want %g", n, off, j, i, g[j][i], want[j])
					}
				}
			}
			inter := make([]float32, 2*n+off)[off:]
			Interleave(inter, x[0], x[1])
			ev, od := make([]float32, n), make([]float32, n)
			Deinterleave(ev, od, inter)
			for i := range n {
				if !sameBits(inter[2*i:2*i+2], []float32{x[0][i], x[1][i]}) {
					t.Fatalf("n=%d off=%d: Interleave at %d: %v, want %g %g", n, off, i, inter[2*i:2*i+2], x[0][i], x[1][i])
				}
			}
			if !sameBits(ev, x[0]) || !sameBits(od, x[1]) {
				t.Fatalf("n=%d off=%d: Deinterleave does not undo Interleave", n, off)
			}
		}
	}
}
