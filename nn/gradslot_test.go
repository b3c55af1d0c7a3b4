package nn

import (
	"math"
	"testing"
)

// unshareGradients gives every layer of a ResNet-18 or CNN encoder its own
// gradient and output buffers again, the layout before gradient slots.
func unshareGradients(enc Encoder) {
	var layers []Layer
	switch e := enc.(type) {
	case *ResNet18:
		for _, b := range e.Blocks {
			b.relu2.dxSlot, b.BN2.dxSlot, b.Conv1.dxSlot, b.Conv2.dxSlot = nil, nil, nil, nil
			if b.DownConv != nil {
				b.DownConv.dxSlot, b.DownConv.ySlot = nil, nil
			}
		}
		layers = e.Stem.Layers
	case *CNNEncoder:
		layers = e.Body.Layers
	}
	for _, l := range layers {
		switch l := l.(type) {
		case *Conv2D:
			l.dxSlot, l.ySlot = nil, nil
		case *MaxPool2D:
			l.dxSlot = nil
		case *AvgPool2D:
			l.dxSlot = nil
		}
	}
}

// TestSharedGradientsChangeNoBits: encoders whose layers share gradient
// buffers compute the same input and parameter gradients, bit for bit, as
// with a buffer per layer, over two steps (the second reuses the buffers).
func TestSharedGradientsChangeNoBits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func() Encoder
		x     []int
	}{
		{"resnet18", func() Encoder { return NewResNet18("r", 2, newTestRNG(70)) }, []int{2, 2, 40, 36}},
		{"cnn", func() Encoder { return NewCNNEncoder("c", []int{1, 16, 16}, []int{4, 8, 8}, 0, newTestRNG(71)) }, []int{3, 1, 16, 16}},
		{"cnn blocks", func() Encoder {
			return NewCNNEncoderBlocks("c", []int{1, 16, 16}, []CNNBlock{{4, 2, PoolMax, 2}, {6, 1, PoolNone, 0}, {8, 1, PoolAvg, 2}, {8, 1, PoolNone, 0}}, 0, newTestRNG(72))
		}, []int{3, 1, 16, 16}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shared, own := tc.build(), tc.build()
			unshareGradients(own)
			rng := newTestRNG(73)
			for step := range 2 {
				x := randTensor(rng, 1, tc.x...)
				dy := randTensor(rng, 1, x.Shape[0], shared.OutDim())
				dxs := shared.Backward(forwardClone(shared, x, dy)).Clone()
				dxo := own.Backward(forwardClone(own, x, dy)).Clone()
				sameBits(t, "input gradient", step, dxs.Data, dxo.Data)
				ps, po := shared.Params(), own.Params()
				for i := range ps {
					sameBits(t, ps[i].Name, step, ps[i].Grad.Data, po[i].Grad.Data)
				}
			}
		})
	}
}

// forwardClone runs a training forward and returns dy, for chaining.
func forwardClone(e Encoder, x, dy *Tensor) *Tensor {
	e.Forward(x, true)
	return dy
}

// sameBits fails unless a and b hold the same float32 bit patterns.
func sameBits(t *testing.T, what string, step int, a, b []float32) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("step %d, %s: lengths %d and %d", step, what, len(a), len(b))
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("step %d, %s[%d]: %v vs %v", step, what, i, a[i], b[i])
		}
	}
}

// TestGradSlotParts: parts of a slot get disjoint storage at its start, in
// order, each as large as its reservation; the slot grows to hold them
// all; a part used beyond its reservation panics.
func TestGradSlotParts(t *testing.T) {
	parent, a, b := &gradSlot{}, &gradSlot{}, &gradSlot{}
	for _, p := range []*gradSlot{a, b} {
		p.in = parent
		parent.parts = append(parent.parts, p)
	}
	parent.reserve(10)
	a.reserve(4)
	b.reserve(8) // with a's 4: more than the parent's own 10
	var ta, tb, tp *Tensor
	da := gradBuffer(&ta, a, true, 4).Data
	db := gradBuffer(&tb, b, true, 2, 4).Data
	if len(parent.data) < 12 {
		t.Fatalf("parent holds %d floats, want at least 12 for its parts", len(parent.data))
	}
	for i := range da {
		da[i] = 1
	}
	for i := range db {
		db[i] = 2
	}
	want := []float32{1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2}
	for i, w := range want {
		if parent.data[i] != w {
			t.Fatalf("parent float %d = %g, want %g (parts laid out one after the other)", i, parent.data[i], w)
		}
	}
	if dp := gradBuffer(&tp, parent, true, 10).Data; dp[0] != 0 || dp[9] != 0 {
		t.Errorf("the parent's own zeroed buffer holds %g ... %g", dp[0], dp[9])
	}
	defer func() {
		if recover() == nil {
			t.Error("a part used beyond its reservation did not panic")
		}
	}()
	gradBuffer(&ta, a, false, 5)
}
