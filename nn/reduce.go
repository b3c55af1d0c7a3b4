package nn

// sum64 returns Σ x in float64 with four interleaved accumulators (summed
// in a fixed order, so the result is deterministic), which keeps the
// floating-point adder busy instead of waiting on one dependency chain.
func sum64(x []float32) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		q := x[i : i+4 : i+4]
		s0 += float64(q[0])
		s1 += float64(q[1])
		s2 += float64(q[2])
		s3 += float64(q[3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// sumSqDev64 returns Σ (x - m)² in float64, accumulated as sum64 does.
func sumSqDev64(x []float32, m float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		q := x[i : i+4 : i+4]
		d0, d1, d2, d3 := float64(q[0])-m, float64(q[1])-m, float64(q[2])-m, float64(q[3])-m
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(x); i++ {
		d := float64(x[i]) - m
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// sumDot64 returns Σ a and Σ a·b in float64, accumulated as sum64 does.
func sumDot64(a, b []float32) (sum, dot float64) {
	b = b[:len(a)]
	var s0, s1, d0, d1 float64
	i := 0
	for ; i+2 <= len(a); i += 2 {
		p, q := a[i:i+2:i+2], b[i:i+2:i+2]
		a0, a1 := float64(p[0]), float64(p[1])
		s0 += a0
		s1 += a1
		d0 += a0 * float64(q[0])
		d1 += a1 * float64(q[1])
	}
	for ; i < len(a); i++ {
		s0 += float64(a[i])
		d0 += float64(a[i]) * float64(b[i])
	}
	return s0 + s1, d0 + d1
}
