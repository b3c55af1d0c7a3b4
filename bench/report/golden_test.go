package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden pins the exact bytes of each format for a small table with a
// failed run, a test-selected row, a single-seed row and a gap column.
func TestGolden(t *testing.T) {
	tab, err := Build(testRecords(), Options{Metrics: []string{"acc"}, Gap: true, Rows: []string{"uni-audio", "joint", "ogm_ge"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Formats {
		var b bytes.Buffer
		if err := tab.Write(&b, f); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "table."+f)
		if *update {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs from %s:\n%s", f, path, b.String())
		}
	}
}
