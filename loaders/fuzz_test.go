package loaders

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/miebench/miebench/nn"
)

// The fuzz targets check that the readers return errors, never panic or
// allocate without bound, on any input; `go test` runs their seed corpora
// as ordinary tests. Run one with e.g. go test -fuzz=FuzzDecodeWAV -fuzztime=20s.

func FuzzDecodeWAV(f *testing.F) {
	pcm16 := rawChunk{"fmt ", fmtBody(1, 2, 8000, 16), -1}
	ext := make([]byte, 40)
	copy(ext, fmtBody(0xFFFE, 1, 8000, 32))
	binary.LittleEndian.PutUint16(ext[16:], 22)
	binary.LittleEndian.PutUint16(ext[24:], 3)
	seeds := [][]byte{
		nil,
		[]byte("RIFF\x00\x00\x00\x00WAVE"),
		rawWAV(pcm16, rawChunk{"data", le(int16(1), int16(-1), int16(300), int16(-300)), -1}),
		rawWAV(rawChunk{"fmt ", fmtBody(1, 1, 8000, 8), -1}, rawChunk{"data", []byte{0, 128, 255}, -1}),
		rawWAV(rawChunk{"fmt ", fmtBody(1, 1, 8000, 24), -1}, rawChunk{"data", []byte{1, 2, 3, 4, 5, 6}, -1}),
		rawWAV(rawChunk{"fmt ", fmtBody(3, 1, 8000, 32), -1}, rawChunk{"data", le(float32(0.5)), -1}),
		rawWAV(rawChunk{"fmt ", fmtBody(3, 1, 8000, 64), -1}, rawChunk{"data", le(-0.5), -1}),
		rawWAV(rawChunk{"fmt ", ext, -1}, rawChunk{"data", le(float32(0.25)), -1}),
		rawWAV(rawChunk{"LIST", append([]byte("INFOINAM"), le(uint32(2), []byte("ab"))...), -1}, pcm16, rawChunk{"data", make([]byte, 8), -1}),
		rawWAV(rawChunk{"smpl", make([]byte, 36), -1}, pcm16, rawChunk{"data", make([]byte, 4), -1}),
		rawWAV(rawChunk{"data", make([]byte, 4), -1}, pcm16),
		rawWAV(pcm16, rawChunk{"data", make([]byte, 4), 1 << 30}),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		x, rate, err := DecodeWAV(bytes.NewReader(b))
		if err != nil {
			return
		}
		if rate <= 0 || len(x) == 0 || len(x) > len(b) {
			t.Fatalf("decoded %d samples at %d Hz from %d bytes", len(x), rate, len(b))
		}
	})
}

func FuzzReadIDX(f *testing.F) {
	f.Add(idxBytes([]uint32{2, 2, 2}, []byte{0, 1, 2, 3, 4, 5, 6, 255}))
	f.Add(idxBytes([]uint32{3}, []byte{1, 2, 3}))
	f.Add(gzipBytes(f, idxBytes([]uint32{1, 2, 3}, []byte{9, 8, 7, 6, 5, 4})))
	f.Add(gzipBytes(f, idxBytes([]uint32{2}, []byte{9, 8})))
	f.Add(idxBytes([]uint32{0xffffffff, 0xffffffff, 0xffffffff}, nil))
	f.Add([]byte{0x1f, 0x8b})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if x, err := DecodeIDXImages(bytes.NewReader(b)); err == nil {
			if len(x.Shape) != 3 || x.Len() != x.Shape[0]*x.Shape[1]*x.Shape[2] {
				t.Fatalf("images shape %v with %d values", x.Shape, x.Len())
			}
			for _, v := range x.Data {
				if v < 0 || v > 1 {
					t.Fatalf("pixel %v outside [0, 1]", v)
				}
			}
		}
		if l, err := DecodeIDXLabels(bytes.NewReader(b)); err == nil {
			for _, v := range l {
				if v < 0 || v > 255 {
					t.Fatalf("label %d outside a byte", v)
				}
			}
		}
	})
}

func FuzzReadNPY(f *testing.F) {
	f.Add(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", make([]byte, 24)))
	f.Add(npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", le([]float32{1, 2, 3, 4})))
	f.Add(npyFile("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)))
	f.Add(npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", le([]int64{1, 2})))
	f.Add(npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (3, 1), }", []byte{1, 2, 3}))
	f.Add(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", make([]byte, 4)))
	f.Add(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", nil))
	f.Add([]byte("\x93NUMPY\x02\x00\xff\xff\xff\xff"))
	f.Add([]byte("\x93NUMPY\x01\x00\x04\x00{}\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if x, err := DecodeNPY(b); err == nil {
			if x.Len() != nn.ShapeSize(x.Shape) || 4*x.Len() > 2*len(b) {
				t.Fatalf("tensor %v with %d values from %d bytes", x.Shape, x.Len(), len(b))
			}
		}
		if l, err := DecodeNPYLabels(b); err == nil && len(l) > len(b) {
			t.Fatalf("%d labels from %d bytes", len(l), len(b))
		}
	})
}

// fixtureSeeds adds the committed feature fixtures to a fuzz corpus.
func fixtureSeeds(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(fixture(n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkArrays fails unless every array's values match its shape.
func checkArrays(t *testing.T, m map[string]Array) {
	for name, a := range m {
		n := nn.ShapeSize(a.Shape)
		if (a.Float == nil) == (a.Int == nil) || len(a.Float)+len(a.Int) != n {
			t.Fatalf("array %q: shape %v, %d floats, %d ints", name, a.Shape, len(a.Float), len(a.Int))
		}
	}
}

func FuzzDecodeNPZ(f *testing.F) {
	fixtureSeeds(f, "one.npz", "two.npz")
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := DecodeNPZ(b); err == nil {
			checkArrays(t, m)
		}
	})
}

func FuzzDecodeSafetensors(f *testing.F) {
	fixtureSeeds(f, "two.safetensors")
	f.Add([]byte("\x02\x00\x00\x00\x00\x00\x00\x00{}"))
	f.Add([]byte("\x40\x00\x00\x00\x00\x00\x00\x00{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := DecodeSafetensors(b); err == nil {
			checkArrays(t, m)
			for _, a := range m {
				if nn.ShapeSize(a.Shape) > len(b) {
					t.Fatalf("%d elements from %d bytes", nn.ShapeSize(a.Shape), len(b))
				}
			}
		}
	})
}

func FuzzDecodeTorch(f *testing.F) {
	fixtureSeeds(f, "f32.pt", "dict.pt", "transposed.pt", "legacy.pt")
	f.Add([]byte("\x80\x02}q\x00."))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := DecodeTorch(b); err == nil {
			checkArrays(t, m)
		}
	})
}

func FuzzDecodeDelimited(f *testing.F) {
	fixtureSeeds(f, "rows.csv", "rows.tsv")
	f.Add([]byte("a,b\n1,2\n3,nan\n"))
	f.Add([]byte("1\n\n# c\n2e40\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, sep := range []byte{',', '\t'} {
			a, err := DecodeDelimited(b, sep)
			if err != nil {
				continue
			}
			if len(a.Float) != nn.ShapeSize(a.Shape) || len(a.Float) > len(b) {
				t.Fatalf("shape %v with %d values from %d bytes", a.Shape, len(a.Float), len(b))
			}
		}
	})
}

// FuzzTorchPickle fuzzes the pickle of a .pt file behind a valid zip
// archive (whose checksums would stop most mutations of a whole file),
// with one 6-element float32 storage "0" available.
func FuzzTorchPickle(f *testing.F) {
	for _, n := range []string{"f32.pt", "dict.pt", "transposed.pt"} {
		b, err := os.ReadFile(fixture(n))
		if err != nil {
			f.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			f.Fatal(err)
		}
		for _, m := range zr.File {
			if strings.HasSuffix(m.Name, "/data.pkl") {
				rc, _ := m.Open()
				pkl, _ := io.ReadAll(rc)
				rc.Close()
				f.Add(pkl)
			}
		}
	}
	f.Fuzz(func(t *testing.T, pkl []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, data := range map[string][]byte{"a/data.pkl": pkl, "a/data/0": make([]byte, 24), "a/data/1": make([]byte, 16)} {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(data)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if m, err := DecodeTorch(buf.Bytes()); err == nil {
			checkArrays(t, m)
		}
	})
}
