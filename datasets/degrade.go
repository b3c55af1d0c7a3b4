package datasets

import (
	"math"
	"math/rand/v2"
)

// Image and audio degradations that make one modality of av-digits weaker.
// Each takes its randomness from a caller-supplied stream, so that a sample's
// degradation is fixed by (data seed, sample) and not redrawn every epoch.

// areaResize1D maps src (length n) to m values, each the average of src
// over the output pixel's footprint [i*n/m, (i+1)*n/m), with fractional
// source pixels weighted by their overlap.
func areaResize1D(src []float64, m int) []float64 {
	n := len(src)
	out := make([]float64, m)
	scale := float64(n) / float64(m)
	for i := range out {
		lo, hi := float64(i)*scale, float64(i+1)*scale
		var sum float64
		for j := int(lo); j < n && float64(j) < hi; j++ {
			w := math.Min(hi, float64(j+1)) - math.Max(lo, float64(j))
			sum += w * src[j]
		}
		out[i] = sum / scale
	}
	return out
}

// bilinearResize1D maps src (length n) to m values by linear interpolation
// with half-pixel centres (sample i of the output sits at source coordinate
// (i+0.5)*n/m - 0.5, clamped to the edge pixels), as PyTorch's
// interpolate(mode="bilinear", align_corners=False) does.
func bilinearResize1D(src []float64, m int) []float64 {
	n := len(src)
	out := make([]float64, m)
	scale := float64(n) / float64(m)
	for i := range out {
		x := (float64(i)+0.5)*scale - 0.5
		if x < 0 {
			x = 0
		}
		j := int(x)
		if j >= n-1 {
			out[i] = src[n-1]
			continue
		}
		f := x - float64(j)
		out[i] = (1-f)*src[j] + f*src[j+1]
	}
	return out
}

// resize2D applies a 1-D resize along rows then columns of an h x w image.
func resize2D(img []float64, h, w, oh, ow int, f func([]float64, int) []float64) []float64 {
	tmp := make([]float64, h*ow)
	for r := range h {
		copy(tmp[r*ow:], f(img[r*w:(r+1)*w], ow))
	}
	out := make([]float64, oh*ow)
	col := make([]float64, h)
	for c := range ow {
		for r := range h {
			col[r] = tmp[r*ow+c]
		}
		for r, v := range f(col, oh) {
			out[r*ow+c] = v
		}
	}
	return out
}

// lowerResolution replaces a side x side image by its area-average
// downsampling to res x res, upsampled back bilinearly. res >= side leaves
// the image unchanged.
func lowerResolution(pix []float32, side, res int) {
	if res >= side || res < 1 {
		return
	}
	img := make([]float64, len(pix))
	for i, v := range pix {
		img[i] = float64(v)
	}
	small := resize2D(img, side, side, res, res, areaResize1D)
	back := resize2D(small, res, res, side, side, bilinearResize1D)
	for i, v := range back {
		pix[i] = float32(v)
	}
}

// occlude sets a square covering frac of a side x side image to fill (0,
// the MNIST background, in pixel units); its side is round(side*sqrt(frac))
// and its top-left corner is uniform over the positions where it fits.
func occlude(pix []float32, side int, frac float64, fill float32, rng *rand.Rand) {
	if frac <= 0 {
		return
	}
	s := int(math.Round(float64(side) * math.Sqrt(math.Min(frac, 1))))
	if s == 0 {
		return
	}
	top, left := rng.IntN(side-s+1), rng.IntN(side-s+1)
	for r := top; r < top+s; r++ {
		for k := r*side + left; k < r*side+left+s; k++ {
			pix[k] = fill
		}
	}
}

// addGaussian adds N(0, std^2) to every value (no clipping).
func addGaussian(x []float32, std float64, rng *rand.Rand) {
	if std <= 0 {
		return
	}
	for i := range x {
		x[i] += float32(std * rng.NormFloat64())
	}
}

// addNoiseSNR adds white Gaussian noise to x so that the ratio of the
// signal's mean power to the noise power is snrDB decibels. A silent signal
// is left unchanged.
func addNoiseSNR(x []float32, snrDB float64, rng *rand.Rand) {
	var p float64
	for _, v := range x {
		p += float64(v) * float64(v)
	}
	if len(x) == 0 || p == 0 {
		return
	}
	p /= float64(len(x))
	addGaussian(x, math.Sqrt(p/math.Pow(10, snrDB/10)), rng)
}
