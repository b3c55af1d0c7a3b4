package loaders

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ReadDelimited reads a delimited text file of numbers, one sample per
// row (the form of UCI's multi-view sets): fields separated by commas in
// a .csv file and by tabs in a .tsv file, spaces around a field ignored.
// Blank lines and lines starting with # are skipped; a first row in which
// no field is a number is a header and skipped too. Every row must have
// the same number of fields. The result is a float32 array [rows, fields].
// Errors name the file, the line and the column.
func ReadDelimited(path string) (Array, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Array{}, fmt.Errorf("loaders: read text: %w", err)
	}
	sep := byte(',')
	if filepath.Ext(path) == ".tsv" {
		sep = '\t'
	}
	a, err := DecodeDelimited(b, sep)
	if err != nil {
		return Array{}, fmt.Errorf("loaders: %s: %w", path, err)
	}
	return a, nil
}

// DecodeDelimited is ReadDelimited on the bytes of a file with the given
// field separator.
func DecodeDelimited(b []byte, sep byte) (Array, error) {
	var vals []float32
	cols, rows := -1, 0
	header := true // the first data row may be a header
	for ln, line := range bytes.Split(b, []byte{'\n'}) {
		s := strings.TrimSpace(string(line))
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		fields := strings.Split(s, string(sep))
		if header {
			header = false
			numeric := false
			for _, f := range fields {
				if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err == nil {
					numeric = true
				}
			}
			if !numeric {
				cols = len(fields)
				continue
			}
		}
		if cols >= 0 && len(fields) != cols {
			return Array{}, fmt.Errorf("line %d has %d fields, earlier lines have %d", ln+1, len(fields), cols)
		}
		cols = len(fields)
		for c, f := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return Array{}, fmt.Errorf("line %d, column %d: %q is not a number", ln+1, c+1, f)
			}
			vals = append(vals, float32(v))
		}
		rows++
	}
	if rows == 0 {
		return Array{}, fmt.Errorf("no data rows")
	}
	return Array{Shape: []int{rows, cols}, DType: "text", Float: vals}, nil
}
