package methods_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
)

// TestExampleMethodRuns trains the README's worked example end to end.
func TestExampleMethodRuns(t *testing.T) {
	spec := bench.RunSpec{
		Suite: "example", Label: "label-smoothing", Method: "label-smoothing",
		Params:  map[string]any{"eps": 0.1},
		Dataset: bench.DatasetSpec{Name: "synthetic", Params: map[string]any{"train": 300, "val": 100, "test": 100}},
		Train:   bench.TrainSpec{Epochs: 3, BatchSize: 32, Optimizer: "sgd", LR: 0.05, Momentum: 0.9},
		Model: bench.ModelSpec{Fusion: "concat", Encoders: map[string]bench.EncoderSpec{
			"m0": {Kind: "mlp", Widths: []int{16}, Dim: 8}, "m1": {Kind: "mlp", Widths: []int{16}, Dim: 8}}},
		Selection: bench.SelectionSpec{Split: "val", Metric: "acc"},
	}
	rec, err := bench.Train(context.Background(), spec, bench.TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != "ok" || rec.Metrics["test"].Acc < 0.5 {
		t.Errorf("label-smoothing: status %s (%s), test acc %v; want ok and >= 0.5", rec.Status, rec.Error, rec.Metrics["test"].Acc)
	}
}

// TestReadmeExampleIsTheTestedFile keeps README.md's "Adding a method"
// example identical to example_method_test.go, which this package compiles.
func TestReadmeExampleIsTheTestedFile(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("example_method_test.go")
	if err != nil {
		t.Fatal(err)
	}
	const start, end = "<!-- example-method:start -->\n```go\n", "```\n<!-- example-method:end -->"
	i := bytes.Index(readme, []byte(start))
	j := bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("README.md has no example-method block between %q and %q", strings.TrimSpace(start), end)
	}
	got := string(readme[i+len(start) : j])
	want := strings.Replace(string(src), "package methods_test", "package mymethod", 1)
	if got != want {
		t.Errorf("README.md's example differs from methods/example_method_test.go (with package mymethod); update the README")
	}
}
