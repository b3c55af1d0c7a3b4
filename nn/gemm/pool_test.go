package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMaxPool3Stride2MatchesScan checks the pooled row, assembly included,
// against a scan of each window in row-major order keeping the first
// maximum, on lengths around the blocks of 8, rows just long enough and
// longer, ties and special values.
func TestMaxPool3Stride2MatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 7, 8, 9, 16, 17, 31, 47, 64} {
		for _, extra := range []int{0, 1, 5} {
			rows := make([][]float32, 3)
			for r := range rows {
				rows[r] = ewInput(rng, 2*n+1+extra)
				for i := range rows[r] {
					if rng.IntN(5) == 0 { // ties
						rows[r][i] = 1
					}
				}
			}
			out, pos := make([]float32, n), make([]uint8, n)
			MaxPool3Stride2(out, pos, rows[0], rows[1], rows[2])
			for i := range n {
				best, at := rows[0][2*i], 0
				for k := 1; k < 9; k++ {
					if v := rows[k/3][2*i+k%3]; v > best {
						best, at = v, k
					}
				}
				if math.Float32bits(out[i]) != math.Float32bits(best) || int(pos[i]) != at {
					t.Fatalf("n=%d extra=%d output %d: %g at %d, want %g at %d", n, extra, i, out[i], pos[i], best, at)
				}
			}
		}
	}
}
