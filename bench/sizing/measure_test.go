package sizing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/datasets"
	"github.com/miebench/miebench/nn"
)

// childCase is a model and batch sizes a child process trains while the
// parent watches its peak resident memory.
type childCase struct {
	Name string
	Spec bench.RunSpec
	Info datasets.Info
	// Under and Over bound (estimate - measured) / measured. After one
	// round the live estimate lies a little below the measured peak (the
	// garbage of two steps and an evaluation forward, which the collector
	// has not all reclaimed yet; requests use the GC bound, which covers
	// it), so Under is the wider; Over catches an estimate gone stale, such
	// as one that still counts a buffer per layer that nn now shares.
	Under, Over float64
	Full        bool // paper-scale: only with MIEBENCH_SIZING_FULL=1
	// Rounds of training steps and an evaluation forward: after one, the
	// measured peak is the live heap (little garbage yet); after more, it
	// lies between the live heap and the garbage collector's bound
	// (Process.Peak), which a long run reaches.
	Rounds int
}

// childEnv carries a childCase to the child process.
const childEnv = "MIEBENCH_SIZING_CHILD"

// avInfo is an audio-visual dataset's description: a [1 F T] spectrogram,
// one [3 S S] frame per clip, six classes. avInfo(257, 188, 224) has
// CREMA-D's shapes.
func avInfo(f, t, image int) datasets.Info {
	return datasets.Info{
		Name: "av-shapes",
		Modalities: []datasets.Modality{
			{Name: "audio", Kind: "spectrogram", Shape: []int{1, f, t}},
			{Name: "visual", Kind: "frames", Shape: []int{1, 3, image, image}},
		},
		Classes: []string{"a", "d", "f", "h", "n", "s"},
	}
}

func resnetSpec(batch int) bench.RunSpec {
	return bench.RunSpec{
		Label: "resnet18",
		Train: bench.TrainSpec{BatchSize: batch, EvalBatchSize: batch, Optimizer: "sgd", LR: 1e-3, Momentum: 0.9, WeightDecay: 1e-4},
		Model: bench.ModelSpec{Fusion: "concat", Encoders: map[string]bench.EncoderSpec{
			"audio": {Kind: "resnet18"}, "visual": {Kind: "resnet18"},
		}},
	}
}

func cnnSpec(batch int) bench.RunSpec {
	s := resnetSpec(batch)
	s.Label = "cnn"
	cnn := bench.EncoderSpec{Kind: "cnn", Widths: []int{16, 32, 32}, Dim: 64}
	s.Model.Encoders = map[string]bench.EncoderSpec{"audio": cnn, "visual": cnn}
	return s
}

// stridedCNNSpec is cnnSpec with a strided first block without pooling,
// then an average and a max pooling.
func stridedCNNSpec(batch int) bench.RunSpec {
	s := resnetSpec(batch)
	s.Label = "cnn-strided"
	cnn := bench.EncoderSpec{Kind: "cnn", Widths: []int{16, 32, 32}, Dim: 64, Strides: []int{2, 1, 1}, Pools: []string{"none", "avg2", "max2"}}
	s.Model.Encoders = map[string]bench.EncoderSpec{"audio": cnn, "visual": cnn}
	return s
}

func childCases() []childCase {
	return []childCase{
		// Activations dominate: the small-CNN walk against nn's layers.
		{Name: "cnn", Spec: cnnSpec(16), Info: avInfo(128, 96, 96), Under: 0.2, Over: 0.1, Rounds: 1},
		{Name: "cnn-strided", Spec: stridedCNNSpec(16), Info: avInfo(128, 96, 96), Under: 0.2, Over: 0.1, Rounds: 1},
		{Name: "resnet18-small", Spec: resnetSpec(4), Info: avInfo(64, 64, 48), Under: 0.2, Over: 0.1, Rounds: 1},
		{Name: "resnet18-small-steady", Spec: resnetSpec(4), Info: avInfo(64, 64, 48), Under: 0.2, Over: 0.1, Rounds: 8},
		{Name: "resnet18-crema-d-batch64", Spec: resnetSpec(64), Info: avInfo(257, 188, 224), Under: 0.2, Over: 0.1, Rounds: 1, Full: true},
	}
}

// TestEstimateMatchesPeakRSS trains two steps and one evaluation forward
// of each case in a child process (the test binary re-run) and compares
// the child's peak resident memory (getrusage maxrss) with the estimate:
// the child's base plus the run's live heap.
func TestEstimateMatchesPeakRSS(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("inside a child")
	}
	for _, c := range childCases() {
		t.Run(c.Name, func(t *testing.T) {
			if c.Full && os.Getenv("MIEBENCH_SIZING_FULL") == "" {
				t.Skip("paper-scale case: set MIEBENCH_SIZING_FULL=1 (about 7 GB, a few minutes)")
			}
			b, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestChildTrain$")
			cmd.Env = append(os.Environ(), childEnv+"="+string(b))
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			var base Process
			if err := json.Unmarshal(baseLine(out), &base); err != nil {
				t.Fatalf("child output %q: %v", out, err)
			}
			ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			if !ok {
				t.Skip("no rusage on this system")
			}
			measured := ru.Maxrss * 1024 // kilobytes on Linux
			m, err := Estimate(c.Spec, c.Info)
			if err != nil {
				t.Fatal(err)
			}
			live, bound := base.Base+m.Live(), base.Peak([]Memory{m}, 1)
			rel := func(est int64) float64 { return float64(est-measured) / float64(measured) }
			t.Logf("%s: measured maxrss %s; estimate base + live %s (%+.1f%%), GC bound %s (%+.1f%%); base %s, state %s, activations %s, workspace %s, batches %s, eval %s",
				c.Name, Bytes(measured), Bytes(live), 100*rel(live), Bytes(bound), 100*rel(bound),
				Bytes(base.Base), Bytes(m.State), Bytes(m.Activations), Bytes(m.Workspace), Bytes(m.Batches), Bytes(m.Eval))
			switch {
			case c.Rounds <= 1 && (rel(live) < -c.Under || rel(live) > c.Over):
				t.Errorf("%s: after one round the live estimate %s is %+.1f%% off the measured peak %s (allowed -%.0f%% to +%.0f%%)", c.Name, Bytes(live), 100*rel(live), Bytes(measured), 100*c.Under, 100*c.Over)
			case c.Rounds > 1 && (rel(live) > c.Over || rel(bound) < -c.Under):
				t.Errorf("%s: after %d rounds the measured peak %s is not between the live estimate %s (+%.0f%%) and the GC bound %s (-%.0f%%)", c.Name, c.Rounds, Bytes(measured), Bytes(live), 100*c.Over, Bytes(bound), 100*c.Under)
			}
		})
	}
}

// baseMarker starts the child's output line that holds its base memory.
const baseMarker = "sizing-base: "

// baseLine returns the JSON after baseMarker in the child's output.
func baseLine(out []byte) []byte {
	for _, l := range bytes.Split(out, []byte("\n")) {
		if after, ok := bytes.CutPrefix(l, []byte(baseMarker)); ok {
			return after
		}
	}
	return nil
}

// TestChildTrain is the child of TestEstimateMatchesPeakRSS: it prints its
// base memory as JSON, then trains. It does nothing in a normal test run.
func TestChildTrain(t *testing.T) {
	env := os.Getenv(childEnv)
	if env == "" {
		t.Skip("only run as the child of TestEstimateMatchesPeakRSS")
	}
	var c childCase
	if err := json.Unmarshal([]byte(env), &c); err != nil {
		t.Fatal(err)
	}
	base := Measure()
	md, err := Model(c.Spec, c.Info)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optimizer(c.Spec.Train, md.Params())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	batch := func(n int) ([]*nn.Tensor, []int) {
		x := make([]*nn.Tensor, len(c.Info.Modalities))
		for i, m := range c.Info.Modalities {
			x[i] = nn.NewTensor(append([]int{n}, m.Shape...)...)
			for j := range x[i].Data {
				x[i].Data[j] = float32(rng.NormFloat64())
			}
		}
		y := make([]int, n)
		for i := range y {
			y[i] = rng.IntN(len(c.Info.Classes))
		}
		return x, y
	}
	var snap *nn.Snapshot
	for r := range max(1, c.Rounds) {
		x, y := batch(c.Spec.Train.BatchSize)
		for range 2 {
			if err := Step(md, opt, x, y); err != nil {
				t.Fatal(err)
			}
		}
		ex, _ := batch(c.Spec.Train.EvalBatchSize)
		EvalForward(md, ex)
		if r%4 == 0 { // a new best epoch: a fresh snapshot, the old one garbage
			snap = nn.Capture(md.Params(), md.Buffers())
		}
	}
	b, err := json.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("\n%s%s\n", baseMarker, b)
	_ = snap
}
