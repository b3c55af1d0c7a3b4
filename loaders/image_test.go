package loaders

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rampImage is a w x h RGBA image with R = 10*x, G = 10*y, B = 7.
func rampImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{uint8(10 * x), uint8(10 * y), 7, 255})
		}
	}
	return img
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-5 }

func TestImageTensorEvalHandValues(t *testing.T) {
	cases := []struct {
		name   string
		w, h   int
		cfg    ImageConfig
		x, y   int     // output pixel
		wantR  float64 // in 0..255 units
		wantG  float64
		output int
	}{
		{"identity", 4, 4, ImageConfig{Resize: 4, Crop: 4}, 3, 2, 30, 20, 4},
		// Short side 4 already; width 6 is centre-cropped to columns 1..4.
		{"centre crop", 6, 4, ImageConfig{Resize: 4, Crop: 4}, 0, 0, 10, 0, 4},
		{"centre crop right edge", 6, 4, ImageConfig{Resize: 4, Crop: 4}, 3, 3, 40, 30, 4},
		// Offsets round half to even as Python: (5-4)/2 = 0.5 -> 0, (7-4)/2 = 1.5 -> 2.
		{"centre crop offset 0.5", 5, 4, ImageConfig{Resize: 4, Crop: 4}, 0, 0, 0, 0, 4},
		{"centre crop offset 1.5", 7, 4, ImageConfig{Resize: 4, Crop: 4}, 0, 0, 20, 0, 4},
		// Halving: output 0 is centred at source 1.0 with support 2, so
		// source pixels 0, 1, 2 get triangle weights 0.75, 0.75, 0.25
		// (renormalised by 1.75): R = (0*3 + 10*3 + 20*1)/7.
		{"antialiased halving", 4, 4, ImageConfig{Resize: 2}, 0, 0, 50.0 / 7, 50.0 / 7, 2},
		// Doubling: output 1 is centred at 0.75: 0.75*x0 + 0.25*x1.
		{"bilinear doubling", 2, 2, ImageConfig{Resize: 4}, 1, 0, 2.5, 0, 4},
		{"bilinear doubling edge", 2, 2, ImageConfig{Resize: 4}, 0, 3, 0, 10, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := ImageTensor(rampImage(c.w, c.h), c.cfg, nil)
			n := c.output
			if len(out.Shape) != 3 || out.Shape[0] != 3 || out.Shape[1] != n || out.Shape[2] != n {
				t.Fatalf("shape %v, want [3 %d %d]", out.Shape, n, n)
			}
			r := float64(out.Data[c.y*n+c.x]) * 255
			g := float64(out.Data[n*n+c.y*n+c.x]) * 255
			b := float64(out.Data[2*n*n+c.y*n+c.x]) * 255
			if !near(r, c.wantR) || !near(g, c.wantG) || !near(b, 7) {
				t.Errorf("pixel (%d,%d) = (%v, %v, %v), want (%v, %v, 7)", c.x, c.y, r, g, b, c.wantR, c.wantG)
			}
		})
	}
}

func TestImageTensorSubImage(t *testing.T) {
	// A sub-image keeps its parent's coordinates; the tensor must start at
	// its top-left corner.
	sub := rampImage(10, 10).SubImage(image.Rect(3, 2, 7, 6))
	out := ImageTensor(sub, ImageConfig{Resize: 4}, nil)
	if r, g := out.Data[0]*255, out.Data[16]*255; !near(float64(r), 30) || !near(float64(g), 20) {
		t.Errorf("top-left pixel R %v G %v, want 30 20", r, g)
	}
}

func TestImageTensorNormalize(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 3, 5))
	for i := range img.Pix {
		img.Pix[i] = 51 // 0.2
	}
	out := ImageTensor(img, ImageConfig{Resize: 2, Crop: 2, Normalize: true}, nil)
	for c := range 3 {
		want := (0.2 - float64(ImageNetMean[c])) / float64(ImageNetStd[c])
		for _, v := range out.Data[c*4 : (c+1)*4] {
			if !near(float64(v), want) {
				t.Fatalf("channel %d: %v, want %v", c, v, want)
			}
		}
	}
}

func TestImageTensorTrainDeterministic(t *testing.T) {
	img := rampImage(20, 13)
	cfg := ImageConfig{Crop: 8, Train: true}
	a := ImageTensor(img, cfg, rand.New(rand.NewPCG(1, 2)))
	b := ImageTensor(img, cfg, rand.New(rand.NewPCG(1, 2)))
	for i := range a.Data {
		if a.Data[i] != b.Data[i] {
			t.Fatal("same seed, different crops")
		}
	}
	differ := false
	flips := 0
	for seed := range uint64(40) {
		c := ImageTensor(img, cfg, rand.New(rand.NewPCG(seed, 7)))
		if c.Data[0] != a.Data[0] || c.Data[7] != a.Data[7] {
			differ = true
		}
		// R grows with x in the source; decreasing along the first row means a flip.
		if c.Data[0] > c.Data[7] {
			flips++
		}
	}
	if !differ {
		t.Error("40 seeds gave identical crops")
	}
	if flips < 8 || flips > 32 {
		t.Errorf("%d flips in 40 draws, want about 20", flips)
	}
	// Without aug the training config falls back to the deterministic eval path.
	e1, e2 := ImageTensor(img, cfg, nil), ImageTensor(img, ImageConfig{Crop: 8}, nil)
	for i := range e1.Data {
		if e1.Data[i] != e2.Data[i] {
			t.Fatal("Train with nil aug differs from eval")
		}
	}
}

func TestRandomResizedCropBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sizes := [][2]int{{1, 1}, {1, 100}, {100, 1}, {224, 224}, {320, 180}, {7, 3}}
	for _, s := range sizes {
		w, h := s[0], s[1]
		for range 200 {
			top, left, ch, cw := randomResizedCrop(rng, w, h)
			if ch < 1 || cw < 1 || top < 0 || left < 0 || top+ch > h || left+cw > w {
				t.Fatalf("%dx%d: crop top %d left %d %dx%d outside the image", w, h, top, left, cw, ch)
			}
			if w == 224 && h == 224 {
				area := float64(cw*ch) / (224 * 224)
				ratio := float64(cw) / float64(ch)
				if area < 0.07 || area > 1 || ratio < 0.7 || ratio > 1.4 {
					t.Fatalf("crop %dx%d: area fraction %v ratio %v outside (0.08..1, 3/4..4/3)", cw, ch, area, ratio)
				}
			}
		}
	}
}

func TestImageConfigValidate(t *testing.T) {
	for _, c := range []ImageConfig{{}, {Resize: 4, Crop: 5}, {Resize: -1}} {
		if c.Validate() == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	if err := DefaultImageConfig(true).Validate(); err != nil {
		t.Error(err)
	}
}

func writeImage(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		err = png.Encode(f, img)
	default:
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 95})
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadImagePNGAndJPEG(t *testing.T) {
	dir := t.TempDir()
	src := rampImage(16, 12)
	writeImage(t, filepath.Join(dir, "a.png"), src)
	writeImage(t, filepath.Join(dir, "b.jpg"), src)
	for _, name := range []string{"a.png", "b.jpg"} {
		img, err := ReadImage(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out := ImageTensor(img, ImageConfig{Resize: 12}, nil)
		tol := 1e-6
		if name == "b.jpg" {
			tol = 6.0 / 255 // lossy
		}
		// Output (x, y) is source column x+2 after the centre crop.
		for _, p := range [][2]int{{0, 0}, {5, 7}, {11, 11}} {
			r := float64(out.Data[p[1]*12+p[0]])
			if want := float64(10*(p[0]+2)) / 255; math.Abs(r-want) > tol {
				t.Errorf("%s pixel %v: R %v, want %v", name, p, r, want)
			}
		}
	}
	bad := filepath.Join(dir, "c.jpg")
	if err := os.WriteFile(bad, []byte("\xff\xd8\xff garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadImage(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("corrupt JPEG: error %v does not name the file", err)
	}
	// A PNG header declaring 100000 x 100000 pixels is refused before decoding.
	huge := image.NewGray(image.Rect(0, 0, 1, 1))
	var buf bytes.Buffer
	if err := png.Encode(&buf, huge); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], 100000) // IHDR width
	binary.BigEndian.PutUint32(b[20:], 100000) // IHDR height
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	hp := filepath.Join(dir, "huge.png")
	if err := os.WriteFile(hp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadImage(hp); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("huge PNG: error %v", err)
	}
}

func TestReadFrames(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"frame_03.jpg", "frame_01.jpg", "frame_05.PNG", "frame_02.jpeg", "frame_04.jpg", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.jpg"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A link to a frame counts (frame_06 sorts last); a dangling link does not.
	if err := os.Symlink(filepath.Join(dir, "frame_01.jpg"), filepath.Join(dir, "frame_06.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "gone.jpg"), filepath.Join(dir, "frame_00.jpg")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		n    int
		want []string
	}{
		// m = 6 files; frame k of n is file floor((2k+1)*6/(2n)).
		{1, []string{"frame_04.jpg"}},
		{2, []string{"frame_02.jpeg", "frame_05.PNG"}},
		{3, []string{"frame_02.jpeg", "frame_04.jpg", "frame_06.jpg"}},
		{6, []string{"frame_01.jpg", "frame_02.jpeg", "frame_03.jpg", "frame_04.jpg", "frame_05.PNG", "frame_06.jpg"}},
		{7, []string{"frame_01.jpg", "frame_02.jpeg", "frame_03.jpg", "frame_04.jpg", "frame_04.jpg", "frame_05.PNG", "frame_06.jpg"}},
	}
	for _, c := range cases {
		got, err := ReadFrames(dir, c.n)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.want {
			if filepath.Base(got[i]) != c.want[i] {
				t.Errorf("n=%d: got %v, want %v", c.n, got, c.want)
				break
			}
		}
	}
	empty := t.TempDir()
	if _, err := ReadFrames(empty, 1); err == nil || !strings.Contains(err.Error(), empty) {
		t.Errorf("empty dir: error %v does not name it", err)
	}
	if _, err := ReadFrames(dir, 0); err == nil {
		t.Error("n=0: no error")
	}
}
