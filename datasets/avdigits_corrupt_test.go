package datasets

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/miebench/miebench/internal/rngs"
)

func TestOccludeFillTiny(t *testing.T) {
	// A 4x4 image with a quarter occluded: a 2x2 square (side
	// round(4*sqrt(0.25))) of the fill value, nothing else touched.
	img := make([]float32, 16)
	for i := range img {
		img[i] = float32(i)
	}
	occlude(img, 4, 0.25, -7, rngs.Stream(3, "tiny"))
	var filled []int
	for i, v := range img {
		switch {
		case v == -7:
			filled = append(filled, i)
		case v != float32(i):
			t.Errorf("pixel %d changed to %v", i, v)
		}
	}
	if len(filled) != 4 {
		t.Fatalf("filled pixels %v, want a 2x2 square", filled)
	}
	top, left := filled[0]/4, filled[0]%4
	want := []int{top*4 + left, top*4 + left + 1, (top+1)*4 + left, (top+1)*4 + left + 1}
	if !slices.Equal(filled, want) {
		t.Errorf("filled pixels %v, want the square %v", filled, want)
	}
}

func TestAddNoiseSNRTiny(t *testing.T) {
	// A constant signal of power 4 at 0 dB gets noise of power 4 (std 2):
	// over many samples the measured noise power is close to 4.
	x := make([]float32, 20000)
	for i := range x {
		x[i] = 2
	}
	addNoiseSNR(x, 0, rngs.Stream(1, "snr"))
	var p float64
	for _, v := range x {
		p += (float64(v) - 2) * (float64(v) - 2)
	}
	if p /= float64(len(x)); math.Abs(p-4) > 0.2 {
		t.Errorf("noise power at 0 dB: %v, want about 4", p)
	}
}

func TestCorruptionCheckLevels(t *testing.T) {
	snr, err := FindCorruption("av-digits", "audio", "snr_db")
	if err != nil {
		t.Fatal(err)
	}
	occ, _ := FindCorruption("av-digits", "visual", "occlusion")
	for _, c := range []struct {
		c      Corruption
		levels []float64
		want   string
	}{
		{snr, []float64{20, 10, 0}, ""},
		{snr, []float64{0, 10}, "not strictly decreasing"},
		{snr, []float64{100}, "outside [-30, 60]"},
		{occ, []float64{0.25, 0.5}, ""},
		{occ, []float64{0.5, 0.5}, "not strictly increasing"},
		{occ, []float64{1.5}, "outside [0, 1]"},
		{occ, nil, "no levels"},
	} {
		err := c.c.CheckLevels(c.levels)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s %v: %v, want %q", c.c.Name, c.levels, err, c.want)
		}
	}
	for _, c := range []struct{ mod, name, want string }{
		{"visual", "snr_db", `no corruption "snr_db" of modality visual (valid: occlusion, pixel_noise)`},
		{"text", "blur", `declares no corruption of modality "text"`},
	} {
		if _, err := FindCorruption("av-digits", c.mod, c.name); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s.%s: %v, want %q", c.mod, c.name, err, c.want)
		}
	}
}

func TestAVDigitsCorrupt(t *testing.T) {
	d := openT(t, "av-digits", Config{})
	cd, ok := d.(Corrupter)
	if !ok {
		t.Fatal("av-digits is not a Corrupter")
	}
	clean := splitT(t, d, "test")
	idx := []int{0, 1, 2, 3}
	x0, err := clean.Load(idx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		mod, name string
		level     float64
		m         int // the modality that must change
	}{
		{"audio", "snr_db", 0, 0},
		{"visual", "occlusion", 0.5, 1},
		{"visual", "pixel_noise", 1, 1},
	} {
		s, err := cd.Corrupt("test", c.mod, c.name, c.level, 7, "t")
		if err != nil {
			t.Fatalf("%s.%s: %v", c.mod, c.name, err)
		}
		again, _ := cd.Corrupt("test", c.mod, c.name, c.level, 7, "t")
		other, _ := cd.Corrupt("test", c.mod, c.name, c.level, 8, "t")
		x, _ := s.Load(idx, nil)
		y, _ := again.Load(idx, nil)
		z, _ := other.Load(idx, nil)
		if !slices.Equal(x[c.m].Data, y[c.m].Data) {
			t.Errorf("%s.%s: two calls differ", c.mod, c.name)
		}
		if slices.Equal(x[c.m].Data, z[c.m].Data) {
			t.Errorf("%s.%s: another seed gives the same inputs", c.mod, c.name)
		}
		if slices.Equal(x[c.m].Data, x0[c.m].Data) {
			t.Errorf("%s.%s: the modality is unchanged", c.mod, c.name)
		}
		if o := 1 - c.m; !slices.Equal(x[o].Data, x0[o].Data) {
			t.Errorf("%s.%s: the other modality changed", c.mod, c.name)
		}
		if !slices.Equal(s.Labels(), clean.Labels()) {
			t.Errorf("%s.%s: labels changed", c.mod, c.name)
		}
	}
	// The clean split itself is untouched by corrupting it.
	if x, _ := clean.Load(idx, nil); !slices.Equal(x[1].Data, x0[1].Data) || !slices.Equal(x[0].Data, x0[0].Data) {
		t.Error("Corrupt modified the stored test split")
	}
	// Occlusion 1 makes the whole image the standardised black pixel, the
	// value a raw 0 takes: the minimum of the clean (noisy) test images is
	// below it, but every occluded pixel is the same.
	s, _ := cd.Corrupt("test", "visual", "occlusion", 1, 7, "t")
	x, _ := s.Load(idx, nil)
	for _, v := range x[1].Data {
		if v != x[1].Data[0] {
			t.Fatalf("occlusion 1 left pixel %v next to %v", v, x[1].Data[0])
		}
	}
	// The spectrogram moves little at 60 dB and much at 0 dB (mean absolute
	// change in standard deviations; log spectrograms of near-silent frames
	// move even at high SNR, so not the maximum).
	meanDiff := func(db float64) float64 {
		s, _ := cd.Corrupt("test", "audio", "snr_db", db, 7, "t")
		x, _ := s.Load(idx, nil)
		var sum float64
		for i, v := range x[0].Data {
			sum += math.Abs(float64(v - x0[0].Data[i]))
		}
		return sum / float64(len(x[0].Data))
	}
	hi, lo := meanDiff(60), meanDiff(0)
	if !(hi < 0.05 && lo > 10*hi) {
		t.Errorf("mean spectrogram change %v at 60 dB and %v at 0 dB; want below 0.05 and ten times more", hi, lo)
	}
	// The memoised spectrograms are those computed afresh.
	s, _ = cd.Corrupt("test", "audio", "snr_db", 0, 7, "t")
	fresh, err := d.(*avDigitsData).noisyAudio(d.(*avDigitsData).files["test"], 0, 7, "t")
	if x, _ := s.Load(idx, nil); err != nil || !slices.Equal(x[0].Data, fresh.Data[:len(x[0].Data)]) {
		t.Errorf("memoised audio corruption differs from a fresh one (%v)", err)
	}
	if _, err := cd.Corrupt("test", "visual", "occlusion", 2, 7, "t"); err == nil || !strings.Contains(err.Error(), "outside [0, 1]") {
		t.Errorf("occlusion 2: %v", err)
	}
}
