package loaders

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/miebench/miebench/nn"
)

// cacheMagic starts every cache entry; the digit is the format version.
const cacheMagic = "MIETNSR1"

// cacheExt is the file name extension of cache entries.
const cacheExt = ".tensor"

// cacheMaxDims bounds the rank of a cached tensor.
const cacheMaxDims = 16

// Cache stores preprocessed tensors on disk under Dir, one file per key, so
// that a second run skips decoding. A nil *Cache or an empty Dir disables
// caching: Get then simply calls build.
//
// An entry is: the 8-byte magic "MIETNSR1", the rank (uint32), each
// dimension (uint64), the element count (uint64), the float32 data, and a
// CRC-32 (IEEE) of all preceding bytes, everything little-endian. An entry
// that is truncated, has a wrong length or checksum, or cannot be parsed is
// treated as missing: it is rebuilt and overwritten. Entries are written to
// a temporary file in Dir and renamed into place, so readers never see a
// partial entry and concurrent writers of one key are harmless.
type Cache struct {
	Dir string
}

// Get returns the tensor cached under key, or calls build, stores its
// result and returns it. key must be a non-empty file-name-safe string
// (letters, digits, '.', '_', '-', not starting with '.'), such as the
// output of CacheKey. Errors from build are returned unchanged; a failure
// to write the entry is an error naming the file.
func (c *Cache) Get(key string, build func() (*nn.Tensor, error)) (*nn.Tensor, error) {
	if c == nil || c.Dir == "" {
		return build()
	}
	if err := checkCacheKey(key); err != nil {
		return nil, err
	}
	path := filepath.Join(c.Dir, key+cacheExt)
	if b, err := os.ReadFile(path); err == nil {
		if t, err := decodeCacheEntry(b); err == nil {
			return t, nil
		}
	}
	t, err := build()
	if err != nil {
		return nil, err
	}
	if err := c.write(key, path, t); err != nil {
		return nil, err
	}
	return t, nil
}

// write stores t atomically at path.
func (c *Cache) write(key, path string, t *nn.Tensor) error {
	b, err := encodeCacheEntry(t)
	if err != nil {
		return fmt.Errorf("loaders: cache entry %s: %w", path, err)
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("loaders: cache: %w", err)
	}
	f, err := os.CreateTemp(c.Dir, key+".tmp-*")
	if err != nil {
		return fmt.Errorf("loaders: cache: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("loaders: cache: write %s: %w", path, werr)
	}
	return nil
}

// checkCacheKey accepts keys that are safe as a single file name.
func checkCacheKey(key string) error {
	if key == "" || key[0] == '.' || len(key) > 200 {
		return fmt.Errorf("loaders: cache key %q must be 1-200 characters and not start with '.'", key)
	}
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("loaders: cache key %q has character %q; use letters, digits, '.', '_' and '-'", key, r)
		}
	}
	return nil
}

// encodeCacheEntry serialises t in the entry format described on Cache.
func encodeCacheEntry(t *nn.Tensor) ([]byte, error) {
	if len(t.Shape) > cacheMaxDims {
		return nil, fmt.Errorf("rank %d above %d", len(t.Shape), cacheMaxDims)
	}
	if nn.ShapeSize(t.Shape) != len(t.Data) {
		return nil, fmt.Errorf("shape %v does not match %d elements", t.Shape, len(t.Data))
	}
	b := make([]byte, 0, len(cacheMagic)+4+8*len(t.Shape)+8+4*len(t.Data)+4)
	b = append(b, cacheMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(t.Shape)))
	for _, d := range t.Shape {
		b = binary.LittleEndian.AppendUint64(b, uint64(d))
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(len(t.Data)))
	for _, v := range t.Data {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

// decodeCacheEntry parses and verifies an entry.
func decodeCacheEntry(b []byte) (*nn.Tensor, error) {
	if len(b) < len(cacheMagic)+4+8+4 || string(b[:len(cacheMagic)]) != cacheMagic {
		return nil, errors.New("not a cache entry")
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errors.New("checksum mismatch")
	}
	p := len(cacheMagic)
	rank := int(binary.LittleEndian.Uint32(body[p:]))
	p += 4
	if rank > cacheMaxDims || len(body) < p+8*rank+8 {
		return nil, errors.New("bad rank")
	}
	shape := make([]int, rank)
	n := uint64(1)
	for i := range shape {
		d := binary.LittleEndian.Uint64(body[p:])
		p += 8
		if d > uint64(len(body)) || (d > 0 && n > uint64(len(body))/d) {
			return nil, errors.New("dimension larger than the entry")
		}
		shape[i] = int(d)
		n *= d
	}
	length := binary.LittleEndian.Uint64(body[p:])
	p += 8
	if length != n || uint64(len(body)-p) != 4*n {
		return nil, errors.New("length does not match the shape or the file size")
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[p+4*i:]))
	}
	return nn.FromSlice(data, shape...), nil
}

// CacheKey derives a cache key from parts (source content hashes,
// preprocessing parameters, format versions): the hex SHA-256 of the parts,
// each prefixed by its length so that ("ab", "c") and ("a", "bc") differ.
func CacheKey(parts ...string) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.LittleEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// FileHash returns the hex SHA-256 of a file's content.
func FileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("loaders: hash: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("loaders: hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
