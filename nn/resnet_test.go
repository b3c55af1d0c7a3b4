package nn

import (
	"math"
	"strings"
	"testing"
)

func TestGradBasicBlock(t *testing.T) {
	for _, tc := range []struct {
		name              string
		inC, outC, stride int
	}{
		{"identity shortcut", 3, 3, 1},
		{"downsample shortcut", 2, 3, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := newTestRNG(41)
			b := NewBasicBlock("blk", tc.inC, tc.outC, tc.stride, rng)
			gradCheck(t, b, randTensor(rng, 1, 3, tc.inC, 4, 4), 42)
		})
	}
}

func TestGradCNNEncoderWithFrames(t *testing.T) {
	rng := newTestRNG(43)
	e := NewCNNEncoder("cnn", []int{2, 1, 4, 4}, []int{3}, 2, rng)
	for _, p := range e.Params() {
		if strings.HasSuffix(p.Name, "fc.bias") {
			Fill(p.Value, 0.5) // keep the final ReLU away from its kink
		}
	}
	gradCheck(t, e, randTensor(rng, 1, 3, 2, 1, 4, 4), 44)
}

func TestResNet18Structure(t *testing.T) {
	rng := newTestRNG(45)
	r := NewResNet18("enc.audio", 1, rng)
	total := 0
	names := map[string]bool{}
	for _, p := range r.Params() {
		total += p.Value.Len()
		names[p.Name] = true
	}
	// torchvision's resnet18 without fc has 11,176,512 parameters with a
	// 3-channel stem; a 1-channel stem has 64·49·2 fewer.
	if want := 11176512 - 64*49*2; total != want {
		t.Errorf("parameter count %d, want %d", total, want)
	}
	for _, n := range []string{"enc.audio.conv1.weight", "enc.audio.bn1.bias", "enc.audio.layer1.0.conv1.weight",
		"enc.audio.layer2.0.downsample.0.weight", "enc.audio.layer2.0.downsample.1.weight", "enc.audio.layer4.1.bn2.weight"} {
		if !names[n] {
			t.Errorf("no parameter named %s", n)
		}
	}
	if names["enc.audio.layer1.0.downsample.0.weight"] {
		t.Error("layer1.0 has a downsample but keeps width and stride")
	}
	bufs := r.Buffers()
	if len(bufs) != 2*20 || bufs[0].Name != "enc.audio.bn1.running_mean" {
		t.Errorf("%d buffers, first %q; want 40 starting with enc.audio.bn1.running_mean", len(bufs), bufs[0].Name)
	}
	if r.OutDim() != 512 {
		t.Errorf("OutDim %d", r.OutDim())
	}
}

func TestResNet18FramesAreAveraged(t *testing.T) {
	rng := newTestRNG(46)
	r := NewResNet18("", 3, rng)
	if r.Params()[0].Name != "conv1.weight" {
		t.Errorf("unprefixed name %q, want conv1.weight", r.Params()[0].Name)
	}
	x := randTensor(rng, 1, 1, 2, 3, 20, 20) // one sample of two frames
	y := r.Forward(x, false)
	if len(y.Shape) != 2 || y.Shape[0] != 1 || y.Shape[1] != 512 {
		t.Fatalf("output shape %v, want [1 512]", y.Shape)
	}
	f0 := r.Forward(FromSlice(x.Data[:3*400], 1, 3, 20, 20), false)
	f1 := r.Forward(FromSlice(x.Data[3*400:], 1, 3, 20, 20), false)
	for j := range 512 {
		if want := (f0.Data[j] + f1.Data[j]) / 2; math.Abs(float64(y.Data[j]-want)) > 1e-5 {
			t.Fatalf("feature %d = %g, mean of frames %g", j, y.Data[j], want)
		}
	}
	// A training step runs end to end and returns an input-shaped gradient.
	yt := r.Forward(x, true)
	dx := r.Backward(FromSlice(make([]float32, 512), yt.Shape...))
	if !SameShape(dx, x) {
		t.Errorf("input gradient shape %v, want %v", dx.Shape, x.Shape)
	}
}

func TestDropout(t *testing.T) {
	d := NewDropout(0.25, newTestRNG(47))
	x := NewTensor(4000)
	Fill(x, 1)
	y := d.Forward(x, true)
	zeros := 0
	for _, v := range y.Data {
		switch v {
		case 0:
			zeros++
		case 1 / 0.75:
		default:
			t.Fatalf("dropout output %g is neither 0 nor 1/(1-p)", v)
		}
	}
	if zeros < 900 || zeros > 1100 {
		t.Errorf("%d of 4000 dropped, want about 1000", zeros)
	}
	dy := NewTensor(4000)
	Fill(dy, 2)
	dx := d.Backward(dy)
	for i := range y.Data {
		if dx.Data[i] != 2*y.Data[i] {
			t.Fatalf("gradient %d = %g, want %g", i, dx.Data[i], 2*y.Data[i])
		}
	}
	if e := d.Forward(x, false); e.Data[0] != 1 || e.Data[3999] != 1 {
		t.Error("evaluation mode is not the identity")
	}
	// The same seed gives the same mask.
	y2 := NewDropout(0.25, newTestRNG(47)).Forward(x, true)
	for i := range y.Data {
		if y.Data[i] != y2.Data[i] {
			t.Fatal("same seed, different masks")
		}
	}
}

// TestBackwardRepeatable checks that Backward may be called twice after one
// training Forward (methods back-propagate two losses through one encoder
// pass): the input gradient is the same and parameter gradients add up.
func TestBackwardRepeatable(t *testing.T) {
	defer func(b int) { colBudget = b }(colBudget)
	colBudget = 1 // force im2col to be recomputed in Backward
	rng := newTestRNG(48)
	enc := NewCNNEncoder("cnn", []int{2, 1, 6, 6}, []int{3, 4}, 0, rng)
	x := randTensor(rng, 1, 3, 2, 1, 6, 6)
	y := enc.Forward(x, true)
	dy := randTensor(rng, 1, y.Shape...)
	dx1 := enc.Backward(dy).Clone()
	g1 := Capture(nil, nil)
	for _, p := range enc.Params() {
		g1.Params[p.Name] = p.Grad.Clone()
	}
	// An evaluation pass in between must not disturb the training cache.
	enc.Forward(randTensor(rng, 1, 2, 2, 1, 6, 6), false)
	dx2 := enc.Backward(dy)
	for i := range dx1.Data {
		if dx1.Data[i] != dx2.Data[i] {
			t.Fatalf("input gradient %d: %g then %g", i, dx1.Data[i], dx2.Data[i])
		}
	}
	for _, p := range enc.Params() {
		for i, g := range p.Grad.Data {
			if want := 2 * g1.Params[p.Name].Data[i]; math.Abs(float64(g-want)) > 1e-6*(1+math.Abs(float64(want))) {
				t.Fatalf("%s[%d]: gradient %g after two Backward calls, want %g", p.Name, i, g, want)
			}
		}
	}
}

func TestLinearLastInput(t *testing.T) {
	l := NewLinear("fc", 2, 1, newTestRNG(49))
	if l.LastInput() != nil {
		t.Error("LastInput before any Forward is not nil")
	}
	x := FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	l.Forward(x, true)
	l.Forward(FromSlice([]float32{5, 6}, 1, 2), false)
	if l.LastInput() != x {
		t.Error("LastInput is not the input of the last training Forward")
	}
}

func TestCheckCNNEncoder(t *testing.T) {
	for _, tc := range []struct {
		shape, widths []int
		ok            bool
	}{
		{[]int{1, 64, 64}, []int{16, 32, 64, 128}, true},
		{[]int{3, 1, 8, 8}, []int{4, 4, 4}, true}, // 8 -> 4 -> 2 -> 1
		{[]int{1, 8, 8}, []int{4, 4, 4, 4}, false},
		{[]int{1, 64}, []int{4}, false},
		{[]int{1, 8, 8}, nil, false},
		{[]int{1, 8, 8}, []int{4, 0}, false},
		{[]int{0, 8, 8}, []int{4}, false},
	} {
		if err := CheckCNNEncoder(tc.shape, tc.widths); (err == nil) != tc.ok {
			t.Errorf("shape %v widths %v: error %v, want ok=%v", tc.shape, tc.widths, err, tc.ok)
		}
	}
}
