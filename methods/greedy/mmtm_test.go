package greedy

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/miebench/miebench/nn"
)

func randT(rng *rand.Rand, shape ...int) *nn.Tensor {
	t := nn.NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = float32(2*rng.Float64() - 1)
	}
	return t
}

// mmtmLoss is sum_m <y_m, g_m> of an evaluation forward.
func mmtmLoss(l *mmtm, x [2]*nn.Tensor, t [2]int, g [2]*nn.Tensor) float64 {
	y := l.forward(x, t, -1, false)
	var s float64
	for m := range 2 {
		for i, v := range y[m].Data {
			s += float64(v) * float64(g[m].Data[i])
		}
	}
	return s
}

// TestMMTMGradients compares the backward pass with central differences
// for modalities of different channel counts, frames and sizes.
func TestMMTMGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	l := newMMTM("mmtm.1", [2]string{"a", "v"}, [2]int{3, 4}, 4, false, rng)
	for _, p := range l.Params() {
		for i := range p.Value.Data {
			p.Value.Data[i] += float32(0.3 * (2*rng.Float64() - 1)) // off the ReLU kinks of zero biases
		}
	}
	fr := [2]int{1, 2}
	x := [2]*nn.Tensor{randT(rng, 2, 3, 2, 2), randT(rng, 4, 4, 3, 1)} // N = 2: one frame vs two
	g := [2]*nn.Tensor{randT(rng, x[0].Shape...), randT(rng, x[1].Shape...)}
	l.forward(x, fr, -1, true)
	dx := l.backward(g)
	const h, tol = 1e-2, 2e-3
	check := func(name string, v []float32, analytic func(i int) float64) {
		for i := range v {
			old := v[i]
			v[i] = old + h
			up := mmtmLoss(l, x, fr, g)
			v[i] = old - h
			down := mmtmLoss(l, x, fr, g)
			v[i] = old
			num, an := (up-down)/(2*h), analytic(i)
			if math.Abs(num-an) > tol*(1+math.Abs(num)) {
				t.Errorf("%s[%d]: analytic %.6g, central difference %.6g", name, i, an, num)
			}
		}
	}
	for m := range 2 {
		check("x"+string(rune('0'+m)), x[m].Data, func(i int) float64 { return float64(dx[m].Data[i]) })
	}
	for _, p := range l.Params() {
		check(p.Name, p.Value.Data, func(i int) float64 { return float64(p.Grad.Data[i]) })
	}
}

// TestMMTMRunningAverageAndReplacement checks the running averages by
// hand (the plain mean of batch-mean excitations over training forwards,
// both from modality 0 with the released bug), that a replaced excitation
// is the average, and that no gradient reaches the replaced excitation's
// weights.
func TestMMTMRunningAverageAndReplacement(t *testing.T) {
	for _, shared := range []bool{false, true} {
		rng := rand.New(rand.NewPCG(3, 4))
		l := newMMTM("mmtm.1", [2]string{"a", "v"}, [2]int{2, 2}, 4, shared, rng)
		fr := [2]int{1, 1}
		var batchMeans [][2][]float64
		for step := range 3 {
			x := [2]*nn.Tensor{randT(rng, 3, 2, 2, 2), randT(rng, 3, 2, 1, 2)}
			// The excitations of this batch, from an evaluation forward.
			y := l.forward(x, fr, -1, false)
			var bm [2][]float64
			for m := range 2 {
				bm[m] = make([]float64, 2)
				for ch := range 2 {
					for i := range 3 {
						// s = y / x at any nonzero entry of channel ch of sample i.
						off := (i*2 + ch) * x[m].RowLen() / 2
						bm[m][ch] += float64(y[m].Data[off]) / float64(x[m].Data[off]) / 3
					}
				}
			}
			batchMeans = append(batchMeans, bm)
			rep := -1
			if step == 2 {
				rep = 1
			}
			for _, p := range l.Params() {
				p.Grad.Zero()
			}
			out := l.forward(x, fr, rep, true)
			for m := range 2 {
				src := m
				if shared {
					src = 0
				}
				for ch := range 2 {
					var want float64
					for _, b := range batchMeans {
						want += b[src][ch] / float64(len(batchMeans))
					}
					if got := l.avg[m][ch]; math.Abs(got-want) > 1e-5 {
						t.Errorf("shared=%v step %d: average[%d][%d] = %.6g, want %.6g", shared, step, m, ch, got, want)
					}
				}
			}
			if rep < 0 {
				continue
			}
			off := x[1].RowLen() / 2 // sample 0, channel 1
			if got, want := float64(out[1].Data[off]), float64(x[1].Data[off])*l.avg[1][1]; math.Abs(got-want) > 1e-5 {
				t.Errorf("shared=%v: replaced output %.6g, want x·average %.6g", shared, got, want)
			}
			l.backward([2]*nn.Tensor{randT(rng, x[0].Shape...), randT(rng, x[1].Shape...)})
			for _, p := range l.Excite[1].Params() {
				for _, v := range p.Grad.Data {
					if v != 0 {
						t.Fatalf("shared=%v: %s has gradient %g through a replaced excitation", shared, p.Name, v)
					}
				}
			}
			if nonzero(l.Excite[0].W.Grad) == 0 || nonzero(l.Squeeze.W.Grad) == 0 {
				t.Errorf("shared=%v: the kept excitation and the squeeze got no gradient", shared)
			}
		}
	}
}

func nonzero(t *nn.Tensor) int {
	n := 0
	for _, v := range t.Data {
		if v != 0 {
			n++
		}
	}
	return n
}
