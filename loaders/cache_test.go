package loaders

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/miebench/miebench/nn"
)

// counter returns a build function that counts its calls.
func counter(calls *int, t *nn.Tensor) func() (*nn.Tensor, error) {
	return func() (*nn.Tensor, error) {
		*calls++
		return t.Clone(), nil
	}
}

func sameTensor(a, b *nn.Tensor) bool {
	if !nn.SameShape(a, b) || len(a.Data) != len(b.Data) {
		return false
	}
	for i := range a.Data {
		if a.Data[i] != b.Data[i] {
			return false
		}
	}
	return true
}

func TestCacheHitMiss(t *testing.T) {
	c := &Cache{Dir: filepath.Join(t.TempDir(), "sub")}
	want := nn.FromSlice([]float32{1, -2.5, 3, 0}, 2, 1, 2)
	calls := 0
	key := CacheKey("file-hash", "nfft=512")
	for i := range 3 {
		got, err := c.Get(key, counter(&calls, want))
		if err != nil {
			t.Fatal(err)
		}
		if !sameTensor(got, want) {
			t.Fatalf("round %d: got %v %v", i, got.Shape, got.Data)
		}
	}
	if calls != 1 {
		t.Errorf("build called %d times, want 1", calls)
	}
	entries, _ := os.ReadDir(c.Dir)
	if len(entries) != 1 || entries[0].Name() != key+".tensor" {
		t.Errorf("cache dir holds %v, want only the entry", entries)
	}
	// A different key misses.
	if _, err := c.Get(CacheKey("file-hash", "nfft=256"), counter(&calls, want)); err != nil || calls != 2 {
		t.Errorf("other key: calls %d err %v", calls, err)
	}
}

func TestCacheEntryBytes(t *testing.T) {
	b, err := encodeCacheEntry(nn.FromSlice([]float32{1, -2}, 2))
	if err != nil {
		t.Fatal(err)
	}
	want := []byte("MIETNSR1")
	want = append(want, 1, 0, 0, 0) // rank
	want = append(want, 2, 0, 0, 0, 0, 0, 0, 0)
	want = append(want, 2, 0, 0, 0, 0, 0, 0, 0)
	want = append(want, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0) // 1.0f, -2.0f
	sum := crc32.ChecksumIEEE(want)
	want = append(want, byte(sum), byte(sum>>8), byte(sum>>16), byte(sum>>24))
	if string(b) != string(want) {
		t.Fatalf("entry\n% x\nwant\n% x", b, want)
	}
}

func TestCacheRebuildsCorruptEntries(t *testing.T) {
	want := nn.FromSlice([]float32{0.5, 1.5, 2.5, 3.5, 4.5, 5.5}, 3, 2)
	corruptions := []struct {
		name string
		mod  func([]byte) []byte
	}{
		{"flipped data bit", func(b []byte) []byte { b[40] ^= 1; return b }},
		{"flipped shape", func(b []byte) []byte { b[12] = 6; return b }},
		{"truncated", func(b []byte) []byte { return b[:len(b)-5] }},
		{"empty", func([]byte) []byte { return nil }},
		{"wrong magic", func(b []byte) []byte { b[0] = 'X'; return b }},
		{"extra bytes", func(b []byte) []byte { return append(b, 0, 0, 0, 0) }},
	}
	for _, cc := range corruptions {
		t.Run(cc.name, func(t *testing.T) {
			c := &Cache{Dir: t.TempDir()}
			calls := 0
			key := CacheKey(cc.name)
			if _, err := c.Get(key, counter(&calls, want)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(c.Dir, key+".tensor")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, cc.mod(b), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := c.Get(key, counter(&calls, want))
			if err != nil {
				t.Fatal(err)
			}
			if calls != 2 || !sameTensor(got, want) {
				t.Fatalf("after corruption: calls %d, tensor %v %v", calls, got.Shape, got.Data)
			}
			// The entry was overwritten with a good one.
			if _, err := c.Get(key, counter(&calls, want)); err != nil || calls != 2 {
				t.Errorf("after rebuild: calls %d err %v", calls, err)
			}
		})
	}
}

func TestCacheDisabledAndErrors(t *testing.T) {
	want := nn.FromSlice([]float32{7}, 1)
	calls := 0
	var nilCache *Cache
	for _, c := range []*Cache{nilCache, {}} {
		for range 2 {
			if _, err := c.Get("k", counter(&calls, want)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if calls != 4 {
		t.Errorf("disabled cache: build called %d times, want 4", calls)
	}
	c := &Cache{Dir: t.TempDir()}
	for _, key := range []string{"", "../x", "a/b", ".hidden", "sp ace"} {
		if _, err := c.Get(key, counter(&calls, want)); err == nil {
			t.Errorf("key %q accepted", key)
		}
	}
	boom := errors.New("boom")
	if _, err := c.Get("fails", func() (*nn.Tensor, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("build error not returned: %v", err)
	}
	if entries, _ := os.ReadDir(c.Dir); len(entries) != 0 {
		t.Errorf("failed build left %v", entries)
	}
}

func TestCacheKeyAndFileHash(t *testing.T) {
	// CacheKey("a") is the SHA-256 of the 8-byte little-endian length 1 and "a".
	sum := sha256.Sum256([]byte{1, 0, 0, 0, 0, 0, 0, 0, 'a'})
	if got := CacheKey("a"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("CacheKey(a) = %s", got)
	}
	if CacheKey("ab", "c") == CacheKey("a", "bc") || CacheKey() == CacheKey("") {
		t.Error("CacheKey is ambiguous")
	}
	p := filepath.Join(t.TempDir(), "abc.txt")
	if err := os.WriteFile(p, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	// FIPS 180-2 test vector for "abc".
	if h, err := FileHash(p); err != nil || h != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("FileHash = %s, %v", h, err)
	}
	if _, err := FileHash(p + ".missing"); err == nil {
		t.Error("missing file: no error")
	}
}
