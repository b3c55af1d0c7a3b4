package gemm

// The elementwise steps of Winograd's F(2x2, 3x3) tile transforms (package
// nn's winograd.go) over rows of tiles, and the two strided copies around
// them. Each computes exactly what its Go loop says, every sum rounded on
// its own, so the assembly (AVX, 8 floats at a time) and the portable
// build give the same bits.

// WinogradInputStep is one direction of the input transform Bᵀ d B on
// n tiles at once: d0 = x0 - x2, d1 = x1 + x2, d2 = x2 - x1, d3 = x1 - x3.
func WinogradInputStep(d0, d1, d2, d3, x0, x1, x2, x3 []float32) {
	n := len(d0)
	d1, d2, d3 = d1[:n], d2[:n], d3[:n]
	x0, x1, x2, x3 = x0[:n], x1[:n], x2[:n], x3[:n]
	b := bulk8(n)
	if b > 0 {
		winogradInputAVX(&d0[0], &d1[0], &d2[0], &d3[0], &x0[0], &x1[0], &x2[0], &x3[0], b)
	}
	for i := b; i < n; i++ {
		d0[i] = x0[i] - x2[i]
		d1[i] = x1[i] + x2[i]
		d2[i] = x2[i] - x1[i]
		d3[i] = x1[i] - x3[i]
	}
}

// WinogradOutputStep is one direction of the output transform Aᵀ m A on
// n tiles at once: s0 = (m0 + m1) + m2, s1 = (m1 - m2) - m3.
func WinogradOutputStep(s0, s1, m0, m1, m2, m3 []float32) {
	n := len(s0)
	s1 = s1[:n]
	m0, m1, m2, m3 = m0[:n], m1[:n], m2[:n], m3[:n]
	b := bulk8(n)
	if b > 0 {
		winogradOutputAVX(&s0[0], &s1[0], &m0[0], &m1[0], &m2[0], &m3[0], b)
	}
	for i := b; i < n; i++ {
		s0[i] = m0[i] + m1[i] + m2[i]
		s1[i] = m1[i] - m2[i] - m3[i]
	}
}

// Interleave sets dst[2i] = even[i] and dst[2i+1] = odd[i] for i < len(even);
// dst holds 2·len(even) floats.
func Interleave(dst, even, odd []float32) {
	n := len(even)
	dst, odd = dst[:2*n], odd[:n]
	b := bulk8(n)
	if b > 0 {
		interleaveAVX(&dst[0], &even[0], &odd[0], b)
	}
	for i := b; i < n; i++ {
		dst[2*i], dst[2*i+1] = even[i], odd[i]
	}
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

// WinogradGradStep is one direction of the output-gradient transform
// A g Aᵀ on n tiles at once: d0 = a, d1 = a + b, d2 = a - b, d3 = -b.
func WinogradGradStep(d0, d1, d2, d3, a, b []float32) {
	n := len(d0)
	d1, d2, d3, a, b = d1[:n], d2[:n], d3[:n], a[:n], b[:n]
	k := bulk8(n)
	if k > 0 {
		winogradGradAVX(&d0[0], &d1[0], &d2[0], &d3[0], &a[0], &b[0], k)
	}
	for i := k; i < n; i++ {
		d0[i] = a[i]
		d1[i] = a[i] + b[i]
		d2[i] = a[i] - b[i]
		d3[i] = -b[i]
	}
}
