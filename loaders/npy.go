package loaders

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/sbinet/npyio"

	"github.com/miebench/miebench/nn"
)

// npyMaxElems bounds the number of elements an .npy header may declare; the
// payload length is checked against the header before anything is decoded.
const npyMaxElems = 1 << 31

// npyHeader is a parsed .npy header dictionary.
type npyHeader struct {
	descr   string // e.g. "<f4"
	fortran bool
	shape   []int
}

// elems is the number of array elements.
func (h npyHeader) elems() int { return nn.ShapeSize(h.shape) }

// shapeString formats the shape as numpy's repr of a tuple.
func (h npyHeader) shapeString() string {
	parts := make([]string, len(h.shape))
	for i, d := range h.shape {
		parts[i] = strconv.Itoa(d)
	}
	switch len(parts) {
	case 0:
		return "()"
	case 1:
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// npyItemSizes gives the element size of the dtypes read here, keyed by
// the type code without its byte-order character.
var npyItemSizes = map[string]int{
	"f2": 2, "f4": 4, "f8": 8, "b1": 1,
	"i1": 1, "i2": 2, "i4": 4, "i8": 8,
	"u1": 1, "u2": 2, "u4": 4, "u8": 8,
}

// ReadNPY reads a NumPy .npy file holding a float32 array ("<f4", ">f4" or
// "|f4") and returns it as a tensor of the same shape (row-major; Fortran-
// order files are transposed). float64 arrays are accepted too and
// converted to float32 (values beyond float32's range become +-Inf); any
// other dtype is an error naming it and the file.
func ReadNPY(path string) (*nn.Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loaders: read npy: %w", err)
	}
	t, err := DecodeNPY(b)
	if err != nil {
		return nil, fmt.Errorf("loaders: npy %s: %w", path, err)
	}
	return t, nil
}

// ReadNPYLabels reads a NumPy .npy file holding a 1-d (or N x 1) array of
// integers of any width (int8..int64, uint8..uint64) as class indices.
func ReadNPYLabels(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loaders: read npy: %w", err)
	}
	l, err := DecodeNPYLabels(b)
	if err != nil {
		return nil, fmt.Errorf("loaders: npy %s: %w", path, err)
	}
	return l, nil
}

// DecodeNPY is ReadNPY on the bytes of a file.
//
// The header is parsed strictly here (a Python dict literal with exactly
// the keys descr, fortran_order and shape; the payload must have exactly
// the length the shape and dtype declare); the payload is then decoded by
// github.com/sbinet/npyio behind a canonical header, so a hostile header
// can neither crash that parser nor make it allocate beyond the input.
func DecodeNPY(b []byte) (*nn.Tensor, error) {
	h, payload, err := parseNPY(b)
	if err != nil {
		return nil, err
	}
	var data []float32
	switch npyTypeCode(h.descr) {
	case "f4":
		if data, err = npyDecode[float32](h, payload); err != nil {
			return nil, err
		}
	case "f8":
		d64, err := npyDecode[float64](h, payload)
		if err != nil {
			return nil, err
		}
		data = make([]float32, len(d64))
		for i, v := range d64 {
			data[i] = float32(v)
		}
	default:
		return nil, fmt.Errorf("dtype %q is not float32 ('<f4'; float64 '<f8' is converted)", h.descr)
	}
	if h.fortran {
		data = reorderFortran(data, h.shape)
	}
	return nn.FromSlice(data, h.shape...), nil
}

// DecodeNPYLabels is ReadNPYLabels on the bytes of a file.
func DecodeNPYLabels(b []byte) ([]int, error) {
	h, payload, err := parseNPY(b)
	if err != nil {
		return nil, err
	}
	if !(len(h.shape) == 1 || len(h.shape) == 2 && h.shape[1] == 1) {
		return nil, fmt.Errorf("labels must have shape (N,) or (N, 1), have %s", h.shapeString())
	}
	var out []int
	switch npyTypeCode(h.descr) {
	case "i1":
		out, err = npyInts[int8](h, payload)
	case "i2":
		out, err = npyInts[int16](h, payload)
	case "i4":
		out, err = npyInts[int32](h, payload)
	case "i8":
		out, err = npyInts[int64](h, payload)
	case "u1":
		out, err = npyInts[uint8](h, payload)
	case "u2":
		out, err = npyInts[uint16](h, payload)
	case "u4":
		out, err = npyInts[uint32](h, payload)
	case "u8":
		var u []uint64
		if u, err = npyDecode[uint64](h, payload); err == nil {
			out = make([]int, len(u))
			for i, v := range u {
				if v > math.MaxInt64 {
					return nil, fmt.Errorf("label %d = %d overflows int", i, v)
				}
				out[i] = int(v)
			}
		}
	default:
		return nil, fmt.Errorf("labels dtype %q is not an integer type", h.descr)
	}
	return out, err
}

// npyInts decodes an integer payload and widens it to int.
func npyInts[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](h npyHeader, payload []byte) ([]int, error) {
	v, err := npyDecode[T](h, payload)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out, nil
}

// npyDecode hands the payload to npyio behind a canonical version-1 header
// describing h in C order, and reads it into a []T.
func npyDecode[T any](h npyHeader, payload []byte) ([]T, error) {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", h.descr, h.shapeString())
	total := 10 + len(dict) + 1
	pad := (64 - total%64) % 64
	hdr := dict + strings.Repeat(" ", pad) + "\n"
	if len(hdr) > math.MaxUint16 {
		return nil, fmt.Errorf("header of %d bytes too long", len(hdr))
	}
	var buf bytes.Buffer
	buf.Write(npyio.Magic[:])
	buf.Write([]byte{1, 0})
	binary.Write(&buf, binary.LittleEndian, uint16(len(hdr)))
	buf.WriteString(hdr)
	buf.Write(payload)
	r, err := npyio.NewReader(&buf)
	if err != nil {
		return nil, fmt.Errorf("npyio: %w", err)
	}
	var out []T
	if err := r.Read(&out); err != nil {
		return nil, fmt.Errorf("npyio: decode %s data: %w", h.descr, err)
	}
	if len(out) != h.elems() {
		return nil, fmt.Errorf("npyio decoded %d elements, shape %s has %d", len(out), h.shapeString(), h.elems())
	}
	return out, nil
}

// npyTypeCode strips the byte-order character from a simple dtype string.
func npyTypeCode(descr string) string {
	if descr != "" && strings.ContainsRune("<>|=", rune(descr[0])) {
		return descr[1:]
	}
	return descr
}

// parseNPY checks the magic, version and header of an .npy file and
// returns the header and the payload, whose length it checks against the
// header's shape and dtype.
func parseNPY(b []byte) (npyHeader, []byte, error) {
	var h npyHeader
	if len(b) < 10 || !bytes.Equal(b[:6], npyio.Magic[:]) {
		return h, nil, errors.New("not a NumPy .npy file: missing the \\x93NUMPY magic")
	}
	var hlen, start int
	switch b[6] {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return h, nil, errors.New("truncated .npy header")
		}
		hlen, start = int(binary.LittleEndian.Uint32(b[8:12])), 12
	default:
		return h, nil, fmt.Errorf("unsupported .npy format version %d.%d", b[6], b[7])
	}
	if hlen > len(b)-start {
		return h, nil, fmt.Errorf("truncated .npy header: declares %d bytes, file has %d after the preamble", hlen, len(b)-start)
	}
	h, err := parseNPYDict(string(b[start : start+hlen]))
	if err != nil {
		return h, nil, fmt.Errorf("npy header: %w", err)
	}
	payload := b[start+hlen:]
	size, ok := npyItemSizes[npyTypeCode(h.descr)]
	if !ok {
		return h, nil, fmt.Errorf("dtype %q is not supported (want float32, float64 or an integer type)", h.descr)
	}
	// Normalise the byte order for npyio: '>' stays big-endian, '<', '=',
	// '|' and none mean little-endian (the native order of every platform
	// miebench builds for); 1-byte types carry '|'.
	switch code := npyTypeCode(h.descr); {
	case size == 1:
		h.descr = "|" + code
	case h.descr[0] == '>':
		h.descr = ">" + code
	default:
		h.descr = "<" + code
	}
	if want := h.elems() * size; len(payload) != want {
		return h, nil, fmt.Errorf("payload has %d bytes, shape %s of %s needs %d", len(payload), h.shapeString(), h.descr, want)
	}
	return h, payload, nil
}

// parseNPYDict parses the header dictionary literal, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// followed by spaces and a newline.
func parseNPYDict(s string) (npyHeader, error) {
	var h npyHeader
	p := &pyLiteral{s: s}
	if !p.eat('{') {
		return h, errors.New("header is not a dict literal")
	}
	seen := map[string]bool{}
	for {
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return h, err
		}
		if seen[key] {
			return h, fmt.Errorf("key %q repeated", key)
		}
		seen[key] = true
		if !p.eat(':') {
			return h, fmt.Errorf("missing ':' after key %q", key)
		}
		switch key {
		case "descr":
			if h.descr, err = p.str(); err != nil {
				return h, fmt.Errorf("descr: %w (structured dtypes are not supported)", err)
			}
		case "fortran_order":
			switch {
			case p.word("True"):
				h.fortran = true
			case p.word("False"):
				h.fortran = false
			default:
				return h, errors.New("fortran_order is not True or False")
			}
		case "shape":
			if h.shape, err = p.intTuple(); err != nil {
				return h, fmt.Errorf("shape: %w", err)
			}
		default:
			return h, fmt.Errorf("unexpected key %q", key)
		}
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			break
		}
		return h, fmt.Errorf("expected ',' or '}' after the value of %q", key)
	}
	if rest := strings.TrimRight(p.s[p.i:], " \t\n\r\x00"); rest != "" {
		return h, fmt.Errorf("unexpected text %q after the dict", rest)
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("key %q missing", k)
		}
	}
	return h, nil
}

// pyLiteral is a cursor over a Python literal.
type pyLiteral struct {
	s string
	i int
}

func (p *pyLiteral) skip() {
	for p.i < len(p.s) && strings.IndexByte(" \t\n\r", p.s[p.i]) >= 0 {
		p.i++
	}
}

// eat consumes c after optional whitespace.
func (p *pyLiteral) eat(c byte) bool {
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// word consumes the identifier w after optional whitespace.
func (p *pyLiteral) word(w string) bool {
	p.skip()
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

// str consumes a quoted string without escapes.
func (p *pyLiteral) str() (string, error) {
	p.skip()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", errors.New("expected a quoted string")
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", errors.New("unterminated string")
	}
	v := p.s[p.i+1 : p.i+1+end]
	if strings.ContainsAny(v, "\\\n") {
		return "", fmt.Errorf("string %q has escapes or newlines", v)
	}
	p.i += end + 2
	return v, nil
}

// intTuple consumes a tuple of non-negative integers, e.g. (), (3,), (2, 3).
func (p *pyLiteral) intTuple() ([]int, error) {
	if !p.eat('(') {
		return nil, errors.New("expected a tuple")
	}
	shape := []int{}
	total := 1
	for {
		if p.eat(')') {
			return shape, nil
		}
		p.skip()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		if j == p.i {
			return nil, fmt.Errorf("expected a non-negative integer at %q", p.s[p.i:min(len(p.s), p.i+10)])
		}
		d, err := strconv.Atoi(p.s[p.i:j])
		if err != nil || d > npyMaxElems {
			return nil, fmt.Errorf("dimension %q out of range", p.s[p.i:j])
		}
		p.i = j
		if j < len(p.s) && p.s[j] == 'L' { // Python 2 long suffix
			p.i++
		}
		shape = append(shape, d)
		if d > 0 && total > npyMaxElems/d {
			return nil, fmt.Errorf("more than %d elements", npyMaxElems)
		}
		total *= d
		if !p.eat(',') {
			if p.eat(')') {
				return shape, nil
			}
			return nil, errors.New("expected ',' or ')'")
		}
	}
}
