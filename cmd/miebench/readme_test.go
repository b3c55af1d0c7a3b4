package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeShowsTheCommittedDefaultTable keeps the table in README.md equal
// to results/default.md, which CI regenerates and compares byte for byte.
func TestReadmeShowsTheCommittedDefaultTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	table, err := os.ReadFile("../../results/default.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), strings.TrimSpace(string(table))) {
		t.Error("README.md does not contain results/default.md verbatim: paste the regenerated table into the README")
	}
}
