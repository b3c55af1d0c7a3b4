package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// blobs returns n samples of a 3-class problem in dim dimensions: class k is
// a Gaussian blob (std 0.3) around a centre at distance 2 from the others'.
func blobs(rng *rand.Rand, n, dim int) (*Tensor, []int) {
	x := NewTensor(n, dim)
	y := make([]int, n)
	for i := range n {
		k := i % 3
		y[i] = k
		for j := range dim {
			c := 0.0
			if j%3 == k {
				c = 1.5
			}
			x.Data[i*dim+j] = float32(c + 0.3*rng.NormFloat64())
		}
	}
	return x, y
}

// accuracy is the fraction of rows whose arg-max is the label.
func accuracy(logits *Tensor, labels []int) float64 {
	hit := 0
	for i, y := range labels {
		row := logits.Row(i)
		if slices.Index(row, slices.Max(row)) == y {
			hit++
		}
	}
	return float64(hit) / float64(len(labels))
}

// trainClassifier trains enc followed by a linear head with SGD on
// mini-batches of (x, y) and returns the final model's parameters and its
// accuracy on (tx, ty).
func trainClassifier(t *testing.T, enc Encoder, rng *rand.Rand, x *Tensor, y []int, tx *Tensor, ty []int, epochs, batch int, lr float64) ([]*Param, float64) {
	t.Helper()
	head := NewLinear("head", enc.OutDim(), 3, rng)
	net := NewSequential(enc, head)
	opt := NewSGD([]ParamGroup{{Params: net.Params(), LR: lr, WeightDecay: 1e-4}}, 0.9, false)
	n := x.Rows()
	rowLen := x.RowLen()
	for range epochs {
		perm := rng.Perm(n)
		for s := 0; s+batch <= n; s += batch {
			shape := append([]int{batch}, x.Shape[1:]...)
			bx := NewTensor(shape...)
			by := make([]int, batch)
			for i, j := range perm[s : s+batch] {
				copy(bx.Data[i*rowLen:(i+1)*rowLen], x.Row(j))
				by[i] = y[j]
			}
			opt.ZeroGrad()
			loss, d := SoftmaxCrossEntropy(net.Forward(bx, true), by)
			if math.IsNaN(loss) {
				t.Fatal("loss is NaN")
			}
			net.Backward(d)
			opt.Step()
		}
	}
	return net.Params(), accuracy(net.Forward(tx, false), ty)
}

func TestMLPLearnsBlobsDeterministically(t *testing.T) {
	run := func() ([]*Param, float64) {
		rng := newTestRNG(21)
		x, y := blobs(rng, 300, 6)
		tx, ty := blobs(rng, 150, 6)
		enc := NewMLPEncoder("mlp", 6, []int{16}, 16, rng)
		return trainClassifier(t, enc, rng, x, y, tx, ty, 10, 20, 0.05)
	}
	p1, acc := run()
	t.Logf("MLP test accuracy %.4f", acc)
	if acc < 0.99 {
		t.Errorf("MLP test accuracy %.3f, want >= 0.99", acc)
	}
	p2, _ := run()
	for i := range p1 {
		if !slices.Equal(p1[i].Value.Data, p2[i].Value.Data) {
			t.Errorf("parameter %s differs between two runs with the same seed", p1[i].Name)
		}
	}
}

// quadrants returns n single-channel 8x8 images of 3 classes: a bright 3x3
// patch in the top-left, top-right or bottom half, on Gaussian noise.
func quadrants(rng *rand.Rand, n int) (*Tensor, []int) {
	x := NewTensor(n, 1, 8, 8)
	y := make([]int, n)
	for i := range n {
		k := i % 3
		y[i] = k
		img := x.Row(i)
		for j := range img {
			img[j] = float32(0.3 * rng.NormFloat64())
		}
		r0, c0 := rng.IntN(2), rng.IntN(2)
		switch k {
		case 1:
			c0 += 4
		case 2:
			r0 += 4
			c0 += rng.IntN(4)
		}
		for r := r0; r < r0+3; r++ {
			for c := c0; c < c0+3; c++ {
				img[r*8+c] += 1.5
			}
		}
	}
	return x, y
}

func TestCNNLearnsQuadrantsDeterministically(t *testing.T) {
	run := func() ([]*Param, float64) {
		rng := newTestRNG(22)
		x, y := quadrants(rng, 240)
		tx, ty := quadrants(rng, 120)
		enc := NewCNNEncoder("cnn", []int{1, 8, 8}, []int{8, 16}, 16, rng)
		return trainClassifier(t, enc, rng, x, y, tx, ty, 12, 16, 0.05)
	}
	p1, acc := run()
	t.Logf("CNN test accuracy %.4f", acc)
	if acc < 0.99 {
		t.Errorf("CNN test accuracy %.3f, want >= 0.99", acc)
	}
	p2, _ := run()
	for i := range p1 {
		if !slices.Equal(p1[i].Value.Data, p2[i].Value.Data) {
			t.Errorf("parameter %s differs between two runs with the same seed", p1[i].Name)
		}
	}
}
