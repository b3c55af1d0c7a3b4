package loaders

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/miebench/miebench/nn"
)

// maxIDXBytes bounds the payload an IDX header may declare (2 GiB); the
// payload is read incrementally, so a header alone never allocates it.
const maxIDXBytes = 1 << 31

// idxTypeNames names the IDX element type codes for error messages.
var idxTypeNames = map[byte]string{0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64"}

// ReadIDXImages reads an IDX file of unsigned bytes with 3 dimensions
// (the MNIST image format, magic 0x00000803), gzip-compressed or not, and
// returns a [N, rows, cols] tensor with pixels scaled to [0, 1] (v/255).
func ReadIDXImages(path string) (*nn.Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("loaders: read idx: %w", err)
	}
	defer f.Close()
	t, err := DecodeIDXImages(f)
	if err != nil {
		return nil, fmt.Errorf("loaders: idx %s: %w", path, err)
	}
	return t, nil
}

// ReadIDXLabels reads an IDX file of unsigned bytes with 1 dimension (the
// MNIST label format, magic 0x00000801), gzip-compressed or not.
func ReadIDXLabels(path string) ([]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("loaders: read idx: %w", err)
	}
	defer f.Close()
	l, err := DecodeIDXLabels(f)
	if err != nil {
		return nil, fmt.Errorf("loaders: idx %s: %w", path, err)
	}
	return l, nil
}

// DecodeIDXImages is ReadIDXImages on a stream. Gzip is recognised by its
// magic bytes (1f 8b), not by a file name.
func DecodeIDXImages(r io.Reader) (*nn.Tensor, error) {
	dims, data, err := decodeIDX(r, 3)
	if err != nil {
		return nil, err
	}
	t := nn.NewTensor(dims...)
	for i, v := range data {
		t.Data[i] = float32(v) / 255
	}
	return t, nil
}

// DecodeIDXLabels is ReadIDXLabels on a stream.
func DecodeIDXLabels(r io.Reader) ([]int, error) {
	_, data, err := decodeIDX(r, 1)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(data))
	for i, v := range data {
		out[i] = int(v)
	}
	return out, nil
}

// decodeIDX reads an unsigned-byte IDX stream with exactly ndim dimensions,
// all >= 1, and a payload of exactly their product in bytes.
func decodeIDX(r io.Reader, ndim int) ([]int, []byte, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip header: %w", err)
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, nil, fmt.Errorf("truncated IDX magic: %w", err)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, nil, fmt.Errorf("not an IDX file: magic % x does not start with 00 00", magic)
	}
	if magic[2] != 0x08 {
		name, ok := idxTypeNames[magic[2]]
		if !ok {
			name = "unknown"
		}
		return nil, nil, fmt.Errorf("IDX element type 0x%02x (%s) not supported, want 0x08 (unsigned byte)", magic[2], name)
	}
	if int(magic[3]) != ndim {
		return nil, nil, fmt.Errorf("IDX file has %d dimensions, want %d", magic[3], ndim)
	}
	dims := make([]int, ndim)
	size := int64(1)
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, nil, fmt.Errorf("truncated IDX header at dimension %d: %w", i, err)
		}
		if d == 0 {
			return nil, nil, fmt.Errorf("IDX dimension %d is 0", i)
		}
		dims[i] = int(d)
		size *= int64(d)
		if size > maxIDXBytes {
			return nil, nil, fmt.Errorf("IDX header declares dimensions %v, more than %d bytes", dims[:i+1], int64(maxIDXBytes))
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, size+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read IDX payload: %w", err)
	}
	switch {
	case int64(len(data)) < size:
		return nil, nil, fmt.Errorf("truncated IDX payload: dimensions %v need %d bytes, have %d", dims, size, len(data))
	case int64(len(data)) > size:
		return nil, nil, fmt.Errorf("IDX payload longer than dimensions %v declare (%d bytes)", dims, size)
	}
	return dims, data, nil
}
