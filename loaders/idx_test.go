package loaders

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxBytes builds an unsigned-byte IDX file with the given dimensions.
func idxBytes(dims []uint32, payload []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, 0x08, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(payload)
	return b.Bytes()
}

func gzipBytes(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestIDXRoundTrip(t *testing.T) {
	dir := t.TempDir()
	// Two 2x3 images and their labels.
	pix := []byte{0, 51, 102, 153, 204, 255, 255, 0, 255, 0, 255, 0}
	imgs := idxBytes([]uint32{2, 2, 3}, pix)
	labs := idxBytes([]uint32{2}, []byte{7, 3})
	for _, gz := range []bool{false, true} {
		ib, lb := imgs, labs
		if gz {
			ib, lb = gzipBytes(t, imgs), gzipBytes(t, labs)
		}
		// The names deliberately lie about compression: detection is by content.
		ip, lp := filepath.Join(dir, "images.idx.gz"), filepath.Join(dir, "labels.idx")
		if err := os.WriteFile(ip, ib, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(lp, lb, 0o644); err != nil {
			t.Fatal(err)
		}
		x, err := ReadIDXImages(ip)
		if err != nil {
			t.Fatal(err)
		}
		if len(x.Shape) != 3 || x.Shape[0] != 2 || x.Shape[1] != 2 || x.Shape[2] != 3 {
			t.Fatalf("gzip %v: shape %v, want [2 2 3]", gz, x.Shape)
		}
		want := []float32{0, 0.2, 0.4, 0.6, 0.8, 1, 1, 0, 1, 0, 1, 0}
		for i := range want {
			if d := x.Data[i] - want[i]; d > 1e-7 || d < -1e-7 {
				t.Errorf("gzip %v: pixel %d = %v, want %v", gz, i, x.Data[i], want[i])
			}
		}
		l, err := ReadIDXLabels(lp)
		if err != nil {
			t.Fatal(err)
		}
		if len(l) != 2 || l[0] != 7 || l[1] != 3 {
			t.Errorf("gzip %v: labels %v, want [7 3]", gz, l)
		}
	}
}

func TestIDXErrors(t *testing.T) {
	good := idxBytes([]uint32{1, 2, 2}, []byte{1, 2, 3, 4})
	corruptGz := gzipBytes(t, good)
	corruptGz[len(corruptGz)-6] ^= 0xff // CRC32 trailer
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "truncated IDX magic"},
		{"bad magic", []byte{1, 0, 8, 3}, "not an IDX file"},
		{"float type", []byte{0, 0, 0x0D, 3}, "0x0d (float32) not supported"},
		{"labels as images", idxBytes([]uint32{2}, []byte{1, 2}), "1 dimensions, want 3"},
		{"short header", good[:9], "truncated IDX header"},
		{"zero dim", idxBytes([]uint32{0, 2, 2}, nil), "dimension 0 is 0"},
		{"huge dims", idxBytes([]uint32{0xffffffff, 0xffffffff, 2}, nil), "more than"},
		{"truncated payload", good[:len(good)-1], "truncated IDX payload"},
		{"trailing bytes", append(append([]byte(nil), good...), 9), "longer than"},
		{"truncated gzip", gzipBytes(t, good)[:20], "IDX"},
		{"corrupt gzip", corruptGz, "checksum"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeIDXImages(bytes.NewReader(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestReadIDXNamesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "broken-labels")
	if err := os.WriteFile(p, []byte{0, 0, 8, 1, 0, 0, 0, 5, 1}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadIDXLabels(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("error %v does not name %s", err, p)
	}
}
