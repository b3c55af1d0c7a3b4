package amss

import (
	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/methodtest"
	"math"
	"strings"
	"testing"
)

func TestAMSSStepMasksFiltersOfEncoderWeights(t *testing.T) {
	for _, plus := range []bool{false, true} {
		for _, fusion := range []string{"concat", "gated"} {
			a := &AMSS{Temperature: 0.2, Plus: plus}
			r, b, logs := methodtest.TwoModalityRun(t, fusion, "mlp", a.Setup)
			if _, err := (methods.Base{}).Step(r, b); err != nil {
				t.Fatal(err)
			}
			joint := methodtest.Grads(r)
			if _, err := a.Step(r, b); err != nil {
				t.Fatal(err)
			}
			got := methodtest.Grads(r)
			coeff := []float64{logs["coeff_audio"], logs["coeff_visual"]}
			for _, p := range r.Model.Params() {
				if strings.Contains(p.Name, ".probe.") {
					continue
				}
				g, j := got[p.Name], joint[p.Name]
				if !strings.HasPrefix(p.Name, "enc.") || len(p.Grad.Shape) != 2 {
					for i := range g {
						if g[i] != j[i] {
							t.Fatalf("plus=%v %s: %s is not a masked tensor but changed", plus, fusion, p.Name)
						}
					}
					continue
				}
				// Each row (output unit) is either dropped (zero) or kept and
				// scaled by 1 (AMSS) or 1/(q_f + 1/N) (AMSS+).
				n, rowLen := p.Grad.Shape[0], p.Grad.Shape[1]
				imp := make([]float64, n)
				var total float64
				for f := range n {
					for _, v := range j[f*rowLen : (f+1)*rowLen] {
						imp[f] += float64(v) * float64(v)
					}
					total += imp[f]
				}
				kept := 0
				for f := range n {
					scale := 1.0
					if plus {
						scale = 1 / (imp[f]/total + 1/float64(n))
					}
					zero, match := true, true
					for i := f * rowLen; i < (f+1)*rowLen; i++ {
						zero = zero && g[i] == 0
						match = match && math.Abs(float64(g[i])-scale*float64(j[i])) <= 1e-6*(1+math.Abs(float64(g[i])))
					}
					switch {
					case match && imp[f] > 0:
						kept++
					case zero:
					default:
						t.Fatalf("plus=%v %s: %s row %d neither dropped nor kept with scale %v", plus, fusion, p.Name, f, scale)
					}
				}
				m := methodtest.VisualIndex(p.Name)
				if want := int(math.Ceil(float64(n) * coeff[m])); kept != want {
					t.Fatalf("plus=%v %s: %s kept %d of %d rows, want ceil(%d * %v) = %d", plus, fusion, p.Name, kept, n, n, coeff[m], want)
				}
			}
		}
	}
}

func TestAMSSStepCoefficientsFromBatch(t *testing.T) {
	a := &AMSS{Temperature: 0.2}
	r, b, logs := methodtest.TwoModalityRun(t, "sum", "mlp", a.Setup)
	out := methods.Forward(r, b, false)
	part := r.Model.Fusion.Partial(out.Z)
	hy := amssLabelTerm(b.Y, 3) // two of each class: p = 1/3 each, HY = ln 3
	if math.Abs(hy-math.Log(3)) > 1e-12 {
		t.Fatalf("HY = %v, want ln 3", hy)
	}
	var num, ent [2]float64
	for m := range 2 {
		num[m] = amssScore(part[m], b.Y) + hy + 0.5
		ent[m] = amssFeatureEntropy(out.Z[m])
	}
	if _, err := a.Step(r, b); err != nil {
		t.Fatal(err)
	}
	want := []float64{0.5, 0.5}
	if num[0] > 0 && num[1] > 0 {
		ea, ev := math.Exp(num[0]/ent[0]/0.2), math.Exp(num[1]/ent[1]/0.2)
		want[0] = math.Min(math.Max(ev/(ea+ev), 0.1), 0.9)
		want[1] = math.Min(math.Max(1-ev/(ea+ev), 0.1), 0.9)
	}
	if math.Abs(logs["coeff_audio"]-want[0]) > 1e-6 || math.Abs(logs["coeff_visual"]-want[1]) > 1e-6 {
		t.Fatalf("coefficients %v, %v; want %v", logs["coeff_audio"], logs["coeff_visual"], want)
	}
}

func TestAMSSStepOnCNNMasksOnlyConvFilters(t *testing.T) {
	a := &AMSS{Temperature: 0.2}
	r, b, logs := methodtest.TwoModalityRun(t, "sum", "cnn", a.Setup)
	if _, err := (methods.Base{}).Step(r, b); err != nil {
		t.Fatal(err)
	}
	joint := methodtest.Grads(r)
	if _, err := a.Step(r, b); err != nil {
		t.Fatal(err)
	}
	coeff := []float64{logs["coeff_audio"], logs["coeff_visual"]}
	for _, p := range r.Model.Params() {
		g, j := p.Grad.Data, joint[p.Name]
		if len(p.Grad.Shape) != 4 {
			for i := range g {
				if g[i] != j[i] {
					t.Fatalf("%s (batch norm, linear or head) changed", p.Name)
				}
			}
			continue
		}
		kept, rowLen := 0, p.Grad.RowLen()
		for f := range p.Grad.Rows() {
			same, zero := true, true
			for i := f * rowLen; i < (f+1)*rowLen; i++ {
				same = same && g[i] == j[i]
				zero = zero && g[i] == 0
			}
			switch {
			case same && !zero:
				kept++
			case !zero:
				t.Fatalf("%s filter %d neither kept nor dropped", p.Name, f)
			}
		}
		if want := int(math.Ceil(4 * coeff[methodtest.VisualIndex(p.Name)])); kept != want {
			t.Fatalf("%s: %d of 4 filters kept, want %d", p.Name, kept, want)
		}
	}
}
