package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// readmeBlock returns the fenced Go block of README.md between the
// markers <!-- NAME:start --> and <!-- NAME:end -->.
func readmeBlock(t *testing.T, readme []byte, name string) string {
	t.Helper()
	start, end := "<!-- "+name+":start -->\n```go\n", "```\n<!-- "+name+":end -->"
	i := bytes.Index(readme, []byte(start))
	j := bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("README.md has no %s block between %q and %q", name, strings.TrimSpace(start), end)
	}
	return string(readme[i+len(start) : j])
}

// recipeSuite trains the README's example method for two epochs.
const recipeSuite = `name: recipe
seeds: [0]
datasets:
  - name: synthetic
    params: {train: 200, val: 50, test: 100}
methods:
  - name: label-smoothing
    params: {eps: 0.2}
train: {epochs: 2, batch_size: 32, lr: 0.05, momentum: 0.9}
model:
  encoders: {m0: {kind: mlp, dim: 8}, m1: {kind: mlp, dim: 8}}
table: {metrics: [acc]}
`

// TestReadmeRecipeAddsAMethod follows README.md's "Adding a method" as
// written: the example file in a new directory methods/mymethod and the one
// import line in methods/all/all.go (both given to the go command as an
// overlay, so the tree is not touched). The binary built from them lists
// the method and trains it through `miebench run`.
func TestReadmeRecipeAddsAMethod(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		t.Skipf("no go command at %s: %v", goBin, err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	code := readmeBlock(t, readme, "example-method")
	importLine := strings.TrimSpace(readmeBlock(t, readme, "example-import"))
	all, err := os.ReadFile(filepath.Join(root, "methods", "all", "all.go"))
	if err != nil {
		t.Fatal(err)
	}
	// The one line goes into the import block, as a reader would add it.
	allWith := strings.Replace(string(all), "import (\n", "import (\n\t"+importLine+"\n", 1)
	if allWith == string(all) {
		t.Fatal("methods/all/all.go has no import block to add the README's line to")
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {
		filepath.Join(root, "methods", "mymethod", "mymethod.go"): write("mymethod.go", code),
		filepath.Join(root, "methods", "all", "all.go"):           write("all.go", allWith),
	}})
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "miebench")
	build := exec.Command(goBin, "build", "-overlay", write("overlay.json", string(overlay)), "-o", bin, "./cmd/miebench")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building with the README's method: %v\n%s", err, out)
	}
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("miebench %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := run("list", "methods"); !strings.Contains(out, "label-smoothing") {
		t.Fatalf("miebench list methods does not show label-smoothing:\n%s", out)
	}
	out := run("run", "--suite", write("recipe.yaml", recipeSuite), "--out", filepath.Join(dir, "out"))
	if !strings.Contains(out, "1 trained (1 ok, 0 failed)") {
		t.Fatalf("miebench run did not train label-smoothing:\n%s", out)
	}
	if !strings.Contains(out, "| label-smoothing |") {
		t.Errorf("the run's table has no label-smoothing row:\n%s", out)
	}
}
