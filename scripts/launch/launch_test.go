package launch

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/bench/sizing"
	_ "github.com/miebench/miebench/methods/all" // registers the methods the suites name
)

// job is the part of a Kubernetes Job manifest the launcher uses.
type job struct {
	Kind string `yaml:"kind"`
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int    `yaml:"completions"`
		Parallelism    int    `yaml:"parallelism"`
		Template       struct {
			Spec struct {
				Containers []struct {
					Image   string   `yaml:"image"`
					Command []string `yaml:"command"`
					Args    []string `yaml:"args"`
					Env     []struct {
						Name      string `yaml:"name"`
						ValueFrom struct {
							FieldRef struct {
								FieldPath string `yaml:"fieldPath"`
							} `yaml:"fieldRef"`
						} `yaml:"valueFrom"`
					} `yaml:"env"`
					Resources struct {
						Requests map[string]string `yaml:"requests"`
						Limits   map[string]string `yaml:"limits"`
					} `yaml:"resources"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// runArgs is what the launchers pass to `miebench run`.
type runArgs struct {
	suite, out, shard string
	workers           int
	sets              []string
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, " ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// parseRun parses `miebench run` arguments with the flags the launchers
// use; any other flag is an error, so a typo cannot slip through.
func parseRun(args []string) (runArgs, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var r runArgs
	var sets multi
	fs.StringVar(&r.suite, "suite", "", "")
	fs.StringVar(&r.out, "out", "", "")
	fs.StringVar(&r.shard, "shard", "", "")
	fs.IntVar(&r.workers, "workers", 0, "")
	fs.Var(&sets, "set", "")
	fs.String("progress", "", "")
	fs.Bool("no-table", false, "")
	fs.Duration("claim-timeout", 0, "")
	if err := fs.Parse(args); err != nil {
		return r, err
	}
	if fs.NArg() > 0 {
		return r, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	r.sets = sets
	return r, nil
}

// fakeCremaD returns a CREMA-D tree with an empty audio file and an empty
// frame directory per listed clip: enough to open the dataset and read its
// shapes (decoding happens only when a batch loads). The tree is made once
// per test binary, in memory (/dev/shm) where that exists: 15,000 entries
// on a busy disk take half a minute.
func fakeCremaD(t *testing.T) string {
	t.Helper()
	fake.once.Do(func() { fake.root, fake.err = makeFakeCremaD() })
	if fake.err != nil {
		t.Fatal(fake.err)
	}
	return fake.root
}

var fake struct {
	once sync.Once
	root string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fake.root != "" {
		os.RemoveAll(fake.root)
	}
	os.Exit(code)
}

func makeFakeCremaD() (string, error) {
	parent := ""
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		parent = "/dev/shm"
	}
	root, err := os.MkdirTemp(parent, "miebench-crema-d-")
	if err != nil {
		root, err = os.MkdirTemp("", "miebench-crema-d-")
		if err != nil {
			return "", err
		}
	}
	const list = "../../datasets/data/crema-d/clips.txt"
	f, err := os.Open(list)
	if err != nil {
		return root, err
	}
	defer f.Close()
	for _, d := range []string{"AudioWAV", "Image-01-FPS"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			return root, err
		}
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name := strings.TrimSpace(sc.Text())
		if name == "" || strings.HasPrefix(name, "#") {
			continue
		}
		if err := os.WriteFile(filepath.Join(root, "AudioWAV", name+".wav"), nil, 0o644); err != nil {
			return root, err
		}
		if err := os.Mkdir(filepath.Join(root, "Image-01-FPS", name), 0o755); err != nil {
			return root, err
		}
	}
	if err := sc.Err(); err != nil {
		return root, fmt.Errorf("%s: %w", list, err)
	}
	return root, nil
}

// requestGiB is the memory request, in whole GiB, that miebench estimates
// for a suite trained with the given workers per process, the dataset root
// pointed at root.
func requestGiB(t *testing.T, suite string, sets []string, workers int, root string) int64 {
	t.Helper()
	var local []string
	for _, s := range sets {
		if strings.HasPrefix(s, "dataset.root=") {
			s = "dataset.root=" + root
		}
		local = append(local, s)
	}
	s, err := bench.LoadSuite(suite, local)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := s.Plan(nil)
	if err != nil {
		t.Fatal(err)
	}
	mems, err := sizing.Estimates(plan, "")
	if err != nil {
		t.Fatal(err)
	}
	peak := sizing.Measure().Peak(mems, workers)
	if peak < 0 {
		t.Fatal("GOGC=off: the estimate is unbounded")
	}
	t.Logf("%s with %d workers: largest run %s live, peak %s", suite, workers, sizing.Bytes(sizing.Largest(mems, 1)), sizing.Bytes(peak))
	return sizing.RequestGiB(peak)
}

// TestKubernetesManifest checks the Indexed Job: N pods, shard i/N from the
// completion index, the image the Dockerfile documents, valid run
// arguments, and requests equal to the estimate for the suite.
func TestKubernetesManifest(t *testing.T) {
	b, err := os.ReadFile("../k8s/miebench-indexed-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var j job
	if err := yaml.Unmarshal(b, &j); err != nil {
		t.Fatalf("scripts/k8s/miebench-indexed-job.yaml: %v", err)
	}
	if j.Kind != "Job" || j.Spec.CompletionMode != "Indexed" {
		t.Fatalf("kind %q, completionMode %q: want an Indexed Job", j.Kind, j.Spec.CompletionMode)
	}
	if n, p := j.Spec.Completions, j.Spec.Parallelism; n < 1 || p < 1 || p > n {
		t.Errorf("completions %d, parallelism %d: want 1 <= parallelism <= completions", n, p)
	}
	cs := j.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		t.Fatalf("%d containers, want 1", len(cs))
	}
	c := cs[0]
	if len(c.Command) != 1 || filepath.Base(c.Command[0]) != "miebench" || len(c.Args) == 0 || c.Args[0] != "run" {
		t.Fatalf("command %q args %q: want miebench run ...", c.Command, c.Args)
	}
	r, err := parseRun(c.Args[1:])
	if err != nil {
		t.Fatalf("args %q: %v", c.Args, err)
	}

	// The shard: $(VAR)/N with VAR the completion index and N = completions.
	if r.shard != "" {
		m := regexp.MustCompile(`^\$\(([A-Z_][A-Z0-9_]*)\)/([0-9]+)$`).FindStringSubmatch(r.shard)
		if m == nil {
			t.Fatalf("--shard %q: want $(VAR)/N", r.shard)
		}
		if n, _ := strconv.Atoi(m[2]); n != j.Spec.Completions {
			t.Errorf("--shard %q: N = %d, but completions is %d: shards would be lost or empty", r.shard, n, j.Spec.Completions)
		}
		ok := m[1] == "JOB_COMPLETION_INDEX" // set by the Job controller
		for _, e := range c.Env {
			if e.Name == m[1] && e.ValueFrom.FieldRef.FieldPath == "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
				ok = true
			}
		}
		if !ok {
			t.Errorf("--shard %q: %s is not the pod's completion index", r.shard, m[1])
		}
	}

	// The image is the one the Dockerfile's build command tags.
	df, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	tag := regexp.MustCompile(`docker build -t (\S+) \.`).FindSubmatch(df)
	if tag == nil {
		t.Fatal("Dockerfile: no `docker build -t IMAGE .` line documents the image")
	}
	if c.Image != string(tag[1]) {
		t.Errorf("image %q, but the Dockerfile builds %q", c.Image, tag[1])
	}

	// Resources: as many CPUs as workers at least; memory the estimate.
	req, lim := c.Resources.Requests, c.Resources.Limits
	if req["memory"] != lim["memory"] || req["cpu"] != lim["cpu"] {
		t.Errorf("requests %v, limits %v: want them equal (a guaranteed pod is not evicted first)", req, lim)
	}
	if cpu, err := strconv.Atoi(req["cpu"]); err != nil || cpu < r.workers {
		t.Errorf("cpu request %q for --workers %d", req["cpu"], r.workers)
	}
	gi, ok := strings.CutSuffix(req["memory"], "Gi")
	got, err := strconv.ParseInt(gi, 10, 64)
	if !ok || err != nil {
		t.Fatalf("memory request %q: want whole Gi", req["memory"])
	}
	if want := requestGiB(t, r.suite, r.sets, r.workers, fakeCremaD(t)); got != want {
		t.Errorf("memory request %dGi, but miebench estimates %dGi for --suite %s --workers %d", got, want, r.suite, r.workers)
	}
}

// TestSlurmScript checks the job array's default resources: --mem is the
// estimate for paper-cremad (the suite it is sized for) with its default
// workers, on at least as many CPUs.
func TestSlurmScript(t *testing.T) {
	b, err := os.ReadFile("../slurm/miebench-array.sbatch")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	mem := regexp.MustCompile(`(?m)^#SBATCH --mem=([0-9]+)G$`).FindStringSubmatch(s)
	cpus := regexp.MustCompile(`(?m)^#SBATCH --cpus-per-task=([0-9]+)$`).FindStringSubmatch(s)
	workers := regexp.MustCompile(`(?m)^WORKERS=\$\{MIEBENCH_WORKERS:-([0-9]+)\}$`).FindStringSubmatch(s)
	if mem == nil || cpus == nil || workers == nil {
		t.Fatalf("scripts/slurm/miebench-array.sbatch: want #SBATCH --mem=NG, #SBATCH --cpus-per-task=N and WORKERS=${MIEBENCH_WORKERS:-N} lines")
	}
	w, _ := strconv.Atoi(workers[1])
	if c, _ := strconv.Atoi(cpus[1]); c < w {
		t.Errorf("--cpus-per-task=%d for %d workers", c, w)
	}
	got, _ := strconv.ParseInt(mem[1], 10, 64)
	if want := requestGiB(t, "paper-cremad", []string{"dataset.root=x"}, w, fakeCremaD(t)); got != want {
		t.Errorf("#SBATCH --mem=%dG, but miebench estimates %dG for paper-cremad with %d workers", got, want, w)
	}
}
