// Package cml is CML, calibrating multimodal learning (Ma et al., ICML
// 2023): cross-entropy on the full and on modality-reduced fused outputs
// plus a hinge that forbids a reduced input to be more confident than the
// fuller one.
package cml

import (
	"fmt"

	"github.com/miebench/miebench/methods/scores"
	"github.com/miebench/miebench/nn"
)

// This file holds CML's rule as pure functions over logits.

// confidence returns each row's maximum softmax probability conf_i =
// max_k softmax(logits_i)_k (the first maximum on ties, as torch.max) and,
// per row, the softmax and the arg max, which its gradient
// d conf / d logit_j = p_k (delta_jk - p_j) needs.
func confidence(logits *nn.Tensor) (conf []float64, p [][]float64, arg []int) {
	n := logits.Rows()
	conf, p, arg = make([]float64, n), make([][]float64, n), make([]int, n)
	for i := range n {
		p[i] = scores.SoftmaxRow(logits.Row(i))
		for k, v := range p[i] {
			if v > p[i][arg[i]] {
				arg[i] = k
			}
		}
		conf[i] = p[i][arg[i]]
	}
	return conf, p, arg
}

// addConfGrad adds scale[i] * d conf_i / d logits_i to d.
func addConfGrad(d *nn.Tensor, p [][]float64, arg []int, scale []float64) {
	c := d.RowLen()
	for i := range p {
		if scale[i] == 0 {
			continue
		}
		k := arg[i]
		for j := range c {
			g := -p[i][k] * p[i][j]
			if j == k {
				g += p[i][k]
			}
			d.Data[i*c+j] += float32(scale[i] * g)
		}
	}
}

// hinge is CML's calibration term between a fuller output and a reduced
// one (a modality removed). Released (BalanceBenchmark's conf_loss):
// max(0, sum_i (conf_reduced_i - conf_full_i)), one hinge on the batch
// sum. perSample: the mean over samples of max(0, conf_reduced_i -
// conf_full_i). It returns the value and the weights w_i with d hinge /
// d conf_reduced_i = w_i = -d hinge / d conf_full_i.
func hinge(confFull, confReduced []float64, perSample bool) (float64, []float64) {
	n := len(confFull)
	w := make([]float64, n)
	if n == 0 {
		return 0, w
	}
	if !perSample {
		var s float64
		for i := range confFull {
			s += confReduced[i] - confFull[i]
		}
		if s <= 0 {
			return 0, w
		}
		for i := range w {
			w[i] = 1
		}
		return s, w
	}
	var h float64
	for i := range confFull {
		if d := confReduced[i] - confFull[i]; d > 0 {
			h += d
			w[i] = 1 / float64(n)
		}
	}
	return h / float64(n), w
}

// Terms is the value of CML's loss and its parts.
type Terms struct {
	Loss  float64   // total
	CE    []float64 // CE of outs[t]
	Hinge []float64 // Hinge[t-1] between outs[t-1] and outs[t]
}

// loss computes CML's loss over a chain of fused outputs outs[0] (every
// modality) .. outs[M-1] (one modality left), outs[t] having one more
// modality zeroed than outs[t-1]:
//
//	L = (1/M) sum_t CE(outs[t], y) + lambda * sum_{t>=1} hinge(outs[t-1], outs[t])
//
// as BalanceBenchmark's trainer computes it for two and three modalities.
// It returns L's parts and dL/douts[t].
func loss(outs []*nn.Tensor, y []int, lambda float64, perSample bool) (Terms, []*nn.Tensor, error) {
	if len(outs) < 2 {
		return Terms{}, nil, fmt.Errorf("cml: %d outputs, want the full one and at least one reduced", len(outs))
	}
	m := float64(len(outs))
	tr := Terms{CE: make([]float64, len(outs)), Hinge: make([]float64, len(outs)-1)}
	grads := make([]*nn.Tensor, len(outs))
	confs := make([][]float64, len(outs))
	ps := make([][][]float64, len(outs))
	args := make([][]int, len(outs))
	for t, o := range outs {
		if o.Rows() != len(y) {
			return Terms{}, nil, fmt.Errorf("cml: output %d has %d rows for %d labels", t, o.Rows(), len(y))
		}
		ce, d := nn.SoftmaxCrossEntropy(o, y)
		nn.Scale(float32(1/m), d)
		tr.CE[t] = ce
		tr.Loss += ce / m
		grads[t] = d
		confs[t], ps[t], args[t] = confidence(o)
	}
	for t := 1; t < len(outs); t++ {
		h, w := hinge(confs[t-1], confs[t], perSample)
		tr.Hinge[t-1] = h
		tr.Loss += lambda * h
		for i := range w {
			w[i] *= lambda
		}
		addConfGrad(grads[t], ps[t], args[t], w)
		for i := range w {
			w[i] = -w[i]
		}
		addConfGrad(grads[t-1], ps[t-1], args[t-1], w)
	}
	return tr, grads, nil
}
