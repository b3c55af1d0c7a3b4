package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The gradient checks compare each layer's analytic Backward with central
// differences of the scalar L = Σ y·R for a fixed random R. The layers
// compute in float32, so L is accumulated in float64 and the difference
// quotient divides by the step actually taken after float32 rounding. With a
// step of 1e-3 on the tiny shapes used here the rounding noise is around
// 1e-4 and the truncation error smaller still, well below the tolerance
// (2e-3 + 2% relative) that a gradient wrong by a few percent exceeds
// (checked by hand by perturbing the Backward of Linear, Tanh, Conv2D and
// BatchNorm). The step is small so that compound layers rarely have a ReLU
// cross its kink. Where a
// perturbation crosses a kink (ReLU at 0, a max-pool tie), the estimates
// at two step sizes disagree; such coordinates are skipped, and the check
// fails if more than a tenth of them are.

const (
	gcStep = 1e-3
	gcAtol = 2e-3
	gcRtol = 2e-2
)

// newTestRNG returns a seeded stream for tests.
func newTestRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// randTensor returns a tensor of the given shape with entries uniform in
// [-1, 1] scaled by s.
func randTensor(rng *rand.Rand, s float64, shape ...int) *Tensor {
	t := NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = float32(s * (2*rng.Float64() - 1))
	}
	return t
}

// dot64 is Σ a·b in float64.
func dot64(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// gradCheck checks dL/dx and dL/dparam of layer at x for L = Σ y·R.
func gradCheck(t *testing.T, layer Layer, x *Tensor, seed uint64) {
	t.Helper()
	rng := newTestRNG(seed)
	for _, p := range layer.Params() {
		p.Grad.Zero()
	}
	y := layer.Forward(x, true)
	r := randTensor(rng, 1, y.Shape...)
	dx := layer.Backward(r.Clone()).Clone()
	if !SameShape(dx, x) {
		t.Fatalf("input gradient shape %v, input shape %v", dx.Shape, x.Shape)
	}
	loss := func() float64 { return dot64(layer.Forward(x, true).Data, r.Data) }
	checkTensor(t, "input", x.Data, dx.Data, loss, rng)
	for _, p := range layer.Params() {
		checkTensor(t, p.Name, p.Value.Data, p.Grad.Clone().Data, loss, rng)
	}
}

// checkTensor compares analytic gradients with central differences of loss
// at up to 24 coordinates of v chosen by rng.
func checkTensor(t *testing.T, what string, v, analytic []float32, loss func() float64, rng *rand.Rand) {
	t.Helper()
	idx := rng.Perm(len(v))
	if len(idx) > 24 {
		idx = idx[:24]
	}
	central := func(i int, h float32) float64 {
		v0 := v[i]
		v[i] = v0 + h
		hp := v[i]
		lp := loss()
		v[i] = v0 - h
		hm := v[i]
		lm := loss()
		v[i] = v0
		return (lp - lm) / float64(hp-hm)
	}
	skipped := 0
	for _, i := range idx {
		n1, n2 := central(i, gcStep), central(i, gcStep/2)
		tol := func(a, b float64) float64 { return gcAtol + gcRtol*max(math.Abs(a), math.Abs(b)) }
		if math.Abs(n1-n2) > tol(n1, n2) {
			if testing.Verbose() {
				t.Logf("%s[%d]: skipped, numeric %.6g at step h and %.6g at h/2, analytic %.6g", what, i, n1, n2, analytic[i])
			}
			skipped++
			continue
		}
		a := float64(analytic[i])
		if math.Abs(a-n2) > tol(a, n2) {
			t.Errorf("%s[%d]: analytic gradient %.6g, numeric %.6g", what, i, a, n2)
		}
	}
	if skipped*10 > len(idx) {
		t.Errorf("%s: %d of %d coordinates sit on a kink; the check is not meaningful", what, skipped, len(idx))
	}
}

// awayFromZero pushes entries of t to at least lo in magnitude so that
// elementwise kinks at 0 are not crossed by the finite-difference step.
func awayFromZero(t *Tensor, lo float32) *Tensor {
	for i, v := range t.Data {
		if v >= 0 && v < lo {
			t.Data[i] = v + lo
		} else if v < 0 && v > -lo {
			t.Data[i] = v - lo
		}
	}
	return t
}

func TestGradLinear(t *testing.T) {
	rng := newTestRNG(1)
	l := NewLinear("fc", 5, 3, rng)
	Fill(l.B.Value, 0.3)
	gradCheck(t, l, randTensor(rng, 1, 4, 5), 2)
	// A batch with trailing dimensions is flattened per sample.
	gradCheck(t, l, randTensor(rng, 1, 2, 1, 5), 3)
}

func TestGradActivations(t *testing.T) {
	for _, tc := range []struct {
		name  string
		layer Layer
	}{
		{"relu", NewReLU()},
		{"sigmoid", NewSigmoid()},
		{"tanh", NewTanh()},
		{"flatten", NewFlatten()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := newTestRNG(4)
			gradCheck(t, tc.layer, awayFromZero(randTensor(rng, 2, 3, 2, 4), 0.05), 5)
		})
	}
}

func TestGradSequentialMLP(t *testing.T) {
	rng := newTestRNG(6)
	e := NewMLPEncoder("enc", 6, []int{7}, 5, rng)
	for _, p := range e.Params() {
		if p.Value.Rows() == len(p.Value.Data) { // biases: move kinks away
			Fill(p.Value, 0.1)
		}
	}
	gradCheck(t, e, randTensor(rng, 1, 4, 2, 3), 7)
}

func TestReLUValues(t *testing.T) {
	x := FromSlice([]float32{-2, -0.0, 0, 0.5, float32(math.Inf(-1)), float32(math.Inf(1)), -1e-30}, 7)
	want := []float32{0, 0, 0, 0.5, 0, float32(math.Inf(1)), 0}
	y := NewReLU().Forward(x, true)
	for i, w := range want {
		if y.Data[i] != w || math.Signbit(float64(y.Data[i])) {
			t.Errorf("relu(%g) = %g, want +%g", x.Data[i], y.Data[i], w)
		}
	}
	negNaN := math.Float32frombits(0xffc00000)
	for _, v := range []float32{float32(math.NaN()), negNaN} {
		if y := NewReLU().Forward(FromSlice([]float32{v}, 1), true); !math.IsNaN(float64(y.Data[0])) {
			t.Errorf("relu(NaN with bits %#x) = %g, want NaN", math.Float32bits(v), y.Data[0])
		}
	}
}
