package gemm

import "math"

// The helpers below are the passes of batch normalisation. Each has one
// definition of its result bits, written out in Go in its body: the
// float64 sums go to 16 lanes (element i to lane i mod 16, in order) that
// are then added in a fixed tree, and every float32 product and sum is
// rounded separately (no fused multiply-add). The AVX2 assembly computes
// the same bits for the bulk of each slice, so results agree between the
// assembly, the portable build and any thread split of the callers.

// lanes is the number of float64 partial sums of the reductions.
const lanes = 16

// reduceLanes adds the 16 partial sums in a fixed tree.
func reduceLanes(s *[lanes]float64) float64 {
	var t [8]float64
	for i := range t {
		t[i] = s[2*i] + s[2*i+1]
	}
	return ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]))
}

// Sum64 returns Σ x accumulated in float64 over 16 lanes.
func Sum64(x []float32) float64 {
	var s [lanes]float64
	n := bulk2(len(x))
	if n > 0 {
		sum64AVX2(&x[0], n, &s)
	}
	for i := n; i < len(x); i++ {
		s[i%lanes] += float64(x[i])
	}
	return reduceLanes(&s)
}

// SumSqDev64 returns Σ (x - m)² in float64 over 16 lanes, each square
// rounded before it is added.
func SumSqDev64(x []float32, m float64) float64 {
	var s [lanes]float64
	n := bulk2(len(x))
	if n > 0 {
		sumSqDev64AVX2(&x[0], n, m, &s)
	}
	for i := n; i < len(x); i++ {
		d := float64(x[i]) - m
		s[i%lanes] += float64(d * d)
	}
	return reduceLanes(&s)
}

// SumDot64 returns Σ a and Σ a·b in float64 over 16 lanes each.
func SumDot64(a, b []float32) (sum, dot float64) {
	checkLen("SumDot64", len(a), len(b))
	var s, d [lanes]float64
	n := bulk2(len(a))
	if n > 0 {
		sumDot64AVX2(&a[0], &b[0], n, &s, &d)
	}
	for i := n; i < len(a); i++ {
		v := float64(a[i])
		s[i%lanes] += v
		d[i%lanes] += float64(v * float64(b[i]))
	}
	return reduceLanes(&s), reduceLanes(&d)
}

// MaskSumDot64 is the backward pass of batch normalisation followed by
// ReLU: it zeroes dy[i] where the ReLU's input g·h[i] + b (rounded as
// float32) is not positive, +0, -0 or a negative NaN, the elements whose
// ReLU output is not positive, and returns SumDot64(dy, h) of the result.
func MaskSumDot64(dy, h []float32, g, b float32) (sum, dot float64) {
	checkLen("MaskSumDot64", len(dy), len(h))
	var s, d [lanes]float64
	n := bulk2(len(dy))
	if n > 0 {
		maskSumDot64AVX2(&dy[0], &h[0], n, g, b, &s, &d)
	}
	for i := n; i < len(dy); i++ {
		t := float32(g*h[i]) + b
		if int32(math.Float32bits(t)) <= 0 {
			dy[i] = 0
		}
		v := float64(dy[i])
		s[i%lanes] += v
		d[i%lanes] += float64(v * float64(h[i]))
	}
	return reduceLanes(&s), reduceLanes(&d)
}

// Normalize is batch normalisation's forward pass over one plane:
// h[i] = (x[i] - mean) · inv and y[i] = g·h[i] + b, passed through ReLU
// when relu is set (the sign bit cleared unless the value is NaN). y may be
// x.
func Normalize(h, y, x []float32, mean, inv, g, b float32, relu bool) {
	checkLen("Normalize", len(x), len(h))
	checkLen("Normalize", len(x), len(y))
	n := bulk2(len(x))
	if n > 0 {
		normalizeAVX2(&h[0], &y[0], &x[0], n, mean, inv, g, b, relu)
	}
	for i := n; i < len(x); i++ {
		v := (x[i] - mean) * inv
		h[i] = v
		o := float32(g*v) + b
		if relu {
			o = reluBits(o)
		}
		y[i] = o
	}
}

// reluBits is max(v, 0) on the bits: the sign bit is cleared, with the rest,
// unless v is NaN.
func reluBits(v float32) float32 {
	u := math.Float32bits(v)
	if int32(u) < 0 && u&0x7fffffff <= 0x7f800000 {
		return 0
	}
	return v
}

// NormalizeGrad is batch normalisation's input gradient over one plane:
// dx[i] = k·((dy[i] - mdy) - h[i]·mdyx). dx may be dy.
func NormalizeGrad(dx, dy, h []float32, k, mdy, mdyx float32) {
	checkLen("NormalizeGrad", len(dy), len(h))
	checkLen("NormalizeGrad", len(dy), len(dx))
	n := bulk2(len(dy))
	if n > 0 {
		normalizeGradAVX2(&dx[0], &dy[0], &h[0], n, k, mdy, mdyx)
	}
	for i := n; i < len(dy); i++ {
		dx[i] = k * ((dy[i] - mdy) - float32(h[i]*mdyx))
	}
}
