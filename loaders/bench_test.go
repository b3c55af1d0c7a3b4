package loaders

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func BenchmarkSpectrogram3s22k(b *testing.B) {
	x := tone(440, 22050, 3*22050)
	for b.Loop() {
		if _, err := Spectrogram(x, DefaultSpectrogram(22050)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResample3s(b *testing.B) {
	for _, c := range []struct {
		name     string
		from, to int
	}{{"8k-22k", 8000, 22050}, {"16k-22k", 16000, 22050}, {"44k-22k", 44100, 22050}} {
		x := tone(440, c.from, 3*c.from)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				Resample(x, c.from, c.to)
			}
		})
	}
}

func BenchmarkDecodeWAV16bit3s(b *testing.B) {
	file := rawWAV(rawChunk{"fmt ", fmtBody(1, 1, 22050, 16), -1}, rawChunk{"data", make([]byte, 2*3*22050), -1})
	for b.Loop() {
		if _, _, err := DecodeWAV(bytes.NewReader(file)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkImageTensor640x360(b *testing.B) {
	img := rampImage(640, 360)
	for _, train := range []bool{false, true} {
		name := "eval"
		if train {
			name = "train"
		}
		b.Run(name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			for b.Loop() {
				ImageTensor(img, DefaultImageConfig(train), rng)
			}
		})
	}
}
