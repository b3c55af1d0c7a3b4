package loaders

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"
)

// npzMaxEntry bounds the uncompressed size of one .npz member (8 GiB).
const npzMaxEntry = 8 << 30

// ReadNPZ reads a NumPy .npz archive (numpy.savez or savez_compressed):
// every member <name>.npy, keyed by name. Each member is parsed as ReadNPY
// parses a file (strict header, exact payload length); float32 and float64
// members fill Array.Float, integer and bool members Array.Int. Errors name
// the archive and the member.
func ReadNPZ(path string) (map[string]Array, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loaders: read npz: %w", err)
	}
	m, err := DecodeNPZ(b)
	if err != nil {
		return nil, fmt.Errorf("loaders: npz %s: %w", path, err)
	}
	return m, nil
}

// DecodeNPZ is ReadNPZ on the bytes of a file.
func DecodeNPZ(b []byte) (map[string]Array, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("not a zip archive (truncated or corrupt): %w", err)
	}
	out := map[string]Array{}
	for _, f := range zr.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok || name == "" {
			return nil, fmt.Errorf("member %q is not a .npy array", f.Name)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("member %q repeated", f.Name)
		}
		if f.UncompressedSize64 > npzMaxEntry {
			return nil, fmt.Errorf("member %q declares %d bytes, more than %d", f.Name, f.UncompressedSize64, npzMaxEntry)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("member %q: %w", f.Name, err)
		}
		// The declared size bounds the read; a member longer or shorter
		// than declared is corrupt (zip's reader checks the CRC at EOF).
		data, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("member %q: %w", f.Name, err)
		}
		if uint64(len(data)) != f.UncompressedSize64 {
			return nil, fmt.Errorf("member %q has %d bytes, its header declares %d", f.Name, len(data), f.UncompressedSize64)
		}
		a, err := decodeNPYArray(data)
		if err != nil {
			return nil, fmt.Errorf("member %q: %w", f.Name, err)
		}
		out[name] = a
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("archive holds no arrays")
	}
	return out, nil
}

// npyDTypes maps .npy type codes to Array dtypes.
var npyDTypes = map[string]string{
	"f2": "float16", "f4": "float32", "f8": "float64",
	"i1": "int8", "i2": "int16", "i4": "int32", "i8": "int64",
	"u1": "uint8", "u2": "uint16", "u4": "uint32", "u8": "uint64",
	"b1": "bool",
}

// decodeNPYArray parses one .npy file (as parseNPY) into an Array.
func decodeNPYArray(b []byte) (Array, error) {
	h, payload, err := parseNPY(b)
	if err != nil {
		return Array{}, err
	}
	dtype := npyDTypes[npyTypeCode(h.descr)]
	var order binary.ByteOrder = binary.LittleEndian
	if h.descr[0] == '>' {
		order = binary.BigEndian
	}
	a, err := decodeElems(dtype, order, h.shape, payload)
	if err != nil {
		return Array{}, err
	}
	if h.fortran {
		if a.Float != nil {
			a.Float = reorderFortran(a.Float, a.Shape)
		} else {
			a.Int = reorderFortran(a.Int, a.Shape)
		}
	}
	return a, nil
}
