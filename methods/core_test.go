package methods_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/model"
	"github.com/miebench/miebench/nn"
)

// coreRun is a two-modality mlp model with a concat head.
func coreRun(t *testing.T) (*methods.Run, *methods.Batch) {
	t.Helper()
	cfg := model.Config{Modalities: []string{"a", "v"}, Shapes: [][]int{{3}, {2}}, Fusion: "concat", NumClasses: 3,
		Encoders: []model.EncoderConfig{{Kind: "mlp", Dim: 4}, {Kind: "mlp", Dim: 2}}}
	md, err := model.New(cfg, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	b := &methods.Batch{X: []*nn.Tensor{nn.FromSlice([]float32{1, 2, 3, -1, 0, 1}, 2, 3), nn.FromSlice([]float32{1, -2, 0.5, 2}, 2, 2)}, Y: []int{0, 2}}
	return &methods.Run{Model: md, Seed: 7}, b
}

func TestFuseSubsetZeroesTheOthers(t *testing.T) {
	r, b := coreRun(t)
	z := methods.Encode(r, b, false)
	orig := []*nn.Tensor{z[0].Clone(), z[1].Clone()}
	for _, keep := range [][]bool{{true, true}, {true, false}, {false, true}, {false, false}} {
		want := make([]*nn.Tensor, len(z))
		for m := range z {
			want[m] = nn.NewTensor(z[m].Shape...)
			if keep[m] {
				want[m] = z[m]
			}
		}
		got := methods.FuseSubset(r, z, keep, false)
		ref := r.Model.Fusion.Forward(want, false)
		for i := range ref.Data {
			if got.Data[i] != ref.Data[i] {
				t.Fatalf("keep %v: fused[%d] = %v, want %v", keep, i, got.Data[i], ref.Data[i])
			}
		}
	}
	for m := range z {
		for i, v := range orig[m].Data {
			if z[m].Data[i] != v {
				t.Fatalf("FuseSubset changed modality %d's input features", m)
			}
		}
	}
}

func TestSaveLoad(t *testing.T) {
	r, _ := coreRun(t)
	p := r.Model.Params()[0]
	before := p.Value.Data[0]
	r.Save("init")
	p.Value.Data[0] += 1
	if s, ok := r.Saved("init"); !ok || s.Params[p.Name].Data[0] != before {
		t.Fatalf("Saved(init) does not hold the value at Save")
	}
	if err := r.Load("init"); err != nil {
		t.Fatal(err)
	}
	if p.Value.Data[0] != before {
		t.Errorf("after Load: %v, want %v", p.Value.Data[0], before)
	}
	if err := r.Load("epoch"); err == nil || !strings.Contains(err.Error(), `"epoch"`) {
		t.Errorf("Load of an unsaved name: error %v, want one naming it", err)
	}
}

func TestInitStreamDependsOnSeedAndName(t *testing.T) {
	r, _ := coreRun(t)
	a1, a2, b := r.InitStream("head.a").Uint64(), r.InitStream("head.a").Uint64(), r.InitStream("head.v").Uint64()
	if a1 != a2 || a1 == b {
		t.Errorf("InitStream: same name gives %v and %v, another name %v; want equal, then different", a1, a2, b)
	}
}

func TestExtraModulesAreTrainedNotReported(t *testing.T) {
	r, b := coreRun(t)
	scalar := nn.NewParam("method.boost", 1)
	aux := nn.NewLinear("head.a.aux", 4, 3, r.InitStream("head.a.aux"))
	r.Model.AddExtra("method", model.Params{scalar})
	r.Model.AddExtra("head/a.aux", aux)
	ps := r.Model.Params()
	if ps[len(ps)-3] != scalar || ps[len(ps)-1] != aux.B {
		t.Fatalf("extra parameters are not at the end of Model.Params: %v", len(ps))
	}
	if got := methods.GroupParams(r, "head/a.aux"); len(got) != 2 || got[0] != aux.W {
		t.Errorf("GroupParams(head/a.aux) = %d parameters, want the aux head's 2", len(got))
	}
	p := methods.PredictFrom(r, methods.Forward(r, b, false))
	for m, src := range p.ModalSource {
		if src != methods.SourcePartial {
			t.Errorf("modality %d: source %q with extra modules, want %q", m, src, methods.SourcePartial)
		}
	}
}

func TestCapsCheck(t *testing.T) {
	av := []string{"a", "v"}
	cases := []struct {
		caps methods.Caps
		plan methods.PlanInfo
		want string // "" for no error
	}{
		{methods.Caps{}, methods.PlanInfo{Modalities: []string{"a"}}, ""},
		{methods.Caps{MinModalities: 2}, methods.PlanInfo{Modalities: []string{"a"}}, "at least 2 modalities"},
		{methods.Caps{MaxModalities: 2}, methods.PlanInfo{Modalities: []string{"a", "v", "t"}}, "at most 2 modalities"},
		{methods.Caps{Fusions: model.Fusions}, methods.PlanInfo{Modalities: av, Fusion: "none"}, "needs a fusion head"},
		{methods.Caps{Fusions: model.Fusions}, methods.PlanInfo{Modalities: av, Fusion: "gated"}, ""},
		{methods.Caps{PartialLogits: true}, methods.PlanInfo{Modalities: av, Fusion: "film"}, "partial logits"},
		{methods.Caps{PartialLogits: true}, methods.PlanInfo{Modalities: av, Fusion: "sum"}, ""},
		{methods.Caps{EqualFeatureDims: true}, methods.PlanInfo{Modalities: av, FeatureDims: []int{4, 8}}, "equal feature widths"},
		{methods.Caps{EqualFeatureDims: true}, methods.PlanInfo{Modalities: av, FeatureDims: []int{8, 8}}, ""},
		{methods.Caps{EqualFeatureDims: true}, methods.PlanInfo{Modalities: av}, ""},
	}
	for _, c := range cases {
		err := c.caps.Check("x", c.plan)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v on %+v: %v, want no error", c.caps, c.plan, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "x: ")):
			t.Errorf("%+v on %+v: error %v, want one starting \"x: \" and containing %q", c.caps, c.plan, err, c.want)
		}
	}
}
