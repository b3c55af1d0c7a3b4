package reconboost

import (
	"math"

	"github.com/miebench/miebench/nn"
)

// Phase says what epoch epoch of a run does: stages of stageEpochs epochs
// of one modality's boosting followed by correctEpochs epochs of
// correction, the modality of stage s being s mod modalities (the released
// fixed schedule: audio, visual, audio, ...).
func Phase(epoch, stageEpochs, correctEpochs, modalities int) (stage, modality int, correcting bool) {
	per := stageEpochs + correctEpochs
	stage = epoch / per
	return stage, stage % modalities, epoch%per >= stageEpochs
}

// StageLoss is the released boosting loss of the learner being trained,
// averaged over the batch:
//
//	L_i = -w1 mean_c(y_ic log p_ic) + w2 mean_c(y_ic q_ic log p_ic)
//	    = -(w1 - w2 q_i) log p_i[y_i] / C
//
// with p = softmax(logits) and q_i the true-class probability of the other
// learners' ensemble softmax(F_-m) (1 when the ensemble is empty: the
// released code then softmaxes a single constant column). It returns the
// loss and its gradient with respect to logits.
func StageLoss(logits *nn.Tensor, y []int, q []float64, w1, w2 float64) (float64, *nn.Tensor) {
	n, c := logits.Rows(), logits.RowLen()
	p := nn.Softmax(logits)
	d := nn.NewTensor(n, c)
	var loss float64
	for i := range n {
		k := (w1 - w2*q[i]) / float64(c)
		loss += -k * math.Log(float64(p.Row(i)[y[i]]))
		for j, pj := range p.Row(i) {
			g := float64(pj)
			if j == y[i] {
				g--
			}
			d.Data[i*c+j] = float32(k * g / float64(n))
		}
	}
	return loss / float64(n), d
}

// TrueClassProb returns softmax(logits)[i, y_i] per row.
func TrueClassProb(logits *nn.Tensor, y []int) []float64 {
	p := nn.Softmax(logits)
	q := make([]float64, len(y))
	for i := range q {
		q[i] = float64(p.Row(i)[y[i]])
	}
	return q
}

// GALoss is the gradient-alignment term MSE(softmax(cur), softmax(prev)),
// the mean over all N*C entries, and its gradient with respect to cur
// (prev is a constant). The released code detaches both sides, so its
// gradient is never used there.
func GALoss(cur, prev *nn.Tensor) (float64, *nn.Tensor) {
	n, c := cur.Rows(), cur.RowLen()
	p, pp := nn.Softmax(cur), nn.Softmax(prev)
	d := nn.NewTensor(n, c)
	var loss float64
	scale := 1 / float64(n*c)
	g := make([]float64, c)
	for i := range n {
		pr, ppr := p.Row(i), pp.Row(i)
		var dot float64
		for j := range c {
			diff := float64(pr[j]) - float64(ppr[j])
			loss += diff * diff
			g[j] = 2 * diff * scale
			dot += g[j] * float64(pr[j])
		}
		for j := range c {
			d.Data[i*c+j] = float32(float64(pr[j]) * (g[j] - dot))
		}
	}
	return loss * scale, d
}

// EnsembleCE is the correction phase's loss: cross-entropy of F = boost *
// S, S the sum of the ensemble's learner logits. It returns the loss,
// dL/dS (= boost dL/dF) and dL/dboost (= sum of dL/dF .* S).
func EnsembleCE(s *nn.Tensor, boost float64, y []int) (float64, *nn.Tensor, float64) {
	f := s.Clone()
	nn.Scale(float32(boost), f)
	loss, dF := nn.SoftmaxCrossEntropy(f, y)
	var dBoost float64
	for i, v := range dF.Data {
		dBoost += float64(v) * float64(s.Data[i])
	}
	nn.Scale(float32(boost), dF)
	return loss, dF, dBoost
}
