package reconboost

import (
	"math"
	"testing"

	"github.com/miebench/miebench/nn"
)

func TestPhase(t *testing.T) {
	tests := []struct {
		epoch, stage, modality int
		correcting             bool
	}{
		{0, 0, 0, false}, {3, 0, 0, false}, {4, 0, 0, true}, {7, 0, 0, true},
		{8, 1, 1, false}, {12, 1, 1, true}, {16, 2, 2, false}, {24, 3, 0, false},
	}
	for _, tt := range tests {
		s, m, c := Phase(tt.epoch, 4, 4, 3)
		if s != tt.stage || m != tt.modality || c != tt.correcting {
			t.Errorf("Phase(%d, 4, 4, 3) = %d, %d, %v, want %d, %d, %v", tt.epoch, s, m, c, tt.stage, tt.modality, tt.correcting)
		}
	}
}

func TestStageLossHandComputed(t *testing.T) {
	// Row 0: p = (0.5, 0.5), y 0, q 0.5: k = (5 - 0.5)/2 = 2.25,
	// loss 2.25 ln 2, grad k (p - y)/N = (-0.5625, 0.5625).
	// Row 1: p = (0.75, 0.25), y 1, q 0: k = 2.5, loss 2.5 ln 4,
	// grad (0.9375, -0.9375).
	logits := nn.FromSlice([]float32{0, 0, float32(math.Log(3)), 0}, 2, 2)
	loss, d := StageLoss(logits, []int{0, 1}, []float64{0.5, 0}, 5, 1)
	if want := (2.25*math.Ln2 + 2.5*math.Log(4)) / 2; math.Abs(loss-want) > 1e-6 {
		t.Errorf("loss %v, want %v", loss, want)
	}
	for i, want := range []float64{-0.5625, 0.5625, 0.9375, -0.9375} {
		if math.Abs(float64(d.Data[i])-want) > 1e-6 {
			t.Errorf("grad[%d] = %v, want %v", i, d.Data[i], want)
		}
	}
}

func TestGALossHandComputed(t *testing.T) {
	// cur p = (0.5, 0.5), prev p' = (0.75, 0.25): MSE = (0.0625+0.0625)/2
	// = 0.0625; dL/dp = 2 (p - p')/2 = (-0.25, 0.25); through softmax:
	// p_j (g_j - p.g) = 0.5 (-0.25 - 0) = -0.125 and 0.125.
	loss, d := GALoss(nn.FromSlice([]float32{0, 0}, 1, 2), nn.FromSlice([]float32{float32(math.Log(3)), 0}, 1, 2))
	if math.Abs(loss-0.0625) > 1e-7 {
		t.Errorf("loss %v, want 0.0625", loss)
	}
	for i, want := range []float64{-0.125, 0.125} {
		if math.Abs(float64(d.Data[i])-want) > 1e-7 {
			t.Errorf("grad[%d] = %v, want %v", i, d.Data[i], want)
		}
	}
}

func TestEnsembleCEHandComputed(t *testing.T) {
	// S = (ln 3, 0), boost 1, y 0: F = S, p = (0.75, 0.25), loss ln(4/3),
	// dF = (-0.25, 0.25), dS = dF, dboost = -0.25 ln 3.
	// With boost 2 the same S gives F = (2 ln 3, 0), p = (0.9, 0.1).
	tests := []struct {
		boost, loss, dBoost float64
		dS                  []float64
	}{
		{1, math.Log(4.0 / 3), -0.25 * math.Log(3), []float64{-0.25, 0.25}},
		{2, math.Log(10.0 / 9), -0.1 * math.Log(3), []float64{-0.2, 0.2}},
	}
	for _, tt := range tests {
		s := nn.FromSlice([]float32{float32(math.Log(3)), 0}, 1, 2)
		loss, dS, dBoost := EnsembleCE(s, tt.boost, []int{0})
		if math.Abs(loss-tt.loss) > 1e-6 || math.Abs(dBoost-tt.dBoost) > 1e-6 {
			t.Errorf("boost %v: loss %v dboost %v, want %v %v", tt.boost, loss, dBoost, tt.loss, tt.dBoost)
		}
		for i, want := range tt.dS {
			if math.Abs(float64(dS.Data[i])-want) > 1e-6 {
				t.Errorf("boost %v: dS[%d] = %v, want %v", tt.boost, i, dS.Data[i], want)
			}
		}
	}
}
