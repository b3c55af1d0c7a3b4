package loaders

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-audio/audio"
	"github.com/go-audio/wav"
)

// writeGoAudioWAV writes interleaved integer samples with go-audio's encoder
// (8-bit values are unsigned 0..255, float32 samples are passed as their bit
// patterns) and returns the file path.
func writeGoAudioWAV(t testing.TB, dir string, rate, bits, channels, format int, data []int) string {
	t.Helper()
	path := filepath.Join(dir, "x.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := wav.NewEncoder(f, rate, bits, channels, format)
	buf := &audio.IntBuffer{Data: data, Format: &audio.Format{NumChannels: channels, SampleRate: rate}, SourceBitDepth: bits}
	if err := enc.Write(buf); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// rawChunk is one RIFF chunk for rawWAV.
type rawChunk struct {
	id   string
	body []byte
	size int // declared size; -1 means len(body)
}

// fmtBody builds a 16-byte fmt chunk body.
func fmtBody(format, channels, rate, bits int) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint16(b[0:], uint16(format))
	binary.LittleEndian.PutUint16(b[2:], uint16(channels))
	binary.LittleEndian.PutUint32(b[4:], uint32(rate))
	binary.LittleEndian.PutUint32(b[8:], uint32(rate*channels*bits/8))
	binary.LittleEndian.PutUint16(b[12:], uint16(channels*bits/8))
	binary.LittleEndian.PutUint16(b[14:], uint16(bits))
	return b
}

// rawWAV assembles a RIFF/WAVE file from chunks, padding odd bodies.
func rawWAV(chunks ...rawChunk) []byte {
	var body bytes.Buffer
	body.WriteString("WAVE")
	for _, c := range chunks {
		body.WriteString(c.id)
		n := c.size
		if n < 0 {
			n = len(c.body)
		}
		binary.Write(&body, binary.LittleEndian, uint32(n))
		body.Write(c.body)
		if len(c.body)%2 == 1 {
			body.WriteByte(0)
		}
	}
	var out bytes.Buffer
	out.WriteString("RIFF")
	binary.Write(&out, binary.LittleEndian, uint32(body.Len()))
	out.Write(body.Bytes())
	return out.Bytes()
}

func le(vals ...any) []byte {
	var b bytes.Buffer
	for _, v := range vals {
		binary.Write(&b, binary.LittleEndian, v)
	}
	return b.Bytes()
}

func f32bits(v float32) int { return int(int32(math.Float32bits(v))) }

func TestReadWAVGoAudioFormats(t *testing.T) {
	cases := []struct {
		name                   string
		bits, channels, format int
		data                   []int
		want                   []float32
	}{
		{"pcm8 mono", 8, 1, 1, []int{0, 64, 128, 192, 255}, []float32{-1, -0.5, 0, 0.5, 127.0 / 128}},
		{"pcm8 stereo", 8, 2, 1, []int{0, 128, 255, 255}, []float32{-0.5, 127.0 / 128}},
		{"pcm16 stereo", 16, 2, 1, []int{-32768, 0, 16384, 16384, 32767, -32767}, []float32{-0.5, 0.5, 0}},
		{"pcm24 mono", 24, 1, 1, []int{-8388608, 4194304, 8388607, -1}, []float32{-1, 0.5, 8388607.0 / 8388608, -1.0 / 8388608}},
		{"pcm32 mono", 32, 1, 1, []int{-2147483648, 1073741824, 2147483647}, []float32{-1, 0.5, 1}},
		{"float32 stereo", 32, 2, 3, []int{f32bits(0.25), f32bits(-0.75), f32bits(1), f32bits(1), f32bits(-0.125), f32bits(0)}, []float32{-0.25, 1, -0.0625}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeGoAudioWAV(t, t.TempDir(), 16000, c.bits, c.channels, c.format, c.data)
			got, rate, err := ReadWAV(path)
			if err != nil {
				t.Fatal(err)
			}
			if rate != 16000 {
				t.Errorf("rate %d, want 16000", rate)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d samples %v, want %v", len(got), got, c.want)
			}
			for i := range got {
				if math.Abs(float64(got[i]-c.want[i])) > 1e-7 {
					t.Errorf("sample %d: got %v, want %v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestDecodeWAVRaw(t *testing.T) {
	ext := make([]byte, 40)
	copy(ext, fmtBody(0xFFFE, 1, 8000, 32))
	binary.LittleEndian.PutUint16(ext[16:], 22)
	binary.LittleEndian.PutUint16(ext[24:], 3) // KSDATAFORMAT_SUBTYPE_IEEE_FLOAT starts 03 00
	cases := []struct {
		name string
		file []byte
		want []float32
	}{
		{"float64 mono", rawWAV(rawChunk{"fmt ", fmtBody(3, 1, 8000, 64), -1}, rawChunk{"data", le(0.5, -0.25), -1}), []float32{0.5, -0.25}},
		{"extensible float32", rawWAV(rawChunk{"fmt ", ext, -1}, rawChunk{"data", le(float32(0.75)), -1}), []float32{0.75}},
		{"LIST INFO before data", rawWAV(rawChunk{"fmt ", fmtBody(1, 1, 8000, 16), -1},
			rawChunk{"LIST", append([]byte("INFOINAM"), le(uint32(3), []byte("ab\x00"), byte(0))...), -1},
			rawChunk{"data", le(int16(16384)), -1}), []float32{0.5}},
		{"odd pcm8 data with pad", rawWAV(rawChunk{"fmt ", fmtBody(1, 1, 8000, 8), -1}, rawChunk{"data", []byte{128, 0, 255}, -1}), []float32{0, -1, 127.0 / 128}},
		{"junk chunk before fmt", rawWAV(rawChunk{"JUNK", make([]byte, 6), -1}, rawChunk{"fmt ", fmtBody(1, 1, 8000, 16), -1}, rawChunk{"data", le(int16(-16384)), -1}), []float32{-0.5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, rate, err := DecodeWAV(bytes.NewReader(c.file))
			if err != nil {
				t.Fatal(err)
			}
			if rate != 8000 {
				t.Errorf("rate %d", rate)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("sample %d: got %v, want %v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestDecodeWAVErrors(t *testing.T) {
	pcm16 := rawChunk{"fmt ", fmtBody(1, 1, 8000, 16), -1}
	cases := []struct {
		name, file, want string
	}{
		{"empty", "", "not a RIFF/WAVE"},
		{"not riff", "RIFX\x04\x00\x00\x00WAVE", "not a RIFF/WAVE"},
		{"not wave", string(rawWAV()[:8]) + "AVI ", "not a RIFF/WAVE"},
		{"adpcm", string(rawWAV(rawChunk{"fmt ", fmtBody(2, 1, 8000, 4), -1}, rawChunk{"data", []byte{1, 2}, -1})), "unsupported format 2 (MS ADPCM)"},
		{"mu-law", string(rawWAV(rawChunk{"fmt ", fmtBody(7, 1, 8000, 8), -1}, rawChunk{"data", []byte{1, 2}, -1})), "mu-law"},
		{"pcm 12 bit", string(rawWAV(rawChunk{"fmt ", fmtBody(1, 1, 8000, 12), -1}, rawChunk{"data", []byte{1, 2}, -1})), "bit depth 12"},
		{"zero channels", string(rawWAV(rawChunk{"fmt ", fmtBody(1, 0, 8000, 16), -1}, rawChunk{"data", []byte{1, 2}, -1})), "zero channels"},
		{"zero rate", string(rawWAV(rawChunk{"fmt ", fmtBody(1, 1, 0, 16), -1}, rawChunk{"data", []byte{1, 2}, -1})), "0 Hz"},
		{"short fmt", string(rawWAV(rawChunk{"fmt ", make([]byte, 10), -1}, rawChunk{"data", []byte{1, 2}, -1})), "fmt chunk of 10 bytes"},
		{"no data", string(rawWAV(pcm16)), "no data chunk"},
		{"no fmt", string(rawWAV(rawChunk{"data", []byte{1, 2}, -1})), "no fmt chunk"},
		{"truncated data", string(rawWAV(pcm16, rawChunk{"data", []byte{1, 2}, 4000})), "truncated: data chunk declares 4000 bytes"},
		{"partial frame", string(rawWAV(pcm16, rawChunk{"data", []byte{1, 2, 3}, -1})), "not a whole number of 2-byte frames"},
		{"empty data", string(rawWAV(pcm16, rawChunk{"data", nil, -1})), "no samples"},
		{"hostile LIST size", string(rawWAV(pcm16, rawChunk{"LIST", []byte("INFO"), 0x7fffffff}, rawChunk{"data", []byte{1, 2}, -1})), "chunk \"LIST\""},
		{"hostile INFO entry", string(rawWAV(rawChunk{"LIST", append([]byte("INFOINAM"), le(uint32(0xfffffff0))...), -1}, pcm16, rawChunk{"data", []byte{1, 2}, -1})), "INFO sub-chunk"},
		{"nan float", string(rawWAV(rawChunk{"fmt ", fmtBody(3, 1, 8000, 32), -1}, rawChunk{"data", le(float32(math.NaN())), -1})), "not finite"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := DecodeWAV(strings.NewReader(c.file))
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestReadWAVNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.wav")
	if err := os.WriteFile(path, []byte("RIFF"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := ReadWAV(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v does not name %s", err, path)
	}
	if _, _, err := ReadWAV(filepath.Join(t.TempDir(), "missing.wav")); err == nil || !strings.Contains(err.Error(), "missing.wav") {
		t.Fatalf("error %v does not name the missing file", err)
	}
}
