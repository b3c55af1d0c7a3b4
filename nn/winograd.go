package nn

import (
	"sync"

	simdgemm "github.com/miebench/miebench/nn/gemm"
)

// Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016) for the 3x3,
// stride-1, padding-1 convolutions that make up most of a ResNet: each 2x2
// output tile comes from a 4x4 input tile with 16 multiplications per
// channel pair instead of 36. With the input tiles transformed as
// V = Bᵀ d B and the filters as U = G g Gᵀ, the 16 positions ξ of the
// transformed tiles are 16 independent GEMMs M[ξ] = U[ξ] · V[ξ] over the
// channels, and each output tile is Aᵀ m A. The same routine computes the
// input gradient, a 3x3 stride-1 padding-1 correlation of the output
// gradient with the filters turned by 180 degrees and their channels
// swapped; the weight gradient is 16 GEMMs over the tiles too (below).
// Every sum is in a fixed order, so results do not depend on how samples
// are split between goroutines.

// rowBuffers recycles the input transform's split-row buffers, a few
// kilobytes each, which every call needs: allocated per call they were
// garbage that raised the peak memory of a long step until the next
// collection.
var rowBuffers sync.Pool

// rowBuffer returns a buffer of n floats from rowBuffers and the function
// that gives it back.
func rowBuffer(n int) ([]float32, func()) {
	p, _ := rowBuffers.Get().(*[]float32)
	if p == nil || cap(*p) < n {
		s := make([]float32, n)
		p = &s
	}
	return (*p)[:n], func() { rowBuffers.Put(p) }
}

// winogradStride is the distance between the 16 planes of a transformed
// buffer of c rows of ld tiles: a little more than c·ld, so that the 16
// planes a transform writes or reads together do not all map to the same
// cache sets (c·ld is often a multiple of 4 KiB).
func winogradStride(c, ld int) int { return c*ld + 16 }

// winogradTiles is the number of 2x2 output tiles of an h x w plane.
func winogradTiles(h, w int) int { return ((h + 1) / 2) * ((w + 1) / 2) }

// winogradFilters writes the transformed filters U[ξ][o][i] (16 matrices of
// co x ci) for weights w [co][ci][3][3] (nn/gemm's WinogradFilters), in
// parallel over output channels.
//
// The input gradient needs no filters of its own: its filters are the
// weights turned by 180 degrees with their channels swapped, and turning
// g reverses its rows and columns, G J = P G for the exchange J and the
// permutation P of rows 0 and 3, so G (J g J) Gᵀ = P U Pᵀ. Its GEMM for
// position ξ = 4a+b takes U[4p(a)+p(b)] transposed (winogradFlipped).
func winogradFilters(u, w []float32, co, ci int) {
	parallelFor(co, ci*64, func(lo, hi int) {
		for o := lo; o < hi; o++ {
			simdgemm.WinogradFilters(u[o*ci:], co*ci, w[o*ci*9:][:ci*9])
		}
	})
}

// winogradFlipped is the position of the forward filters whose transpose
// is the input gradient's filter matrix at position xi: rows and columns
// 0 and 3 of the 4x4 tile swapped.
func winogradFlipped(xi int) int {
	p := [4]int{3, 1, 2, 0}
	return 4*p[xi/4] + p[xi%4]
}

// winogradInput writes the transformed input tiles of channels [lo, hi) of
// sample planes x (c channels of h x w) into v: position ξ of tile t of
// channel ch at v[ξ·winogradStride(c, ld) + ch·ld + col+t], for the tiles
// in row-major order. Each input row is split once into the first and
// second columns of the tiles' column pairs (zero outside the plane, in a
// buffer padded by a row above and below); nn/gemm's WinogradInputTiles
// then computes Bᵀ d B for the whole plane.
func winogradInput(v, x []float32, c, h, w, lo, hi, ld, col int) {
	tw, th := (w+1)/2, (h+1)/2
	stride := winogradStride(c, ld)
	// Split row k (input row k-1) at split[2kn:]: e[j] = row[2j-1],
	// o[j] = row[2j] for j = 0..tw; n leaves room for the assembly's
	// whole blocks. What lies outside the plane stays zero.
	n := (tw+7)&^7 + 1
	pairs := (w - 1) / 2 // e[1..pairs], o[1..pairs] come from whole pairs of the row
	split, done := rowBuffer(4 * (th + 1) * n)
	defer done()
	clear(split)
	for ch := lo; ch < hi; ch++ {
		plane := x[ch*h*w:][:h*w]
		for y := range h {
			row := plane[y*w:][:w]
			e, o := split[2*(y+1)*n:][:n], split[(2*(y+1)+1)*n:][:n]
			o[0] = row[0]
			simdgemm.Deinterleave(e[1:1+pairs], o[1:1+pairs], row[1:1+2*pairs])
			if j := pairs + 1; j <= tw && 2*j-1 < w {
				e[j] = row[2*j-1]
			}
		}
		simdgemm.WinogradInputTiles(v[ch*ld+col:], stride, split, n, tw, th)
	}
}

// winogradOutput sets output channels [lo, hi) of sample planes y (c
// channels of h x w) from the products m (position ξ of tile t of channel
// ch at m[ξ·winogradStride(c, ld) + ch·ld + col+t]): each 2x2 tile is
// Aᵀ m A, clipped at the plane's edge (nn/gemm's WinogradOutputTiles).
func winogradOutput(y, m []float32, c, h, w, lo, hi, ld, col int) {
	tw, th := (w+1)/2, (h+1)/2
	stride := winogradStride(c, ld)
	for ch := lo; ch < hi; ch++ {
		simdgemm.WinogradOutputTiles(y[ch*h*w:][:h*w], h, w, m[ch*ld+col:], stride, tw, th)
	}
}

// winogradConv convolves samples [n0, n0+g) of in (inC channels of h x w
// each) with the transformed filters u (16 x outC x inC) into the same
// samples of out (outC channels of h x w), using the buffers v (16·inC·g·T)
// and m (16·outC·g·T) for T tiles per sample. With flipped, u is the
// forward filters of the transposed convolution (16 x inC x outC), and the
// convolution is the one with those filters turned and their channels
// swapped: the input gradient (winogradFilters). workers is the GEMMs'
// goroutines: 1 when whole groups run on separate goroutines, 0 to run the
// transforms and GEMMs in parallel.
func winogradConv(out, in, u, v, m []float32, inC, outC, h, w, n0, g, workers int, flipped bool) {
	t := winogradTiles(h, w)
	ld := g * t
	inPlane, outPlane := inC*h*w, outC*h*w
	transform := func(count int, f func(lo, hi int)) {
		if workers == 0 {
			parallelFor(count, 16*t*g, f)
		} else {
			f(0, count)
		}
	}
	transform(inC, func(lo, hi int) {
		for i := range g {
			winogradInput(v, in[(n0+i)*inPlane:][:inPlane], inC, h, w, lo, hi, ld, i*t)
		}
	})
	for xi := range 16 {
		vx, mx := v[xi*winogradStride(inC, ld):], m[xi*winogradStride(outC, ld):]
		if flipped {
			gemmOn(workers, true, false, outC, ld, inC, 1, u[winogradFlipped(xi)*outC*inC:], outC, vx, ld, 0, mx, ld)
		} else {
			gemmOn(workers, false, false, outC, ld, inC, 1, u[xi*outC*inC:], inC, vx, ld, 0, mx, ld)
		}
	}
	transform(outC, func(lo, hi int) {
		for i := range g {
			winogradOutput(out[(n0+i)*outPlane:][:outPlane], m, outC, h, w, lo, hi, ld, i*t)
		}
	})
}

// winogradGroupTiles is the number of output tiles from which a group of
// samples has GEMMs wide enough (in N) for the kernels.
const winogradGroupTiles = 256

// winogradGroup is how many samples of n with t tiles each one Winograd
// pass takes together: enough for winogradGroupTiles tiles, evened out
// over the groups that makes (8 samples of 54 tiles: two groups of 4, not
// 5 and 3, which left a goroutine idle for a third of the layer).
func winogradGroup(n, t int) int {
	g := min(ceilDiv(n, 2), max(1, ceilDiv(winogradGroupTiles, t)))
	return ceilDiv(n, ceilDiv(n, g))
}

// winogradBatch convolves the whole batch of n samples with the transformed
// filters u (flipped as for winogradConv), in groups of winogradGroup
// samples: on separate goroutines with serial GEMMs when there are at
// least as many groups as goroutines, otherwise one group at a time,
// parallel inside. The buffers come from the scratch free list
// (ConvScratch lists them).
func winogradBatch(out, in, u []float32, inC, outC, h, w, n int, flipped bool) {
	t := winogradTiles(h, w)
	g := winogradGroup(n, t)
	eachItem(ceilDiv(n, g), func(get func(int) []float32) func(k, workers int) {
		v, m := get(16*winogradStride(inC, g*t)), get(16*winogradStride(outC, g*t))
		return func(k, workers int) {
			n0 := k * g
			winogradConv(out, in, u, v, m, inC, outC, h, w, n0, min(g, n-n0), workers, flipped)
		}
	})
}

// The weight gradient. With Y = Aᵀ[U ⊙ V]A per tile and U = G g Gᵀ, the
// gradient of the loss with respect to U[ξ] is Σ over tiles of
// dM[ξ]·V[ξ], where dM = A dY Aᵀ is the output gradient's tile
// transformed: 16 GEMMs over the tiles (channels x tiles times tiles x
// channels), then dg = Gᵀ dU G per filter.

// winogradOutputGrad writes the transformed output-gradient tiles
// dM = A dy Aᵀ of channels [lo, hi) of sample planes dy (c channels of
// h x w) into m, laid out as winogradOutput reads its products; A =
// [1 0; 1 1; 1 -1; 0 -1], positions outside the plane count as zero
// (nn/gemm's WinogradGradTiles).
func winogradOutputGrad(m, dy []float32, c, h, w, lo, hi, ld, col int) {
	tw, th := (w+1)/2, (h+1)/2
	stride := winogradStride(c, ld)
	for ch := lo; ch < hi; ch++ {
		simdgemm.WinogradGradTiles(m[ch*ld+col:], stride, dy[ch*h*w:][:h*w], h, w, tw, th)
	}
}

// winogradFilterGrad adds Gᵀ dU G, the gradient of filter (o, i), to the
// weight gradient dw [co][ci][3][3] for every filter, from the 16
// co x ci matrices dU (nn/gemm's WinogradFilterGrads).
func winogradFilterGrad(dw, du []float32, co, ci int) {
	parallelFor(co, ci*64, func(lo, hi int) {
		for o := lo; o < hi; o++ {
			simdgemm.WinogradFilterGrads(dw[o*ci*9:][:ci*9], du[o*ci:], co*ci)
		}
	})
}

// winogradWeightGrad adds the weight gradient of a Winograd convolution
// of the n samples of x (inC channels of h x w) with output gradient dy
// (outC channels) to dw: groups of winogradGroup samples in order, each
// transforming its input (as the forward pass) and output-gradient tiles
// in parallel over channels and then accumulating its 16 tile GEMMs, in
// parallel over ξ, into dU; then dw += Gᵀ dU G. Each sum has a fixed
// order, so the bits do not depend on the goroutines.
func winogradWeightGrad(dw, x, dy []float32, inC, outC, h, w, n int) {
	t := winogradTiles(h, w)
	g := winogradGroup(n, t)
	sv, sm := getScratch(16*winogradStride(inC, g*t)), getScratch(16*winogradStride(outC, g*t))
	defer func() { putScratch(sm); putScratch(sv) }()
	su := getScratch(16 * outC * inC)
	defer putScratch(su)
	v, m, du := *sv, *sm, *su
	inPlane, outPlane := inC*h*w, outC*h*w
	for n0 := 0; n0 < n; n0 += g {
		gn := min(g, n-n0)
		ld := gn * t
		parallelFor(inC, 16*ld, func(lo, hi int) {
			for i := range gn {
				winogradInput(v, x[(n0+i)*inPlane:][:inPlane], inC, h, w, lo, hi, ld, i*t)
			}
		})
		parallelFor(outC, 16*ld, func(lo, hi int) {
			for i := range gn {
				winogradOutputGrad(m, dy[(n0+i)*outPlane:][:outPlane], outC, h, w, lo, hi, ld, i*t)
			}
		})
		beta := float32(1)
		if n0 == 0 {
			beta = 0
		}
		forEachItem(16, Threads(), func(next func() (int, bool)) {
			for xi, ok := next(); ok; xi, ok = next() {
				gemmOn(1, false, true, outC, inC, ld, 1, m[xi*winogradStride(outC, ld):], ld, v[xi*winogradStride(inC, ld):], ld, beta, du[xi*outC*inC:], inC)
			}
		})
	}
	winogradFilterGrad(dw, du, outC, inC)
}
