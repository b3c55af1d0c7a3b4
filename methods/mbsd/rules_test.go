package mbsd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/methods/gradcheck"
	"github.com/miebench/miebench/methods/scores"
	"github.com/miebench/miebench/nn"
)

func TestPairValues(t *testing.T) {
	ln3, ln2 := float32(math.Log(3)), float32(math.Log(2))
	// Sample 0: softmax(a) = (0.75, 0.25), softmax(b) = (0.5, 0.5), y = 0;
	// a is right, so w = 0.75 - 0.5; KL = 0.5 (ln 0.5 - 0.75);
	// RS = (ln 3)^2 / 2. Sample 1: both predict class 1 against y = 0, w = 0.
	a := nn.FromSlice([]float32{ln3, 0, 0, ln3}, 2, 2)
	b := nn.FromSlice([]float32{0, 0, 0, ln2}, 2, 2)
	y := []int{0, 0}
	kl := 0.5 * (math.Log(0.5) - 0.75)
	rs := math.Log(3) * math.Log(3) / 2
	for _, detach := range []bool{false, true} {
		p, err := pair(a, b, y, detach)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(p.W[0]-0.25) > 1e-7 || p.W[1] != 0 {
			t.Fatalf("weights = %v, want [0.25 0]", p.W)
		}
		if math.Abs(p.KL-0.25*kl/2) > 1e-7 || math.Abs(p.RS-0.25*rs/2) > 1e-7 || math.Abs(p.Loss-0.25*(kl+rs)/2) > 1e-7 {
			t.Fatalf("detach %v: KL %v RS %v loss %v, want %v %v %v", detach, p.KL, p.RS, p.Loss, 0.25*kl/2, 0.25*rs/2, 0.25*(kl+rs)/2)
		}
		// Sample 1 has w = 0: no gradient in either mode.
		for j := range 2 {
			if p.DA.Row(1)[j] != 0 || p.DB.Row(1)[j] != 0 {
				t.Fatalf("detach %v: gradient on a zero-weight sample: %v %v", detach, p.DA.Data, p.DB.Data)
			}
		}
		// Detached, the stronger modality (a) gets no gradient.
		if detach && (p.DA.Data[0] != 0 || p.DA.Data[1] != 0) {
			t.Fatalf("detached: gradient reached the stronger modality: %v", p.DA.Data)
		}
	}
	if _, err := pair(a, nn.NewTensor(3, 2), y, false); err == nil {
		t.Fatal("pair accepted logits of different shapes")
	}
}

func randomLogits(rng *rand.Rand, n, c int, sd float64) *nn.Tensor {
	x := nn.NewTensor(n, c)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64() * sd)
	}
	return x
}

// TestPairGradientReleased compares the released (nothing detached)
// gradient with central differences of the whole term.
func TestPairGradientReleased(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n, c := 6, 3
	a, b := randomLogits(rng, n, c, 2), randomLogits(rng, n, c, 1)
	y := []int{0, 1, 2, 0, 1, 2}
	p, _ := pair(a, b, y, false)
	active := 0
	for _, w := range p.W {
		if w != 0 {
			active++
		}
	}
	if active == 0 {
		t.Fatal("no sample with a nonzero weight: uninformative test point")
	}
	f := func() float64 { q, _ := pair(a, b, y, false); return q.Loss }
	const h = 1e-3
	for _, x := range []struct {
		name string
		v, g *nn.Tensor
	}{{"a", a, p.DA}, {"b", b, p.DB}} {
		for i, num := range gradcheck.Numerical(x.v.Data, h, f) {
			if math.Abs(num-float64(x.g.Data[i])) > 2e-3 {
				t.Errorf("d/d%s[%d] = %v, numerical %v", x.name, i, x.g.Data[i], num)
			}
		}
	}
}

// TestPairGradientDetached checks the detached gradient on one sample
// against central differences of w*(u(log u - s) + RS) with w, s and the
// stronger logits held fixed.
func TestPairGradientDetached(t *testing.T) {
	a := nn.FromSlice([]float32{2, 0.5, -1}, 1, 3)    // strong, right
	b := nn.FromSlice([]float32{0.3, 0.2, 0.1}, 1, 3) // weak
	y := []int{0}
	p, _ := pair(a, b, y, true)
	pa := scores.SoftmaxRow(a.Row(0))
	s := pa[0]
	w := p.W[0]
	f := func() float64 {
		u := scores.SoftmaxRow(b.Row(0))[0]
		var rs float64
		for j := range 3 {
			d := float64(a.Data[j]) - float64(b.Data[j])
			rs += d * d / 3
		}
		return w * (u*(math.Log(u)-s) + rs)
	}
	const h = 1e-3
	for i, num := range gradcheck.Numerical(b.Data, h, f) {
		if math.Abs(num-float64(p.DB.Data[i])) > 1e-3 {
			t.Errorf("d/db[%d] = %v, numerical %v", i, p.DB.Data[i], num)
		}
	}
}
