package methods

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// ogmTestRun builds a tiny two-modality run with mlp encoders (audio 5
// inputs, visual 3, both 4 features, 3 classes), the given fusion head, a
// batch of 6, and an SGD optimizer with learning rate 0 so that steps leave
// the parameters unchanged and their gradients can be compared. setup runs
// before the optimizer is built, as the run loop does.
func ogmTestRun(t *testing.T, fusion string, setup func(r *Run) error) (*Run, *Batch, map[string]float64) {
	t.Helper()
	return ogmTestRunWith(t, fusion, "mlp", setup)
}

// ogmTestRunWith is ogmTestRun with "mlp" encoders or "cnn" ones (inputs
// [1, 4, 4] and [1, 2, 2] images, one conv block of 4 channels with batch
// norm, then a linear layer to 4 features).
func ogmTestRunWith(t *testing.T, fusion, encoder string, setup func(r *Run) error) (*Run, *Batch, map[string]float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(21, 22))
	cfg := model.Config{
		Modalities: []string{"audio", "visual"},
		Shapes:     [][]int{{5}, {3}},
		Encoders:   []model.EncoderConfig{{Kind: "mlp", Widths: []int{6}, Dim: 4}, {Kind: "mlp", Dim: 4}},
		Fusion:     fusion,
		NumClasses: 3,
	}
	if encoder == "cnn" {
		cfg.Shapes = [][]int{{1, 4, 4}, {1, 2, 2}}
		cfg.Encoders = []model.EncoderConfig{{Kind: "cnn", Widths: []int{4}, Dim: 4}, {Kind: "cnn", Widths: []int{4}, Dim: 4}}
	}
	md, err := model.New(cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	logs := map[string]float64{}
	r := &Run{
		Model:           md,
		RNG:             rand.New(rand.NewPCG(1, 2)),
		InitRNG:         rand.New(rand.NewPCG(3, 4)),
		Epochs:          100,
		BatchesPerEpoch: 1,
		Log:             func(name string, v float64) { logs[name] = v },
	}
	if setup != nil {
		if err := setup(r); err != nil {
			t.Fatal(err)
		}
	}
	r.Opt = nn.NewSGD([]nn.ParamGroup{{Name: "all", Params: md.Params(), LR: 0}}, 0, false)
	b := &Batch{X: []*nn.Tensor{nn.NewTensor(6, 5), nn.NewTensor(6, 3)}, Y: []int{0, 1, 2, 0, 1, 2}}
	if encoder == "cnn" {
		b.X = []*nn.Tensor{nn.NewTensor(6, 1, 4, 4), nn.NewTensor(6, 1, 2, 2)}
	}
	for _, x := range b.X {
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
		}
	}
	// Make the audio strongly informative so that the modalities differ.
	for i, y := range b.Y {
		b.X[0].Row(i)[y] += 3
	}
	return r, b, logs
}

// ogmGrads snapshots every parameter's gradient by name.
func ogmGrads(r *Run) map[string][]float32 {
	g := map[string][]float32{}
	for _, p := range r.Model.Params() {
		g[p.Name] = append([]float32(nil), p.Grad.Data...)
	}
	return g
}

func ogmTestModality(name string) int {
	if strings.HasPrefix(name, "enc.visual.") {
		return 1
	}
	return 0
}

func TestOGMStepScalesOnlyEncoderWeights(t *testing.T) {
	for _, fusion := range []string{"concat", "sum", "film", "gated"} {
		o := &OGMGE{Alpha: 0.8, End: 50}
		r, b, logs := ogmTestRun(t, fusion, o.Setup)
		if _, err := (&Joint{}).Step(r, b); err != nil {
			t.Fatal(err)
		}
		joint := ogmGrads(r)
		if _, err := o.Step(r, b); err != nil {
			t.Fatal(err)
		}
		got := ogmGrads(r)
		k := []float64{logs["k_audio"], logs["k_visual"]}
		if k[0] != 1 && k[1] != 1 {
			t.Fatalf("%s: both coefficients below 1: %v", fusion, k)
		}
		if math.Min(k[0], k[1]) >= 1 {
			t.Fatalf("%s: no modality modulated: %v", fusion, k)
		}
		for _, p := range r.Model.Params() {
			want := joint[p.Name]
			scale := 1.0
			switch {
			case strings.HasPrefix(p.Name, "head.") && strings.HasSuffix(p.Name, "probe.weight"),
				strings.HasPrefix(p.Name, "head.") && strings.HasSuffix(p.Name, "probe.bias"):
				continue // probe heads: joint training has none to compare with
			case strings.HasPrefix(p.Name, "enc.") && len(p.Grad.Shape) == 2:
				scale = k[ogmTestModality(p.Name)]
			}
			for i := range want {
				if math.Abs(float64(got[p.Name][i])-scale*float64(want[i])) > 1e-6 {
					t.Fatalf("%s: %s[%d] = %v, want %v * %v", fusion, p.Name, i, got[p.Name][i], scale, want[i])
				}
			}
		}
		if fusion == "film" || fusion == "gated" {
			if r.Model.Heads[0] == nil || r.Model.Heads[1] == nil {
				t.Fatalf("%s: no probe heads installed", fusion)
			}
			var norm float64
			for _, p := range r.Model.Heads[1].Params() {
				for _, v := range p.Grad.Data {
					norm += float64(v * v)
				}
			}
			if norm == 0 {
				t.Fatalf("%s: probe head got no gradient", fusion)
			}
		}
	}
}

func TestOGMStepScoresFromPartialLogits(t *testing.T) {
	o := &OGMGE{Alpha: 0.8, End: 50}
	r, b, logs := ogmTestRun(t, "concat", o.Setup)
	out := Forward(r, b, false)
	part := r.Model.Fusion.Partial(out.Z)
	sa, sv := ogmScore(part[0], b.Y), ogmScore(part[1], b.Y)
	if _, err := o.Step(r, b); err != nil {
		t.Fatal(err)
	}
	if math.Abs(logs["score_audio"]-sa/6) > 1e-9 || math.Abs(logs["score_visual"]-sv/6) > 1e-9 {
		t.Fatalf("logged scores %v, %v; want %v, %v", logs["score_audio"], logs["score_visual"], sa/6, sv/6)
	}
	// Hand rule: the stronger modality gets 1 - tanh(0.8 * ratio).
	wantK := []float64{1, 1}
	if sv/sa > 1 {
		wantK[1] = 1 - math.Tanh(0.8*sv/sa)
	} else {
		wantK[0] = 1 - math.Tanh(0.8*sa/sv)
	}
	if math.Abs(logs["k_audio"]-wantK[0]) > 1e-9 || math.Abs(logs["k_visual"]-wantK[1]) > 1e-9 {
		t.Fatalf("k = %v, %v; want %v", logs["k_audio"], logs["k_visual"], wantK)
	}
}

func TestOGMStepOutsideWindowIsJoint(t *testing.T) {
	o := &OGMGE{Alpha: 0.8, Start: 2, End: 5, GE: true}
	r, b, logs := ogmTestRun(t, "concat", o.Setup)
	for _, epoch := range []int{1, 6} {
		r.Epoch = epoch
		if _, err := (&Joint{}).Step(r, b); err != nil {
			t.Fatal(err)
		}
		joint := ogmGrads(r)
		if _, err := o.Step(r, b); err != nil {
			t.Fatal(err)
		}
		for name, g := range ogmGrads(r) {
			for i := range g {
				if g[i] != joint[name][i] {
					t.Fatalf("epoch %d outside the window: %s changed", epoch, name)
				}
			}
		}
		if logs["k_audio"] != 1 || logs["k_visual"] != 1 {
			t.Fatalf("epoch %d: logged k %v %v, want 1 outside the window", epoch, logs["k_audio"], logs["k_visual"])
		}
	}
}

func TestOGMGEStepAddsNoiseToBothEncodersOnly(t *testing.T) {
	o := &OGMGE{Alpha: 0.8, End: 50, GE: true}
	r, b, _ := ogmTestRun(t, "sum", o.Setup)
	if _, err := (&Joint{}).Step(r, b); err != nil {
		t.Fatal(err)
	}
	joint := ogmGrads(r)
	if _, err := o.Step(r, b); err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Model.Params() {
		same := true
		for i, v := range p.Grad.Data {
			if v != joint[p.Name][i] {
				same = false
			}
		}
		touched := strings.HasPrefix(p.Name, "enc.") && len(p.Grad.Shape) == 2
		if touched == same {
			t.Errorf("%s: changed = %v, want %v (only encoder weights, both modalities, get noise)", p.Name, !same, touched)
		}
	}
}

func TestOGMStepOnCNNTouchesOnlyConvWeights(t *testing.T) {
	o := &OGMGE{Alpha: 0.8, End: 50}
	r, b, logs := ogmTestRunWith(t, "concat", "cnn", o.Setup)
	if _, err := (&Joint{}).Step(r, b); err != nil {
		t.Fatal(err)
	}
	joint := ogmGrads(r)
	if _, err := o.Step(r, b); err != nil {
		t.Fatal(err)
	}
	k := []float64{logs["k_audio"], logs["k_visual"]}
	scaled := 0
	for _, p := range r.Model.Params() {
		scale := 1.0
		if len(p.Grad.Shape) == 4 {
			scale = k[ogmTestModality(p.Name)]
			scaled++
		}
		for i, v := range p.Grad.Data {
			if math.Abs(float64(v)-scale*float64(joint[p.Name][i])) > 1e-6 {
				t.Fatalf("%s[%d] = %v, want %v * %v (only 4-D conv weights are modulated; batch norm, the encoder's linear layer and the head are not)", p.Name, i, v, scale, joint[p.Name][i])
			}
		}
	}
	if scaled != 2 || math.Min(k[0], k[1]) >= 1 {
		t.Fatalf("%d conv weights, k = %v; want 2 conv weights and one k below 1", scaled, k)
	}
}
