package loaders

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // register the JPEG decoder for image.Decode
	_ "image/png"  // register the PNG decoder for image.Decode
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/miebench/miebench/nn"
)

// ImageNet channel statistics used by Normalize (torchvision's values).
var (
	ImageNetMean = [3]float32{0.485, 0.456, 0.406}
	ImageNetStd  = [3]float32{0.229, 0.224, 0.225}
)

// maxImagePixels bounds the width x height an image header may declare
// before ReadImage allocates the pixels (64 Mpixel).
const maxImagePixels = 1 << 26

// ReadImage decodes a JPEG or PNG file (the format is detected from the
// content, not the name). Images declaring more than 64 Mpixel are
// rejected before decoding.
func ReadImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("loaders: read image: %w", err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("loaders: image %s: %w", path, err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxImagePixels {
		return nil, fmt.Errorf("loaders: image %s: %dx%d pixels, more than %d", path, cfg.Width, cfg.Height, maxImagePixels)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("loaders: image %s: %w", path, err)
	}
	img, format, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("loaders: image %s: %w", path, err)
	}
	if format != "jpeg" && format != "png" {
		return nil, fmt.Errorf("loaders: image %s: format %q, want JPEG or PNG", path, format)
	}
	b := img.Bounds()
	if b.Dx() < 1 || b.Dy() < 1 {
		return nil, fmt.Errorf("loaders: image %s: empty image %dx%d", path, b.Dx(), b.Dy())
	}
	return img, nil
}

// ImageConfig is the torchvision-style preprocessing of one frame.
//
// Evaluation (Train false, or a nil aug): resize so that the short side is
// Resize pixels (the long side is scaled by the same factor and truncated
// to an integer, as torchvision's Resize(int)), then take the centred
// Crop x Crop window. Training with a non-nil aug: RandomResizedCrop(Crop)
// with scale (0.08, 1) and aspect ratio (3/4, 4/3) on the original image,
// then a horizontal flip with probability 0.5. The centre crop offset is
// round((size - Crop)/2) with Python's half-to-even rounding, as
// torchvision's CenterCrop. Normalize subtracts
// ImageNetMean and divides by ImageNetStd per channel after scaling pixels
// to [0, 1].
//
// Resizing is bilinear with pixel centres at half-integers and, when
// shrinking, the triangle filter widened by the shrink factor (as PIL's
// and torchvision's antialiased bilinear), so downsampling does not alias.
type ImageConfig struct {
	Resize    int // short side after resizing (evaluation); 0 means Crop
	Crop      int // output height and width; 0 means Resize
	Normalize bool
	Train     bool
}

// DefaultImageConfig is the OGM-GE frame preprocessing: 224 x 224,
// ImageNet-normalised, random-resized crops and flips when training.
func DefaultImageConfig(train bool) ImageConfig {
	return ImageConfig{Resize: 224, Crop: 224, Normalize: true, Train: train}
}

// sizes resolves the zero-means-other defaults.
func (c ImageConfig) sizes() (resize, crop int) {
	resize, crop = c.Resize, c.Crop
	if resize == 0 {
		resize = crop
	}
	if crop == 0 {
		crop = resize
	}
	return resize, crop
}

// Validate reports a configuration ImageTensor cannot honour.
func (c ImageConfig) Validate() error {
	r, k := c.sizes()
	switch {
	case r < 1 || k < 1:
		return fmt.Errorf("loaders: image config: Resize %d and Crop %d must not both be 0 or negative", c.Resize, c.Crop)
	case k > r:
		return fmt.Errorf("loaders: image config: Crop %d larger than Resize %d", k, r)
	}
	return nil
}

// ImageTensor preprocesses img according to cfg (see ImageConfig) and
// returns a [3, Crop, Crop] tensor, channels R, G, B. aug drives the random
// crop and flip and is only used when cfg.Train is set; the result is a
// deterministic function of img, cfg and aug's state. Alpha is ignored
// (pixels are taken as premultiplied on black). It panics if cfg is
// invalid (see Validate).
func ImageTensor(img image.Image, cfg ImageConfig, aug *rand.Rand) *nn.Tensor {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	resize, crop := cfg.sizes()
	src, w, h := imagePlanes(img)
	var xs, ys axisMap
	flip := false
	if cfg.Train && aug != nil {
		top, left, ch, cw := randomResizedCrop(aug, w, h)
		xs = newAxisMap(w, float64(left), float64(cw), crop)
		ys = newAxisMap(h, float64(top), float64(ch), crop)
		flip = aug.Float64() < 0.5
	} else {
		nw, nh := resize, resize
		if w <= h {
			nh = int(float64(resize) * float64(h) / float64(w))
		} else {
			nw = int(float64(resize) * float64(w) / float64(h))
		}
		nh, nw = max(nh, crop), max(nw, crop)
		top := int(math.RoundToEven(float64(nh-crop) / 2))
		left := int(math.RoundToEven(float64(nw-crop) / 2))
		sx, sy := float64(w)/float64(nw), float64(h)/float64(nh)
		xs = newAxisMap(w, float64(left)*sx, float64(crop)*sx, crop)
		ys = newAxisMap(h, float64(top)*sy, float64(crop)*sy, crop)
	}
	out := nn.NewTensor(3, crop, crop)
	row := make([]float64, crop)
	// The source rows the vertical pass needs are the same for every
	// channel; the horizontal pass rewrites all of tmp for each channel.
	y0, y1 := ys.span()
	tmp := make([]float64, (y1-y0)*crop)
	for c := range 3 {
		plane := src[c*w*h : (c+1)*w*h]
		// Horizontal pass over the source rows the vertical pass needs.
		for y := y0; y < y1; y++ {
			xs.apply(plane[y*w:(y+1)*w], tmp[(y-y0)*crop:(y-y0+1)*crop])
		}
		dst := out.Data[c*crop*crop : (c+1)*crop*crop]
		for x := range crop {
			ys.applyOffset(tmp, crop, x, y0, row)
			for y, v := range row {
				ox := x
				if flip {
					ox = crop - 1 - x
				}
				dst[y*crop+ox] = float32(v)
			}
		}
		if cfg.Normalize {
			m, s := ImageNetMean[c], ImageNetStd[c]
			for i := range dst {
				dst[i] = (dst[i] - m) / s
			}
		}
	}
	return out
}

// randomResizedCrop samples a crop box (top, left, height, width) as
// torchvision's RandomResizedCrop.get_params with scale (0.08, 1) and ratio
// (3/4, 4/3): up to 10 attempts of a uniform area fraction and a
// log-uniform aspect ratio, then the whole image clipped to the ratio range.
// Rounding is half to even, as Python's round.
func randomResizedCrop(rng *rand.Rand, w, h int) (top, left, ch, cw int) {
	const minScale, maxScale = 0.08, 1.0
	lo, hi := math.Log(3.0/4), math.Log(4.0/3)
	area := float64(w * h)
	for range 10 {
		target := area * (minScale + (maxScale-minScale)*rng.Float64())
		aspect := math.Exp(lo + (hi-lo)*rng.Float64())
		cw = int(math.RoundToEven(math.Sqrt(target * aspect)))
		ch = int(math.RoundToEven(math.Sqrt(target / aspect)))
		if cw > 0 && cw <= w && ch > 0 && ch <= h {
			top = rng.IntN(h - ch + 1)
			left = rng.IntN(w - cw + 1)
			return top, left, ch, cw
		}
	}
	ratio := float64(w) / float64(h)
	switch {
	case ratio < 3.0/4:
		cw, ch = w, int(math.RoundToEven(float64(w)/(3.0/4)))
	case ratio > 4.0/3:
		ch, cw = h, int(math.RoundToEven(float64(h)*(4.0/3)))
	default:
		cw, ch = w, h
	}
	ch, cw = min(max(ch, 1), h), min(max(cw, 1), w)
	return (h - ch) / 2, (w - cw) / 2, ch, cw
}

// axisMap holds, for each output sample along one axis, the first source
// index and the normalised filter weights.
type axisMap struct {
	start   []int
	weights [][]float64
}

// newAxisMap maps the source interval [x0, x0+length) of an axis with n
// source pixels onto out output pixels. Output pixel i is centred at
// x0 + (i+0.5)*scale in source coordinates (scale = length/out) and is the
// triangle-filter average of the source pixels whose centres j+0.5 lie
// within support = max(scale, 1) of it, weights renormalised at the edges.
func newAxisMap(n int, x0, length float64, out int) axisMap {
	scale := length / float64(out)
	support := math.Max(scale, 1)
	m := axisMap{start: make([]int, out), weights: make([][]float64, out)}
	for i := range out {
		center := x0 + (float64(i)+0.5)*scale
		lo := max(0, int(math.Floor(center-support)))
		hi := min(n, int(math.Ceil(center+support))+1)
		var ws []float64
		var sum float64
		first := -1
		for j := lo; j < hi; j++ {
			wt := 1 - math.Abs(float64(j)+0.5-center)/support
			if wt <= 0 {
				if first >= 0 {
					break
				}
				continue
			}
			if first < 0 {
				first = j
			}
			ws = append(ws, wt)
			sum += wt
		}
		if first < 0 { // centre outside the image: nearest edge pixel
			first, ws, sum = min(max(int(center), 0), n-1), []float64{1}, 1
		}
		for k := range ws {
			ws[k] /= sum
		}
		m.start[i], m.weights[i] = first, ws
	}
	return m
}

// span is the half-open range of source indices any output reads.
func (m axisMap) span() (lo, hi int) {
	lo, hi = math.MaxInt, 0
	for i, s := range m.start {
		lo = min(lo, s)
		hi = max(hi, s+len(m.weights[i]))
	}
	return lo, hi
}

// apply filters the contiguous source line src into dst.
func (m axisMap) apply(src, dst []float64) {
	for i, ws := range m.weights {
		var s float64
		for k, wt := range ws {
			s += wt * src[m.start[i]+k]
		}
		dst[i] = s
	}
}

// applyOffset filters column x of a row-major buffer with rowLen columns
// whose first row is source index y0, writing one output column to dst.
func (m axisMap) applyOffset(buf []float64, rowLen, x, y0 int, dst []float64) {
	for i, ws := range m.weights {
		var s float64
		for k, wt := range ws {
			s += wt * buf[(m.start[i]+k-y0)*rowLen+x]
		}
		dst[i] = s
	}
}

// imagePlanes converts img to three planes R, G, B of float64 in [0, 1],
// row-major, and returns them with the width and height.
func imagePlanes(img image.Image) ([]float64, int, int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	p := make([]float64, 3*w*h)
	set := func(i int, r, g, bl float64) { p[i], p[w*h+i], p[2*w*h+i] = r, g, bl }
	switch im := img.(type) {
	case *image.YCbCr:
		for y := range h {
			for x := range w {
				c := im.YCbCrAt(b.Min.X+x, b.Min.Y+y)
				r, g, bl := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
				set(y*w+x, float64(r)/255, float64(g)/255, float64(bl)/255)
			}
		}
	case *image.Gray:
		for y := range h {
			for x := range w {
				v := float64(im.GrayAt(b.Min.X+x, b.Min.Y+y).Y) / 255
				set(y*w+x, v, v, v)
			}
		}
	case *image.RGBA:
		for y := range h {
			for x := range w {
				c := im.RGBAAt(b.Min.X+x, b.Min.Y+y)
				set(y*w+x, float64(c.R)/255, float64(c.G)/255, float64(c.B)/255)
			}
		}
	case *image.NRGBA:
		for y := range h {
			for x := range w {
				c := im.NRGBAAt(b.Min.X+x, b.Min.Y+y)
				a := float64(c.A) / 255
				set(y*w+x, float64(c.R)/255*a, float64(c.G)/255*a, float64(c.B)/255*a)
			}
		}
	default:
		for y := range h {
			for x := range w {
				r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				set(y*w+x, float64(r)/65535, float64(g)/65535, float64(bl)/65535)
			}
		}
	}
	return p, w, h
}

// frameExts are the file extensions ReadFrames accepts (lower case).
var frameExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true}

// ReadFrames lists the frame images (.jpg, .jpeg, .png, any case) of a clip
// directory (symbolic links to files included) in sorted name order and returns the paths of n of them evenly
// spaced: frame k of n is file floor((2k+1) m / (2n)) of m, the centre of
// the k-th of n equal segments (the middle file for n = 1). When n > m
// files repeat. It fails, naming dir, if dir cannot be read, holds no
// frames, or n < 1.
func ReadFrames(dir string, n int) ([]string, error) {
	if n < 1 {
		return nil, fmt.Errorf("loaders: frames of %s: asked for %d frames", dir, n)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("loaders: frames: %w", err)
	}
	var files []string // os.ReadDir returns entries sorted by name
	for _, e := range entries {
		if !frameExts[strings.ToLower(filepath.Ext(e.Name()))] {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if e.Type()&fs.ModeSymlink != 0 { // follow links to frame files
			if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
				continue
			}
		} else if !e.Type().IsRegular() {
			continue
		}
		files = append(files, p)
	}
	if len(files) == 0 {
		return nil, errors.New("loaders: frames: no .jpg, .jpeg or .png files in " + dir)
	}
	m := len(files)
	out := make([]string, n)
	for k := range out {
		out[k] = files[(2*k+1)*m/(2*n)]
	}
	return out, nil
}
