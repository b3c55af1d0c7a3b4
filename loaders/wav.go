package loaders

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/go-audio/wav"
)

// WAVE format codes from the fmt chunk.
const (
	wavFormatPCM        = 1
	wavFormatFloat      = 3
	wavFormatExtensible = 0xFFFE
)

// wavLayout is what the strict pre-scan of a RIFF/WAVE stream found.
type wavLayout struct {
	format   uint16 // effective format code (the sub-format for WAVE_FORMAT_EXTENSIBLE)
	rawFmt   uint16 // the code as written in the fmt chunk
	channels int
	rate     int
	bits     int
	dataOff  int64 // offset of the first byte of sample data
	dataLen  int64 // declared length of the data chunk in bytes
}

// ReadWAV reads a WAV file and returns its samples mixed to mono and scaled
// to [-1, 1], and its sample rate in Hz. See DecodeWAV for the formats.
func ReadWAV(path string) (samples []float32, rate int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("loaders: read wav: %w", err)
	}
	defer f.Close()
	samples, rate, err = DecodeWAV(f)
	if err != nil {
		return nil, 0, fmt.Errorf("loaders: wav %s: %w", path, err)
	}
	return samples, rate, nil
}

// DecodeWAV decodes a RIFF/WAVE stream: integer PCM with 8 (unsigned,
// re-centred at 128), 16, 24 or 32 bits, and IEEE float (format 3) with 32
// or 64 bits, also inside WAVE_FORMAT_EXTENSIBLE. Channels are averaged to
// mono; integer samples are divided by 2^(bits-1), so full scale maps to
// [-1, 1); float samples are taken as they are and must be finite.
//
// The container is parsed by github.com/go-audio/wav after a strict scan of
// the chunk layout that rejects chunk sizes running past the end of the
// stream, so a hostile header cannot trigger a large allocation. The sample
// bytes are then decoded here, because go-audio reinterprets float data as
// integers. Errors say what is wrong (not RIFF/WAVE, unsupported format,
// truncated data, zero channels, ...).
func DecodeWAV(r io.ReadSeeker) ([]float32, int, error) {
	lay, err := scanWAV(r)
	if err != nil {
		return nil, 0, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, 0, fmt.Errorf("rewind: %w", err)
	}
	d := wav.NewDecoder(r)
	if err := d.FwdToPCM(); err != nil || d.PCMChunk == nil {
		if err == nil {
			err = d.Err()
		}
		return nil, 0, fmt.Errorf("go-audio could not locate the sample data: %v", err)
	}
	if int(d.NumChans) != lay.channels || int(d.SampleRate) != lay.rate ||
		int(d.BitDepth) != lay.bits || d.WavAudioFormat != lay.rawFmt {
		return nil, 0, fmt.Errorf("inconsistent fmt chunk: go-audio read %d channels, %d Hz, %d bits, format %d; scan read %d, %d, %d, %d",
			d.NumChans, d.SampleRate, d.BitDepth, d.WavAudioFormat, lay.channels, lay.rate, lay.bits, lay.rawFmt)
	}
	if pos, err := r.Seek(0, io.SeekCurrent); err != nil || pos != lay.dataOff {
		return nil, 0, fmt.Errorf("inconsistent chunk layout: sample data expected at offset %d, decoder is at %d", lay.dataOff, pos)
	}
	raw := make([]byte, lay.dataLen)
	if _, err := io.ReadFull(d.PCMChunk.R, raw); err != nil {
		return nil, 0, fmt.Errorf("truncated data chunk: %w", err)
	}
	out, err := decodeSamples(raw, lay)
	if err != nil {
		return nil, 0, err
	}
	return out, lay.rate, nil
}

// decodeSamples converts interleaved little-endian sample bytes to mono
// float32.
func decodeSamples(raw []byte, lay wavLayout) ([]float32, error) {
	bps := lay.bits / 8
	frame := bps * lay.channels
	if len(raw)%frame != 0 {
		return nil, fmt.Errorf("data chunk of %d bytes is not a whole number of %d-byte frames", len(raw), frame)
	}
	n := len(raw) / frame
	if n == 0 {
		return nil, errors.New("data chunk holds no samples")
	}
	var sample func(b []byte) float64
	switch {
	case lay.format == wavFormatPCM && lay.bits == 8:
		sample = func(b []byte) float64 { return (float64(b[0]) - 128) / 128 }
	case lay.format == wavFormatPCM && lay.bits == 16:
		sample = func(b []byte) float64 { return float64(int16(binary.LittleEndian.Uint16(b))) / (1 << 15) }
	case lay.format == wavFormatPCM && lay.bits == 24:
		sample = func(b []byte) float64 {
			v := int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8
			return float64(v) / (1 << 23)
		}
	case lay.format == wavFormatPCM && lay.bits == 32:
		sample = func(b []byte) float64 { return float64(int32(binary.LittleEndian.Uint32(b))) / (1 << 31) }
	case lay.format == wavFormatFloat && lay.bits == 32:
		sample = func(b []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))) }
	case lay.format == wavFormatFloat && lay.bits == 64:
		sample = func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }
	default:
		return nil, fmt.Errorf("unsupported sample format %d with %d bits", lay.format, lay.bits)
	}
	out := make([]float32, n)
	inv := 1 / float64(lay.channels)
	for i := range n {
		var s float64
		base := i * frame
		for c := range lay.channels {
			s += sample(raw[base+c*bps : base+(c+1)*bps])
		}
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("sample frame %d is not finite", i)
		}
		out[i] = float32(s * inv)
	}
	return out, nil
}

// scanWAV walks the RIFF chunk list of r without trusting any size field
// and returns the layout of the fmt and data chunks. It checks everything
// go-audio's decoder would otherwise allocate from: chunk sizes against the
// stream length, and LIST/INFO sub-chunk sizes against their parent.
func scanWAV(r io.ReadSeeker) (wavLayout, error) {
	var lay wavLayout
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return lay, fmt.Errorf("seek: %w", err)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return lay, fmt.Errorf("seek: %w", err)
	}
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return lay, fmt.Errorf("not a RIFF/WAVE file: %d bytes, too short for the 12-byte header", size)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return lay, fmt.Errorf("not a RIFF/WAVE file: header starts %q...%q", hdr[0:4], hdr[8:12])
	}
	var haveFmt, haveData bool
	pos := int64(12)
	for pos+8 <= size && !(haveFmt && haveData) {
		var ch [8]byte
		if _, err := r.Seek(pos, io.SeekStart); err != nil {
			return lay, fmt.Errorf("seek: %w", err)
		}
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return lay, fmt.Errorf("read chunk header at offset %d: %w", pos, err)
		}
		id := string(ch[0:4])
		n := int64(binary.LittleEndian.Uint32(ch[4:8]))
		body := pos + 8
		if body+n > size {
			if id == "data" {
				return lay, fmt.Errorf("truncated: data chunk declares %d bytes, only %d remain", n, size-body)
			}
			return lay, fmt.Errorf("truncated or corrupt: chunk %q at offset %d declares %d bytes, only %d remain", id, pos, n, size-body)
		}
		switch id {
		case "fmt ":
			if haveFmt {
				break
			}
			if err := parseFmt(r, n, &lay); err != nil {
				return lay, err
			}
			haveFmt = true
		case "data":
			if !haveData {
				lay.dataOff, lay.dataLen = body, n
				haveData = true
			}
		case "LIST":
			if err := checkList(r, n); err != nil {
				return lay, fmt.Errorf("LIST chunk at offset %d: %w", pos, err)
			}
		}
		pos = body + n + n%2
	}
	switch {
	case !haveFmt:
		return lay, errors.New("no fmt chunk")
	case !haveData:
		return lay, errors.New("no data chunk")
	}
	return lay, nil
}

// parseFmt reads a fmt chunk body of n bytes at the current position of r.
func parseFmt(r io.Reader, n int64, lay *wavLayout) error {
	if n < 16 {
		return fmt.Errorf("fmt chunk of %d bytes, need at least 16", n)
	}
	b := make([]byte, min(n, 40))
	if _, err := io.ReadFull(r, b); err != nil {
		return fmt.Errorf("read fmt chunk: %w", err)
	}
	lay.rawFmt = binary.LittleEndian.Uint16(b[0:2])
	lay.format = lay.rawFmt
	lay.channels = int(binary.LittleEndian.Uint16(b[2:4]))
	lay.rate = int(binary.LittleEndian.Uint32(b[4:8]))
	lay.bits = int(binary.LittleEndian.Uint16(b[14:16]))
	if lay.format == wavFormatExtensible {
		if len(b) < 26 {
			return fmt.Errorf("WAVE_FORMAT_EXTENSIBLE fmt chunk of %d bytes, need 40", n)
		}
		lay.format = binary.LittleEndian.Uint16(b[24:26])
	}
	if lay.channels == 0 {
		return errors.New("fmt chunk declares zero channels")
	}
	if lay.rate == 0 {
		return errors.New("fmt chunk declares a sample rate of 0 Hz")
	}
	switch {
	case lay.format == wavFormatPCM && (lay.bits == 8 || lay.bits == 16 || lay.bits == 24 || lay.bits == 32):
	case lay.format == wavFormatFloat && (lay.bits == 32 || lay.bits == 64):
	case lay.format == wavFormatPCM || lay.format == wavFormatFloat:
		return fmt.Errorf("unsupported bit depth %d for format %s", lay.bits, formatName(lay.format))
	default:
		return fmt.Errorf("unsupported format %s: only PCM (1) and IEEE float (3) are read", formatName(lay.format))
	}
	return nil
}

// checkList verifies that a LIST chunk body of n bytes at the current
// position of r holds, if it is an INFO list, sub-chunks that stay inside it.
func checkList(r io.Reader, n int64) error {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return err
	}
	if len(b) < 4 || !bytes.Equal(b[:4], []byte("INFO")) {
		return nil
	}
	// Trailing bytes too short for a sub-chunk header are harmless: the
	// decoder stops there. Only sizes that run past the list are rejected.
	for p := int64(4); p+8 <= n; {
		sub := int64(binary.LittleEndian.Uint32(b[p+4 : p+8]))
		if p+8+sub > n {
			return fmt.Errorf("INFO sub-chunk %q declares %d bytes, only %d remain", b[p:p+4], sub, n-p-8)
		}
		p += 8 + sub + sub%2
	}
	return nil
}

// formatName names a WAVE format code for error messages.
func formatName(code uint16) string {
	names := map[uint16]string{1: "PCM", 2: "MS ADPCM", 3: "IEEE float", 6: "A-law", 7: "mu-law",
		0x11: "IMA ADPCM", 0x55: "MPEG layer 3", wavFormatExtensible: "extensible"}
	if s, ok := names[code]; ok {
		return fmt.Sprintf("%d (%s)", code, s)
	}
	return fmt.Sprintf("%d", code)
}
