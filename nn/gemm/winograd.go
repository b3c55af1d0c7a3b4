package gemm

// Winograd's F(2x2, 3x3) tile transforms (package nn's winograd.go) over a
// whole plane of tiles per call, and the deinterleaving copy that prepares
// the input transform's rows. Each computes exactly what its Go loop says,
// every sum rounded on its own in the loop's order, so the assembly (AVX2,
// 8 tiles at a time, the last block of a row masked) and the portable build
// give the same bits. Transformed tiles are 16 planes ξ = 4i + j, stride
// floats apart, each holding th rows of tw tiles one after another.

// WinogradInputTiles writes the transformed input tiles V = Bᵀ d B of th
// rows of tw tiles into the 16 planes of v. The 4x4 input tiles come from
// split: 2·th+2 input rows, the first and last padding, each split into
// its tiles' column pairs, row k holding e = split[2kn:][:n] and
// o = split[(2k+1)n:][:n] with n > tw, so that the tile (ty, tx) of row
// r = 0..3 has the columns e[tx], o[tx], e[tx+1], o[tx+1] of row 2ty+r.
// The rows are combined first (Bᵀ d: 0-2, 1+2, 2-1, 1-3), then the
// columns the same way. The assembly needs n > 8⌈tw/8⌉ (it reads whole
// blocks of 8 tiles); with a shorter n the Go loop runs.
func WinogradInputTiles(v []float32, stride int, split []float32, n, tw, th int) {
	if tw <= 0 || th <= 0 {
		return
	}
	if n <= tw {
		panic("gemm: WinogradInputTiles: split rows shorter than tw+1")
	}
	_ = v[15*stride+th*tw-1]
	_ = split[(4*th+4)*n-1]
	if hasAVX2 && n > (tw+7)&^7 {
		full := tw / 8
		winogradInputTilesAVX2(&v[0], stride, &split[0], n, th, full, tw%8, th-wholeRows(th, th*tw, tw, 8*full+8))
		return
	}
	winogradInputTilesGo(v, stride, split, n, tw, th)
}

// winogradInputTilesGo is WinogradInputTiles's definition.
func winogradInputTilesGo(v []float32, stride int, split []float32, n, tw, th int) {
	for ty := range th {
		rows := split[4*ty*n:]
		for tx := range tw {
			// x[r][c]: row r, column c of the tile.
			var x [4][4]float32
			for r := range 4 {
				e, o := rows[2*r*n:], rows[(2*r+1)*n:]
				x[r] = [4]float32{e[tx], o[tx], e[tx+1], o[tx+1]}
			}
			for i := range 4 {
				var y [4]float32
				for c := range 4 {
					switch i {
					case 0:
						y[c] = x[0][c] - x[2][c]
					case 1:
						y[c] = x[1][c] + x[2][c]
					case 2:
						y[c] = x[2][c] - x[1][c]
					case 3:
						y[c] = x[1][c] - x[3][c]
					}
				}
				at := ty*tw + tx
				v[(4*i)*stride+at] = y[0] - y[2]
				v[(4*i+1)*stride+at] = y[1] + y[2]
				v[(4*i+2)*stride+at] = y[2] - y[1]
				v[(4*i+3)*stride+at] = y[1] - y[3]
			}
		}
	}
}

// WinogradOutputTiles sets the h x w plane y from the products m, th rows
// of tw tiles in 16 planes stride floats apart: each 2x2 output tile is
// Aᵀ m A, Aᵀ = [1 1 1 0; 0 1 -1 -1], the rows first (s0 = m0 + m4 + m8,
// s1 = m4 - m8 - m12 for each column q), then the columns the same way,
// clipped at the plane's edge. The assembly reads whole blocks of 8 tiles,
// so it runs only when m has room for the last row's (m holds
// 15·stride + (th-1)·tw + 8⌈tw/8⌉ floats).
func WinogradOutputTiles(y []float32, h, w int, m []float32, stride, tw, th int) {
	if tw <= 0 || th <= 0 {
		return
	}
	if tw != (w+1)/2 || th != (h+1)/2 {
		panic("gemm: WinogradOutputTiles: tiles do not cover the plane")
	}
	_ = y[h*w-1]
	_ = m[15*stride+th*tw-1]
	if hasAVX2 && len(m) >= 15*stride+(th-1)*tw+(tw+7)&^7 {
		full, lo, hi := columnBlocks(w)
		// Tile row ty's last block ends at column 16·full+16 of output
		// row 2ty+1: (2ty+1)·w + 16·full + 16 floats into the plane.
		whole := wholeRows(th, h*w, 2*w, w+16*full+16)
		winogradOutputTilesAVX2(&y[0], w, &m[0], stride, tw, th, h%2, full, lo, hi, th-whole)
		return
	}
	winogradOutputTilesGo(y, h, w, m, stride, tw, th)
}

// winogradOutputTilesGo is WinogradOutputTiles's definition.
func winogradOutputTilesGo(y []float32, h, w int, m []float32, stride, tw, th int) {
	for ty := range th {
		for tx := range tw {
			at := ty*tw + tx
			var s [2][4]float32
			for q := range 4 {
				m0, m1 := m[q*stride+at], m[(4+q)*stride+at]
				m2, m3 := m[(8+q)*stride+at], m[(12+q)*stride+at]
				s[0][q] = m0 + m1 + m2
				s[1][q] = m1 - m2 - m3
			}
			for r := range 2 {
				oy := 2*ty + r
				if oy >= h {
					break
				}
				row := y[oy*w:][:w]
				row[2*tx] = s[r][0] + s[r][1] + s[r][2]
				if 2*tx+1 < w {
					row[2*tx+1] = s[r][1] - s[r][2] - s[r][3]
				}
			}
		}
	}
}

// WinogradGradTiles writes the transformed output-gradient tiles
// dM = A g Aᵀ of the h x w plane g into the 16 planes of m, th rows of tw
// tiles, A = [1 0; 1 1; 1 -1; 0 -1], positions outside the plane counting
// as zero: the rows first (g0, g0+g1, g0-g1, -g1 of the tile's two rows),
// then the columns the same way.
func WinogradGradTiles(m []float32, stride int, g []float32, h, w, tw, th int) {
	if tw <= 0 || th <= 0 {
		return
	}
	if tw != (w+1)/2 || th != (h+1)/2 {
		panic("gemm: WinogradGradTiles: tiles do not cover the plane")
	}
	_ = g[h*w-1]
	_ = m[15*stride+th*tw-1]
	if hasAVX2 {
		full, lo, hi := columnBlocks(w)
		tail := 0
		if lo > 0 {
			tail = tw - 8*full
		}
		winogradGradTilesAVX2(&m[0], stride, &g[0], w, tw, th, h%2, full, lo, hi, tail, th-wholeRows(th, th*tw, tw, 8*full+8))
		return
	}
	winogradGradTilesGo(m, stride, g, h, w, tw, th)
}

// winogradGradTilesGo is WinogradGradTiles's definition.
func winogradGradTilesGo(m []float32, stride int, g []float32, h, w, tw, th int) {
	at := func(y, x int) float32 {
		if y < h && x < w {
			return g[y*w+x]
		}
		return 0
	}
	for ty := range th {
		for tx := range tw {
			var r [4][2]float32
			for c := range 2 {
				a, b := at(2*ty, 2*tx+c), at(2*ty+1, 2*tx+c)
				r[0][c], r[1][c], r[2][c], r[3][c] = a, a+b, a-b, -b
			}
			t := ty*tw + tx
			for i := range 4 {
				a, b := r[i][0], r[i][1]
				m[(4*i)*stride+t] = a
				m[(4*i+1)*stride+t] = a + b
				m[(4*i+2)*stride+t] = a - b
				m[(4*i+3)*stride+t] = -b
			}
		}
	}
}

// wholeRows is how many of the first of th rows, the end of whose last
// block lies at ty·step + end, have that end within size: the rows whose
// last block the assembly may store whole.
func wholeRows(th, size, step, end int) int {
	if end > size {
		return 0
	}
	return min(th, (size-end)/step+1)
}

// columnBlocks splits a plane's rows of w columns into the assembly's
// blocks of 8 tiles: full whole blocks of 16 columns and a last one with
// lo + hi < 16 columns (lo in its first 8, hi in the next), if any.
func columnBlocks(w int) (full, lo, hi int) {
	full = w / 16
	tc := w - 16*full
	return full, min(tc, 8), max(tc-8, 0)
}

// Deinterleave sets even[i] = src[2i] and odd[i] = src[2i+1] for
// i < len(even); src holds 2·len(even) floats.
func Deinterleave(even, odd, src []float32) {
	n := len(even)
	src, odd = src[:2*n], odd[:n]
	b := bulk8(n)
	if b > 0 {
		deinterleaveAVX(&even[0], &odd[0], &src[0], b)
	}
	for i := b; i < n; i++ {
		even[i], odd[i] = src[2*i], src[2*i+1]
	}
}

// filterBlock is how many filters the filter transforms take through one
// transposition (a buffer of 9 x filterBlock floats on the stack).
const filterBlock = 64

// WinogradFilters writes the transformed filters U = G g Gᵀ of the
// len(w)/9 filters in w (3x3 each, row-major, one after another) into the
// 16 planes of u, plane floats apart: U[ξ] of filter i at u[ξ·plane+i],
// G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1], computed in float64 and rounded once.
func WinogradFilters(u []float32, plane int, w []float32) {
	n := len(w) / 9
	if n == 0 {
		return
	}
	_ = u[15*plane+n-1]
	var buf [9 * filterBlock]float32
	for i0 := 0; i0 < n; i0 += filterBlock {
		b := min(filterBlock, n-i0)
		done := 0
		if hasAVX2 && b >= 4 {
			// buf[j·b+i] = element j of filter i0+i.
			transposeInto(buf[:], b, w[i0*9:], 9, b, 9)
			done = b &^ 3
			winogradFiltersAVX2(&u[i0], plane, &buf[0], b, done)
		}
		for i := i0 + done; i < i0+b; i++ {
			winogradFilterGo(u[i:], plane, w[i*9:][:9])
		}
	}
}

// winogradFilterGo is WinogradFilters's definition for one filter g,
// writing u[ξ·plane].
func winogradFilterGo(u []float32, plane int, w []float32) {
	var g [9]float64
	for j, v := range w[:9] {
		g[j] = float64(v)
	}
	// G g (4x3), then (G g) Gᵀ (4x4).
	var t [12]float64
	for c := range 3 {
		g0, g1, g2 := g[c], g[3+c], g[6+c]
		t[c] = g0
		t[3+c] = 0.5 * (g0 + g1 + g2)
		t[6+c] = 0.5 * (g0 - g1 + g2)
		t[9+c] = g2
	}
	for r := range 4 {
		t0, t1, t2 := t[3*r], t[3*r+1], t[3*r+2]
		u[(4*r)*plane] = float32(t0)
		u[(4*r+1)*plane] = float32(0.5 * (t0 + t1 + t2))
		u[(4*r+2)*plane] = float32(0.5 * (t0 - t1 + t2))
		u[(4*r+3)*plane] = float32(t2)
	}
}

// WinogradFilterGrads adds Gᵀ dU G, the gradient of each of the len(dw)/9
// filters in dw (3x3 each, row-major, one after another), to dw: dU[ξ] of
// filter i at du[ξ·plane+i], computed in float64 and rounded once before
// the addition.
func WinogradFilterGrads(dw, du []float32, plane int) {
	n := len(dw) / 9
	if n == 0 {
		return
	}
	_ = du[15*plane+n-1]
	var buf, filters [9 * filterBlock]float32
	for i0 := 0; i0 < n; i0 += filterBlock {
		b := min(filterBlock, n-i0)
		done := 0
		if hasAVX2 && b >= 4 {
			done = b &^ 3
			// buf[j·b+i] = element j of filter i0+i's gradient.
			winogradFilterGradsAVX2(&buf[0], b, &du[i0], plane, done)
			transposeInto(filters[:], 9, buf[:], b, 9, done)
			Add(dw[i0*9:][:done*9], filters[:done*9])
		}
		for i := i0 + done; i < i0+b; i++ {
			winogradFilterGradGo(dw[i*9:][:9], du[i:], plane)
		}
	}
}

// winogradFilterGradGo is WinogradFilterGrads's definition for one filter.
func winogradFilterGradGo(dw, du []float32, plane int) {
	// Gᵀ X (3x4), Gᵀ = [1 ½ ½ 0; 0 ½ -½ 0; 0 ½ ½ 1], then (Gᵀ X) G.
	var t [12]float64
	for s := range 4 {
		x0 := float64(du[s*plane])
		x1 := float64(du[(4+s)*plane])
		x2 := float64(du[(8+s)*plane])
		x3 := float64(du[(12+s)*plane])
		t[s] = x0 + 0.5*(x1+x2)
		t[4+s] = 0.5 * (x1 - x2)
		t[8+s] = 0.5*(x1+x2) + x3
	}
	for a := range 3 {
		t0, t1, t2, t3 := t[4*a], t[4*a+1], t[4*a+2], t[4*a+3]
		dw[3*a] += float32(t0 + 0.5*(t1+t2))
		dw[3*a+1] += float32(0.5 * (t1 - t2))
		dw[3*a+2] += float32(0.5*(t1+t2) + t3)
	}
}
