package gemm

// MaxPool3Stride2 pools one output row of 3x3 windows with stride 2:
// output i is the maximum of columns 2i, 2i+1, 2i+2 of the rows r0, r1 and
// r2 (callers pass rows starting at the first window's first column), the
// first maximum in row-major order winning ties (a NaN never wins, as
// with Go's >), and pos[i] its position in the window, 3·row + column.
// The rows hold at least 2·len(out)+1 floats; the assembly (AVX2, 8
// outputs at a time, the same comparisons in the same order) reads two
// floats past a block's windows, so it takes the outputs whose reads stay
// within the rows given.
func MaxPool3Stride2(out []float32, pos []uint8, r0, r1, r2 []float32) {
	n := len(out)
	if n == 0 {
		return
	}
	pos = pos[:n]
	need := 2*n + 1
	_, _, _ = r0[need-1], r1[need-1], r2[need-1]
	// The assembly reads 16 floats from 2i and from 2i+2 for a block at
	// i: whole blocks whose reads stay inside the rows.
	b := 0
	if hasAVX2 {
		b = min((min(len(r0), len(r1), len(r2))-2)/2, n) &^ 7
	}
	if b > 0 {
		maxPool3Stride2AVX2(&out[0], &pos[0], &r0[0], &r1[0], &r2[0], b)
	}
	for i := b; i < n; i++ {
		c := 2 * i
		best, at := r0[c], uint8(0)
		for k, v := range [8]float32{r0[c+1], r0[c+2], r1[c], r1[c+1], r1[c+2], r2[c], r2[c+1], r2[c+2]} {
			if v > best {
				best, at = v, uint8(k+1)
			}
		}
		out[i], pos[i] = best, at
	}
}
