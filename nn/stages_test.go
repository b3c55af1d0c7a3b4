package nn

import (
	"slices"
	"testing"
)

// stagedPass runs a training forward and backward through the stages.
func stagedPass(e StagedEncoder, x, dy *Tensor) (y, dx *Tensor) {
	z, t := e.Enter(x, true)
	for k := range e.Stages() {
		z = e.Stage(k, z, true)
	}
	y = e.Exit(z, t, true).Clone()
	d := e.ExitBackward(dy)
	for k := e.Stages() - 1; k >= 0; k-- {
		d = e.StageBackward(k, d)
	}
	return y, e.EnterBackward(d).Clone()
}

// TestStagedEncodersMatchForwardBackward checks that running the stages
// one by one gives bit-identically the outputs, input gradients and
// parameter gradients of Forward and Backward, and that evaluation in
// stages equals evaluation Forward.
func TestStagedEncodersMatchForwardBackward(t *testing.T) {
	cases := []struct {
		name   string
		build  func(seed uint64) Encoder
		x      []int
		stages int
		chans  []int
	}{
		{"cnn", func(s uint64) Encoder {
			return NewCNNEncoder("e", []int{2, 8, 8}, []int{3, 4}, 0, newTestRNG(s))
		}, []int{3, 2, 8, 8}, 2, []int{3, 4}},
		{"cnn frames fc", func(s uint64) Encoder {
			return NewCNNEncoderBlocks("e", []int{2, 1, 8, 8}, []CNNBlock{{Width: 3, Stride: 2, Pool: PoolNone}, {Width: 4, Stride: 1, Pool: PoolAvg, PoolSize: 2}, {Width: 2, Stride: 1, Pool: PoolMax, PoolSize: 2}}, 5, newTestRNG(s))
		}, []int{2, 2, 1, 8, 8}, 3, []int{3, 4, 2}},
		{"resnet18 frames", func(s uint64) Encoder { return NewResNet18("e", 1, newTestRNG(s)) }, []int{2, 2, 1, 16, 16}, 4, []int{64, 128, 256, 512}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			whole, staged := c.build(7), c.build(7).(StagedEncoder)
			if staged.Stages() != c.stages {
				t.Fatalf("Stages() = %d, want %d", staged.Stages(), c.stages)
			}
			for k, want := range c.chans {
				if got := staged.StageChannels(k); got != want {
					t.Errorf("StageChannels(%d) = %d, want %d", k, got, want)
				}
			}
			rng := newTestRNG(8)
			x := randTensor(rng, 1, c.x...)
			yw := whole.Forward(x, true).Clone()
			dy := randTensor(rng, 1, yw.Shape...)
			dxw := whole.Backward(dy).Clone()
			ys, dxs := stagedPass(staged, x, dy)
			if !slices.Equal(yw.Data, ys.Data) || !slices.Equal(yw.Shape, ys.Shape) {
				t.Errorf("staged training output differs from Forward")
			}
			if !slices.Equal(dxw.Data, dxs.Data) || !slices.Equal(dxw.Shape, dxs.Shape) {
				t.Errorf("staged input gradient differs from Backward (shapes %v, %v)", dxs.Shape, dxw.Shape)
			}
			pw, ps := whole.Params(), staged.Params()
			for i := range pw {
				if !slices.Equal(pw[i].Grad.Data, ps[i].Grad.Data) {
					t.Errorf("%s: staged gradient differs", pw[i].Name)
				}
			}
			ew := whole.Forward(x, false)
			z, tf := staged.Enter(x, false)
			for k := range staged.Stages() {
				z = staged.Stage(k, z, false)
			}
			if es := staged.Exit(z, tf, false); !slices.Equal(ew.Data, es.Data) {
				t.Errorf("staged evaluation differs from Forward")
			}
		})
	}
}
