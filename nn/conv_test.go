package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// directConv is a straightforward reference convolution for the tests.
func directConv(c *Conv2D, x *Tensor) *Tensor {
	n, h, w := x.Shape[0], x.Shape[2], x.Shape[3]
	oh, ow := c.OutSize(h, w)
	y := NewTensor(n, c.OutC, oh, ow)
	for i := range n {
		for o := range c.OutC {
			for oy := range oh {
				for ox := range ow {
					var s float64
					if c.B != nil {
						s = float64(c.B.Value.Data[o])
					}
					for ci := range c.InC {
						for ki := range c.KH {
							for kj := range c.KW {
								iy, ix := oy*c.Stride-c.Pad+ki, ox*c.Stride-c.Pad+kj
								if iy < 0 || iy >= h || ix < 0 || ix >= w {
									continue
								}
								s += float64(c.W.Value.Data[((o*c.InC+ci)*c.KH+ki)*c.KW+kj]) * float64(x.Data[((i*c.InC+ci)*h+iy)*w+ix])
							}
						}
					}
					y.Data[((i*c.OutC+o)*oh+oy)*ow+ox] = float32(s)
				}
			}
		}
	}
	return y
}

func TestConv2DHandComputed(t *testing.T) {
	// One 3x3 input channel 1..9, a 2x2 kernel of ones, stride 1, padding 0:
	// each output is the sum of a 2x2 window, plus the bias 0.5.
	c := NewConv2D("c", 1, 1, 2, 2, 1, 0, true, newTestRNG(1))
	Fill(c.W.Value, 1)
	Fill(c.B.Value, 0.5)
	y := c.Forward(FromSlice([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3), false)
	want := []float32{12.5, 16.5, 24.5, 28.5}
	for i, v := range want {
		if y.Data[i] != v {
			t.Errorf("output %d = %g, want %g", i, y.Data[i], v)
		}
	}
	// Stride 2 and padding 1 on the same input: windows centred on the corners.
	c = NewConv2D("c", 1, 1, 3, 3, 2, 1, false, newTestRNG(1))
	Fill(c.W.Value, 1)
	y = c.Forward(FromSlice([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3), false)
	want = []float32{1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9}
	for i, v := range want {
		if y.Data[i] != v {
			t.Errorf("stride 2: output %d = %g, want %g", i, y.Data[i], v)
		}
	}
}

func TestConv2DMatchesDirect(t *testing.T) {
	defer func(b, m int) { colBudget, perSampleMinP = b, m }(colBudget, perSampleMinP)
	for _, tc := range []struct {
		name                            string
		inC, outC, k, stride, pad, h, w int
		budget                          int
	}{
		{"3x3 pad 1, whole batch, sample by sample", 2, 3, 3, 1, 1, 20, 18, 1 << 21},
		{"3x3 pad 1, two samples per chunk, sample by sample", 2, 3, 3, 1, 1, 20, 18, 2 * 18 * 360},
		{"3x3 pad 1", 2, 3, 3, 1, 1, 5, 6, 1 << 21},
		{"3x3 stride 2 pad 1, one sample per chunk", 2, 3, 3, 2, 1, 7, 6, 1},
		{"7x7 stride 2 pad 3, two samples per chunk", 1, 4, 7, 2, 3, 9, 8, 2 * 49 * 20},
		{"1x1 stride 2", 3, 2, 1, 2, 0, 5, 5, 1 << 21},
		{"3x3 stride 3 pad 2", 2, 2, 3, 3, 2, 7, 5, 1 << 21},
		{"5x5 stride 1 pad 2 on 3x3", 1, 2, 5, 1, 2, 3, 3, 1 << 21},
	} {
		colBudget, perSampleMinP = tc.budget, 256
		rng := newTestRNG(2)
		c := NewConv2D("c", tc.inC, tc.outC, tc.k, tc.k, tc.stride, tc.pad, true, rng)
		for i := range c.B.Value.Data {
			c.B.Value.Data[i] = float32(i) * 0.1
		}
		x := randTensor(rng, 1, 3, tc.inC, tc.h, tc.w)
		want := directConv(c, x)
		for _, train := range []bool{true, false} {
			got := c.Forward(x, train)
			if !SameShape(got, want) {
				t.Fatalf("%s: shape %v, want %v", tc.name, got.Shape, want.Shape)
			}
			for i := range want.Data {
				if math.Abs(float64(got.Data[i]-want.Data[i])) > 1e-5 {
					t.Fatalf("%s (train %v): output %d = %g, want %g", tc.name, train, i, got.Data[i], want.Data[i])
				}
			}
		}
	}
}

func TestGradConv2D(t *testing.T) {
	defer func(b, m int) { colBudget, perSampleMinP = b, m }(colBudget, perSampleMinP)
	for _, tc := range []struct {
		name                      string
		k, stride, pad, h, w, bud int
		minP                      int
	}{
		{"3x3 stride 1 pad 1", 3, 1, 1, 5, 4, 1 << 21, 256},
		{"3x3 stride 1 pad 1 sample by sample", 3, 1, 1, 5, 4, 1 << 21, 1},
		{"3x3 stride 2 pad 1 chunked", 3, 2, 1, 6, 5, 1, 256},
		{"2x3 kernel stride 2 no pad", 2, 2, 0, 5, 7, 1 << 21, 256},
		{"2x3 kernel stride 2 sample by sample, two per chunk", 2, 2, 0, 5, 7, 2 * 12 * 6, 1},
		{"3x3 stride 2 pad 1 sample by sample, one per chunk", 3, 2, 1, 6, 5, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			colBudget, perSampleMinP = tc.bud, tc.minP
			rng := newTestRNG(3)
			c := NewConv2D("conv", 2, 3, tc.k, 3, tc.stride, tc.pad, true, rng)
			gradCheck(t, c, randTensor(rng, 1, 2, 2, tc.h, tc.w), 4)
		})
	}
	// Winograd's F(2x2, 3x3): 64 channels, 17 x 15 planes (9 x 8 tiles per
	// sample, the last row and column clipped), 6 samples.
	t.Run("winograd", func(t *testing.T) {
		smallWinograd(t)
		rng := newTestRNG(3)
		c := NewConv2D("conv", 64, 64, 3, 3, 1, 1, true, rng)
		if !c.Winograd(6, 17, 15) {
			t.Fatal("not a Winograd shape")
		}
		gradCheck(t, c, randTensor(rng, 1, 6, 64, 17, 15), 4)
	})
}

func TestBatchNormRunningStatsAndEval(t *testing.T) {
	// Channel 0 holds 1, 2, 3, 4 (two samples, two positions): mean 2.5,
	// biased variance 1.25, unbiased 5/3. Channel 1 holds 0, 0, 2, 2: mean 1,
	// biased variance 1, unbiased 4/3.
	b := NewBatchNorm2D("bn", 2)
	x := FromSlice([]float32{1, 2, 0, 0, 3, 4, 2, 2}, 2, 2, 1, 2)
	y := b.Forward(x, true)
	inv0 := 1 / math.Sqrt(1.25+1e-5)
	if got, want := float64(y.Data[0]), -1.5*inv0; math.Abs(got-want) > 1e-6 {
		t.Errorf("normalised x[0] = %g, want %g", got, want)
	}
	wantMean := []float64{0.25, 0.1}
	wantVar := []float64{0.9 + 0.1*5.0/3, 0.9 + 0.1*4.0/3}
	for c := range 2 {
		if math.Abs(float64(b.RunningMean.Value.Data[c])-wantMean[c]) > 1e-7 || math.Abs(float64(b.RunningVar.Value.Data[c])-wantVar[c]) > 1e-6 {
			t.Errorf("channel %d: running mean %g var %g, want %g %g", c, b.RunningMean.Value.Data[c], b.RunningVar.Value.Data[c], wantMean[c], wantVar[c])
		}
	}
	// Evaluation uses the running statistics and leaves them alone.
	b.Gamma.Value.Data[0], b.Beta.Value.Data[0] = 2, 0.5
	e := b.Forward(x, false)
	want := 2*(1-0.25)/math.Sqrt(wantVar[0]+1e-5) + 0.5
	if math.Abs(float64(e.Data[0])-want) > 1e-5 {
		t.Errorf("eval output %g, want %g", e.Data[0], want)
	}
	if math.Abs(float64(b.RunningMean.Value.Data[0])-0.25) > 1e-7 {
		t.Error("evaluation changed the running mean")
	}
}

func TestGradBatchNorm(t *testing.T) {
	rng := newTestRNG(5)
	b2 := NewBatchNorm2D("bn2", 3)
	for i := range 3 {
		b2.Gamma.Value.Data[i] = 0.5 + float32(i)*0.4
		b2.Beta.Value.Data[i] = float32(i) * 0.1
	}
	gradCheck(t, b2, randTensor(rng, 1, 2, 3, 2, 3), 6)
	b1 := NewBatchNorm1D("bn1", 4)
	Fill(b1.Gamma.Value, 1.3)
	gradCheck(t, b1, randTensor(rng, 1, 5, 4), 7)
}

func TestPoolingHandComputed(t *testing.T) {
	x := FromSlice([]float32{
		1, 2, 3, 4,
		5, 6, 7, 8,
		9, 10, 11, 12,
		13, 14, 15, 16,
	}, 1, 1, 4, 4)
	for _, tc := range []struct {
		name  string
		layer Layer
		want  []float32
	}{
		{"max 2/2", NewMaxPool2D(2, 2, 0), []float32{6, 8, 14, 16}},
		{"max 3/2 pad 1", NewMaxPool2D(3, 2, 1), []float32{6, 8, 14, 16}},
		{"avg 2/2", NewAvgPool2D(2, 2, 0), []float32{3.5, 5.5, 11.5, 13.5}},
		{"avg 3/2 pad 1 counts padding", NewAvgPool2D(3, 2, 1), []float32{14.0 / 9, 30.0 / 9, 57.0 / 9, 99.0 / 9}},
		{"global", NewGlobalAvgPool(), []float32{8.5}},
	} {
		y := tc.layer.Forward(x, true)
		if len(y.Data) != len(tc.want) {
			t.Errorf("%s: shape %v, want %d values", tc.name, y.Shape, len(tc.want))
			continue
		}
		for i, v := range tc.want {
			if math.Abs(float64(y.Data[i]-v)) > 1e-6 {
				t.Errorf("%s: output %d = %g, want %g", tc.name, i, y.Data[i], v)
			}
		}
	}
	// Max pooling routes the gradient to the maximum only.
	m := NewMaxPool2D(2, 2, 0)
	m.Forward(x, true)
	dx := m.Backward(FromSlice([]float32{1, 2, 3, 4}, 1, 1, 2, 2))
	want := []float32{0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4}
	for i, v := range want {
		if dx.Data[i] != v {
			t.Errorf("max-pool gradient %d = %g, want %g", i, dx.Data[i], v)
		}
	}
}

func TestGradPooling(t *testing.T) {
	for _, tc := range []struct {
		name  string
		layer Layer
	}{
		{"max 3/2 pad 1", NewMaxPool2D(3, 2, 1)},
		{"max 2/2", NewMaxPool2D(2, 2, 0)},
		{"avg 3/2 pad 1", NewAvgPool2D(3, 2, 1)},
		{"avg 2/1", NewAvgPool2D(2, 1, 0)},
		{"global", NewGlobalAvgPool()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := newTestRNG(8)
			gradCheck(t, tc.layer, randTensor(rng, 1, 2, 2, 5, 6), 9)
		})
	}
}

func TestMaxPoolTiesGoToFirst(t *testing.T) {
	for _, tc := range []struct {
		pad  int
		want []float32
	}{
		{0, []float32{1, 0, 0, 0}}, // one window over four equal values: the first wins
		{1, []float32{1, 1, 1, 1}}, // four windows with one real element each
	} {
		m := NewMaxPool2D(2, 2, tc.pad)
		y := m.Forward(NewTensor(1, 1, 2, 2), true)
		dy := NewTensor(y.Shape...)
		Fill(dy, 1)
		dx := m.Backward(dy)
		if !slices.Equal(dx.Data, tc.want) {
			t.Errorf("padding %d: gradient %v, want %v", tc.pad, dx.Data, tc.want)
		}
	}
}

// TestConv2DObserve: the hook sees the input of every Forward, training and
// evaluation alike, before the convolution.
func TestConv2DObserve(t *testing.T) {
	c := NewConv2D("c", 1, 2, 3, 3, 1, 1, false, rand.New(rand.NewPCG(1, 2)))
	x := NewTensor(2, 1, 4, 4)
	var seen []*Tensor
	c.Observe = func(in *Tensor) { seen = append(seen, in) }
	c.Forward(x, true)
	c.Forward(x, false)
	c.Observe = nil
	c.Forward(x, false)
	if len(seen) != 2 || seen[0] != x || seen[1] != x {
		t.Errorf("Observe saw %d inputs, want the input twice", len(seen))
	}
}

// TestConvScratchMatchesRequests checks ConvScratch, which package
// bench/sizing replays, against the requests a convolution really makes
// of the scratch free list: per-sample and chunked layers, with and
// without the kept im2col matrix and the input gradient, on one, two and
// eight goroutines, in training and evaluation.
func TestConvScratchMatchesRequests(t *testing.T) {
	defer func(b int) { colBudget = b }(colBudget)
	var mu sync.Mutex
	var got []int64
	scratchTaken = func(n int) {
		mu.Lock()
		got = append(got, int64(n))
		mu.Unlock()
	}
	defer func() { scratchTaken = nil }()
	take := func(f func()) []int64 {
		got = nil
		f()
		s := slices.Clone(got)
		slices.Sort(s)
		return s
	}
	sorted := func(s []int64) []int64 { s = slices.Clone(s); slices.Sort(s); return s }
	for _, tc := range []struct {
		name                            string
		inC, outC, n, h, stride, budget int
		noInputGrad                     bool
	}{
		{"per-sample kept", 2, 3, 3, 16, 1, IM2ColBudget, false},
		{"per-sample", 2, 3, 5, 32, 1, 2000, false},
		{"per-sample without input gradient", 2, 3, 5, 32, 1, 2000, true},
		{"chunks kept", 2, 3, 4, 8, 1, IM2ColBudget, false},
		{"chunks kept, several units", 2, 3, 9, 8, 1, IM2ColBudget, false},
		{"chunks", 2, 3, 9, 8, 1, 4000, false},
		{"chunks without input gradient", 2, 3, 9, 8, 1, 4000, true},
		{"winograd", 64, 64, 3, 24, 1, IM2ColBudget, false},
		{"winograd, groups of samples", 64, 64, 9, 16, 1, IM2ColBudget, false},
		{"winograd without input gradient", 64, 64, 3, 24, 1, IM2ColBudget, true},
		{"stride 2, not winograd", 64, 64, 3, 47, 2, IM2ColBudget, false},
	} {
		for _, procs := range []int{1, 2, 8} {
			t.Run(fmt.Sprintf("%s/procs=%d", tc.name, procs), func(t *testing.T) {
				smallWinograd(t)
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				colBudget = tc.budget
				rng := newTestRNG(7)
				c := NewConv2D("c", tc.inC, tc.outC, 3, 3, tc.stride, 1, false, rng)
				if want := strings.HasPrefix(tc.name, "winograd"); c.Winograd(tc.n, tc.h, tc.h) != want {
					t.Fatalf("Winograd: %v, want %v", !want, want)
				}
				c.NoInputGrad = tc.noInputGrad
				x := randTensor(rng, 1, tc.n, tc.inC, tc.h, tc.h)
				shape := ConvShape{InC: tc.inC, OutC: tc.outC, KH: 3, KW: 3, Stride: tc.stride, Pad: 1, H: tc.h, W: tc.h}
				fwd, bwd, kept := ConvScratch(shape, tc.n, procs, true, !tc.noInputGrad)
				if g := take(func() { c.Forward(x, true) }); !slices.Equal(g, sorted(fwd)) {
					t.Errorf("training forward took %v, ConvScratch says %v", g, fwd)
				}
				var got int64
				if c.cols != nil {
					got = int64(len(c.cols.Data))
				}
				if got != kept {
					t.Errorf("kept %d floats of im2col, ConvScratch says %d", got, kept)
				}
				oh := (tc.h-1)/tc.stride + 1
				dy := randTensor(rng, 1, tc.n, tc.outC, oh, oh)
				if g := take(func() { c.Backward(dy) }); !slices.Equal(g, sorted(bwd)) {
					t.Errorf("backward took %v, ConvScratch says %v", g, bwd)
				}
				efwd, _, _ := ConvScratch(shape, tc.n, procs, false, false)
				if g := take(func() { c.Forward(x, false) }); !slices.Equal(g, sorted(efwd)) {
					t.Errorf("evaluation forward took %v, ConvScratch says %v", g, efwd)
				}
			})
		}
	}
}

// smallWinograd lets the convolutions of test t take Winograd from 64
// channels and 384 tiles (the threshold before measurements moved it), so
// that the tests' shapes stay small; it restores the threshold after t.
func smallWinograd(t *testing.T) {
	old := winogradMinWork
	winogradMinWork = 64 * 384
	t.Cleanup(func() { winogradMinWork = old })
}

// TestWinogradMatchesGEMM checks the Winograd path (forward, weight and
// input gradients) against the im2col GEMM path on shapes that take it:
// odd plane sizes, groups of samples, a bias.
func TestWinogradMatchesGEMM(t *testing.T) {
	smallWinograd(t)
	defer func(e bool) { winogradEnabled = e }(winogradEnabled)
	for _, tc := range []struct{ n, inC, outC, h, w int }{
		{3, 64, 64, 16, 32},
		{3, 64, 96, 17, 31},
		{5, 96, 64, 21, 24},
	} {
		rng := newTestRNG(9)
		x := randTensor(rng, 1, tc.n, tc.inC, tc.h, tc.w)
		dy := randTensor(rng, 1, tc.n, tc.outC, tc.h, tc.w)
		ref := NewConv2D("c", tc.inC, tc.outC, 3, 3, 1, 1, true, rng)
		for i := range ref.B.Value.Data {
			ref.B.Value.Data[i] = 0.1 * float32(i)
		}
		if !ref.Winograd(tc.n, tc.h, tc.w) {
			t.Fatalf("%v: not a Winograd shape", tc)
		}
		run := func(wino bool) (y, dw, db, dx []float32) {
			winogradEnabled = wino
			c := *ref
			c.W = &Param{Name: "w", Value: ref.W.Value, Grad: NewTensor(ref.W.Value.Shape...)}
			c.B = &Param{Name: "b", Value: ref.B.Value, Grad: NewTensor(ref.B.Value.Shape...)}
			y = slices.Clone(c.Forward(x, true).Data)
			dx = slices.Clone(c.Backward(dy).Data)
			return y, c.W.Grad.Data, c.B.Grad.Data, dx
		}
		gy, gdw, gdb, gdx := run(false)
		wy, wdw, wdb, wdx := run(true)
		for _, cmp := range []struct {
			name      string
			got, want []float32
		}{{"output", wy, gy}, {"weight gradient", wdw, gdw}, {"bias gradient", wdb, gdb}, {"input gradient", wdx, gdx}} {
			var scale, diff float64
			for i := range cmp.want {
				scale = max(scale, math.Abs(float64(cmp.want[i])))
				diff = max(diff, math.Abs(float64(cmp.got[i]-cmp.want[i])))
			}
			if diff > 1e-5*scale {
				t.Errorf("%v: %s differs by %g (largest value %g)", tc, cmp.name, diff, scale)
			}
		}
	}
}
