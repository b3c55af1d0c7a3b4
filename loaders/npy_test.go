package loaders

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbinet/npyio"
)

// npyFile builds a version-1 .npy file from a header dict and payload.
func npyFile(dict string, payload []byte) []byte {
	hdr := dict + strings.Repeat(" ", (64-(10+len(dict)+1)%64)%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	b.WriteString(hdr)
	b.Write(payload)
	return b.Bytes()
}

func writeFile(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadNPYFloat(t *testing.T) {
	be := new(bytes.Buffer)
	binary.Write(be, binary.BigEndian, []float32{1.5, -2})
	cases := []struct {
		name  string
		file  []byte
		shape []int
		want  []float32
	}{
		{"f4 2x3", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", le([]float32{1, 2, 3, 4, 5, 6})), []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}},
		{"f4 fortran 2x3", npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", le([]float32{1, 4, 2, 5, 3, 6})), []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}},
		{"f4 fortran 2x2x2", npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2, 2), }", le([]float32{0, 4, 2, 6, 1, 5, 3, 7})), []int{2, 2, 2}, []float32{0, 1, 2, 3, 4, 5, 6, 7}},
		{"f8 converted", npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", le([]float64{0.5, -1, 1e300})), []int{3}, []float32{0.5, -1, float32(math.Inf(1))}},
		{"big-endian f4", npyFile("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", be.Bytes()), []int{2}, []float32{1.5, -2}},
		{"odd spacing, key order", npyFile(`{"shape":(1,2),"fortran_order":False,"descr":"<f4"}`, le([]float32{7, 8})), []int{1, 2}, []float32{7, 8}},
		{"empty 0x4", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", nil), []int{0, 4}, []float32{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x, err := ReadNPY(writeFile(t, "a.npy", c.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(x.Shape) != len(c.shape) {
				t.Fatalf("shape %v, want %v", x.Shape, c.shape)
			}
			for i := range c.shape {
				if x.Shape[i] != c.shape[i] {
					t.Fatalf("shape %v, want %v", x.Shape, c.shape)
				}
			}
			for i := range c.want {
				if x.Data[i] != c.want[i] {
					t.Fatalf("data %v, want %v", x.Data, c.want)
				}
			}
		})
	}
}

func TestReadNPYWrittenByNpyio(t *testing.T) {
	var b bytes.Buffer
	if err := npyio.Write(&b, []float32{3, 1, 4, 1, 5}); err != nil {
		t.Fatal(err)
	}
	x, err := DecodeNPY(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Shape) != 1 || x.Shape[0] != 5 || x.Data[2] != 4 || x.Data[4] != 5 {
		t.Fatalf("got %v %v", x.Shape, x.Data)
	}
}

func TestReadNPYErrors(t *testing.T) {
	f4 := func(shape string) string { return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }" }
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"int64 data", npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", le([]int64{1, 2})), `dtype "<i8" is not float32`},
		{"complex", npyFile("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)), `dtype "<c8" is not supported`},
		{"structured", npyFile("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", make([]byte, 4)), "structured"},
		{"not npy", []byte("PK\x03\x04 zip file......"), "not a NumPy"},
		{"version 9", append([]byte("\x93NUMPY\x09\x00"), 0, 0), "version 9"},
		{"header past end", []byte("\x93NUMPY\x01\x00\xff\xff{}"), "truncated .npy header"},
		{"truncated payload", npyFile(f4("(2, 3)"), make([]byte, 20)), "payload has 20 bytes, shape (2, 3) of <f4 needs 24"},
		{"trailing payload", npyFile(f4("(1,)"), make([]byte, 8)), "payload has 8 bytes"},
		{"missing key", npyFile("{'descr': '<f4', 'shape': (1,), }", make([]byte, 4)), `"fortran_order" missing`},
		{"extra key", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", make([]byte, 4)), `unexpected key "x"`},
		{"negative dim", npyFile(f4("(-1,)"), nil), "non-negative integer"},
		{"huge shape", npyFile(f4("(99999999, 99999999)"), nil), "more than"},
		{"bad fortran", npyFile("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", make([]byte, 4)), "True or False"},
		{"garbage after", npyFile(f4("(1,)")+" junk", make([]byte, 4)), "after the dict"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, "bad.npy", c.file)
			_, err := ReadNPY(p)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not contain %q and the path", err, c.want)
			}
		})
	}
}

func TestReadNPYLabels(t *testing.T) {
	var i64 bytes.Buffer
	if err := npyio.Write(&i64, []int64{3, 0, 9}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		file []byte
		want []int
	}{
		{"int64 via npyio", i64.Bytes(), []int{3, 0, 9}},
		{"uint8", npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", []byte{0, 1, 255, 2}), []int{0, 1, 255, 2}},
		{"int32 Nx1", npyFile("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 1), }", le([]int32{-1, 5})), []int{-1, 5}},
		{"int16", npyFile("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", le([]int16{300, 4})), []int{300, 4}},
		{"uint64", npyFile("{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }", le([]uint64{12})), []int{12}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadNPYLabels(writeFile(t, "labels.npy", c.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
	bad := []struct {
		name string
		file []byte
		want string
	}{
		{"float labels", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", make([]byte, 4)), "not an integer type"},
		{"2-d labels", npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", make([]byte, 32)), "shape (N,) or (N, 1)"},
		{"uint64 overflow", npyFile("{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }", le(uint64(math.MaxUint64))), "overflows"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadNPYLabels(writeFile(t, "labels.npy", c.file))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}
