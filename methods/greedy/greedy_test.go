package greedy_test

import (
	"math"
	"strings"
	"testing"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/methods"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// cnnSpec is an 8-epoch run on methodtest.Imbalanced(2) laid out as 4x4
// one-channel images, with two-block cnn encoders of 16 channels.
func cnnSpec(params map[string]any, seed uint64) bench.RunSpec {
	ds := methodtest.Imbalanced(2)
	ds["image"] = true
	ds["dim"] = []int{16}
	spec := methodtest.SyntheticSpec("greedy", params, seed, 8, ds, "concat")
	enc := bench.EncoderSpec{Kind: "cnn", Widths: []int{16, 16}}
	spec.Model.Encoders = map[string]bench.EncoderSpec{"m0": enc, "m1": enc}
	return spec
}

// TestGreedyBalancesLearningSpeed checks the claimed effect on three
// seeds: without windows (epsilon 1e9) the weak modality m1 comes to rely
// on the MMTM bypass (d_BDR = BDR_0 - BDR_1 well below zero); with the
// curation windows, released and with each modality's own running
// average, m1 is the modality averaged and |d_BDR| in the last epoch is
// under half of the free run's.
func TestGreedyBalancesLearningSpeed(t *testing.T) {
	const seeds = 3
	for seed := range uint64(seeds) {
		free := methodtest.Train(t, cnnSpec(map[string]any{"epsilon": 1e9}, seed))
		last := free.History[len(free.History)-1].Method
		if last["curating"].Max != 0 {
			t.Fatalf("seed %d: epsilon 1e9 opened a window", seed)
		}
		dFree := last["d_bdr"].Mean
		if dFree > -0.05 {
			t.Errorf("seed %d: free run d_BDR %.3f, want the weak modality's BDR clearly larger (d < -0.05)", seed, dFree)
		}
		t.Logf("seed %d: free d_BDR %.3f, weak acc %.3f, acc %.3f", seed, dFree, free.Metrics["test"].ModalityAcc["m1"], free.Metrics["test"].Acc)
		for _, p := range []map[string]any{nil, {"shared_average": false}} {
			rec := methodtest.Train(t, cnnSpec(p, seed))
			last := rec.History[len(rec.History)-1].Method
			d := last["d_bdr"].Mean
			if !(math.Abs(d) < math.Abs(dFree)/2) {
				t.Errorf("seed %d %v: last-epoch d_BDR %.3f, want |d| under half the free run's %.3f", seed, p, d, dFree)
			}
			if !(last["averaged_m1"].Mean > last["averaged_m0"].Mean) {
				t.Errorf("seed %d %v: averaged m0 %.2f, m1 %.2f of the last epoch's steps; want the weak m1 averaged more", seed, p, last["averaged_m0"].Mean, last["averaged_m1"].Mean)
			}
			t.Logf("seed %d %v: d_BDR %.3f, averaged m1 %.2f, weak acc %.3f, acc %.3f", seed, p, d, last["averaged_m1"].Mean, rec.Metrics["test"].ModalityAcc["m1"], rec.Metrics["test"].Acc)
		}
	}
}

func TestGreedyConformanceCNN(t *testing.T) {
	methodtest.ConformanceCNN(t, "greedy", nil)
}

// TestGreedyPlan checks the plan-time refusals.
func TestGreedyPlan(t *testing.T) {
	spec, err := methods.Lookup("greedy")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		params map[string]any
		mods   []string
		kinds  []string
		want   string // "" = accepted
	}{
		{"cnn", nil, []string{"a", "v"}, []string{"cnn", "cnn"}, ""},
		{"resnet18", nil, []string{"a", "v"}, []string{"resnet18", "resnet18"}, ""},
		{"kinds unknown", nil, []string{"a", "v"}, nil, ""},
		{"mlp", nil, []string{"a", "v"}, []string{"cnn", "mlp"}, `greedy: modality "v" has a mlp encoder, which has no stages`},
		{"three modalities", nil, []string{"a", "v", "t"}, []string{"cnn", "cnn", "cnn"}, "greedy: is defined for at most 2 modalities"},
		{"window", map[string]any{"window": 0}, []string{"a", "v"}, nil, `greedy: hyperparameter "window" is 0`},
		{"epsilon", map[string]any{"epsilon": -1.0}, []string{"a", "v"}, nil, `greedy: hyperparameter "epsilon" is -1`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := methods.Resolve(spec.Params, c.params)
			if err != nil {
				t.Fatal(err)
			}
			err = spec.CheckPlan(h, methods.PlanInfo{Modalities: c.mods, EncoderKinds: c.kinds, Fusion: "concat", Epochs: 2})
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}
