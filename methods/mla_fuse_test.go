package methods

import (
	"math"
	"testing"

	"github.com/miebench/miebench/nn"
)

func TestMLAEntropies(t *testing.T) {
	// Uniform over 4 classes: ln 4. Logits (ln 3, 0): p = (3/4, 1/4).
	h := mlaEntropies(nn.FromSlice([]float32{0, 0, 0, 0}, 1, 4))
	if !mlaClose(h[0], math.Log(4), 1e-7) {
		t.Fatalf("entropy of a uniform row = %v, want ln 4", h[0])
	}
	h = mlaEntropies(nn.FromSlice([]float32{float32(math.Log(3)), 0}, 1, 2))
	want := -(0.75*math.Log(0.75) + 0.25*math.Log(0.25))
	if !mlaClose(h[0], want, 1e-7) {
		t.Fatalf("entropy of (3/4, 1/4) = %v, want %v", h[0], want)
	}
}

func TestMLASoftmaxNeg(t *testing.T) {
	// exp(-ln 2) = 1/2 against exp(0) = 1: weights 1/3 and 2/3.
	w := softmaxNeg([]float64{math.Ln2, 0})
	if !mlaClose(w[0], 1.0/3, 1e-15) || !mlaClose(w[1], 2.0/3, 1e-15) {
		t.Fatalf("weights = %v, want [1/3 2/3]", w)
	}
}

func TestMLAFuse(t *testing.T) {
	ln3 := float32(math.Log(3))
	// Sample 0: audio confident (3/4, 1/4), visual uniform; sample 1 the
	// other way round. Batch-mean entropies are equal, so dynamic-batch
	// weighs 1/2 each; per sample the confident modality weighs more.
	a := nn.FromSlice([]float32{ln3, 0, 0, 0}, 2, 2)
	v := nn.FromSlice([]float32{0, 0, 0, ln3}, 2, 2)
	hc := -(0.75*math.Log(0.75) + 0.25*math.Log(0.25))
	wc := math.Exp(-hc) / (math.Exp(-hc) + math.Exp(-math.Ln2)) // confident modality's weight
	cases := []struct {
		mode string
		want []float64
	}{
		{mlaFixed, []float64{0.55 * float64(ln3), 0, 0, 0.45 * float64(ln3)}},
		{mlaDynamicBatch, []float64{0.5 * float64(ln3), 0, 0, 0.5 * float64(ln3)}},
		{mlaDynamicSample, []float64{wc * float64(ln3), 0, 0, wc * float64(ln3)}},
	}
	for _, c := range cases {
		f, err := mlaFuse([]*nn.Tensor{a, v}, c.mode, []float64{0.55, 0.45})
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range c.want {
			if !mlaClose(float64(f.Data[i]), w, 1e-6) {
				t.Errorf("%s: fused[%d] = %v, want %v", c.mode, i, f.Data[i], w)
			}
		}
	}
	if _, err := mlaFuse([]*nn.Tensor{a, v}, "vote", nil); err == nil {
		t.Error("unknown mode: want an error")
	}
}

func TestMLAParseWeights(t *testing.T) {
	for _, c := range []struct {
		s    string
		m    int
		want []float64
		bad  bool
	}{
		{"", 2, []float64{0.55, 0.45}, false},
		{"", 4, []float64{0.25, 0.25, 0.25, 0.25}, false},
		{"0.3, 0.7", 2, []float64{0.3, 0.7}, false},
		{"1,2,3", 2, nil, true},
		{"a,b", 2, nil, true},
		{"-1,2", 2, nil, true},
		{"0,0", 2, nil, true},
	} {
		w, err := mlaParseWeights(c.s, c.m)
		if c.bad {
			if err == nil {
				t.Errorf("mlaParseWeights(%q, %d): want an error", c.s, c.m)
			}
			continue
		}
		if err != nil {
			t.Errorf("mlaParseWeights(%q, %d): %v", c.s, c.m, err)
			continue
		}
		for i := range c.want {
			if w[i] != c.want[i] {
				t.Errorf("mlaParseWeights(%q, %d) = %v, want %v", c.s, c.m, w, c.want)
				break
			}
		}
	}
}
