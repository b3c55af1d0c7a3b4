package bench

import (
	"fmt"
	"maps"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/nn"
)

// Linear-probe settings: full-batch gradient descent on standardised
// features, fixed so that probe accuracies are comparable across methods;
// the weights kept are those of the checkpoint (every probeCheck
// iterations) with the best validation accuracy.
const (
	probeIters = 300
	probeCheck = 25
	probeLR    = 0.5
	probeL2    = 1e-4
)

// probeModalities fits, for the selected epoch, a linear probe per modality
// that has an encoder: a softmax-regression head on the frozen training
// features, its iterations selected on validation, evaluated on validation
// and test. Its accuracy goes to the record's metrics as probe_acc for every
// modality (the diagnostic of an under-trained encoder, comparable across
// methods with and without partial logits), and also as the modality's
// accuracy, with modality_source "probe", where the method's predictions
// gave none (fusion heads without partial logits: film, gated). Per-epoch
// history carries no probe accuracies (too costly per epoch).
func (t *trainer) probeModalities() error {
	md := t.mr.Model
	var need []int
	for i := range t.info.Modalities {
		if md.Encoders[i] != nil {
			need = append(need, i)
		}
	}
	if len(need) == 0 {
		return nil
	}
	feats := map[string][]*nn.Tensor{}
	for _, split := range []string{"train", "val", "test"} {
		f, err := t.features(split)
		if err != nil {
			return err
		}
		feats[split] = f
	}
	classes := len(t.info.Classes)
	valY := t.splits["val"].Labels()
	for _, i := range need {
		name := t.info.Modalities[i].Name
		valAcc := func(w, mean, std []float64) float64 {
			return Accuracy(Argmax(applyProbe(feats["val"][i], w, mean, std, classes)), valY)
		}
		w, mean, std := fitProbe(feats["train"][i], t.splits["train"].Labels(), classes, valAcc)
		fallback := false
		if _, ok := t.rec.Metrics["val"].ModalityAcc[name]; !ok {
			fallback = true
		}
		for _, split := range []string{"val", "test"} {
			scores := applyProbe(feats[split][i], w, mean, std, classes)
			acc := Accuracy(Argmax(scores), t.splits[split].Labels())
			m := t.rec.Metrics[split]
			// Copies: the maps are shared with the selected epoch's history,
			// which does not carry probe accuracies.
			m.ProbeAcc = maps.Clone(m.ProbeAcc)
			if m.ProbeAcc == nil {
				m.ProbeAcc = map[string]float64{}
			}
			m.ProbeAcc[name] = acc
			if fallback {
				m.ModalityAcc = maps.Clone(m.ModalityAcc)
				m.ModalitySource = maps.Clone(m.ModalitySource)
				if m.ModalityAcc == nil {
					m.ModalityAcc = map[string]float64{}
				}
				if m.ModalitySource == nil {
					m.ModalitySource = map[string]string{}
				}
				m.ModalityAcc[name] = acc
				m.ModalitySource[name] = methods.SourceProbe
			}
			t.rec.Metrics[split] = m
		}
	}
	return nil
}

// features encodes a whole split in evaluation mode: the features the
// method's heads read (methods.EvalFeatures).
func (t *trainer) features(split string) ([]*nn.Tensor, error) {
	n := t.splits[split].Len()
	md := t.mr.Model
	out := make([]*nn.Tensor, len(md.Modalities))
	err := t.evalBatches(split, func(lo int, b *methods.Batch) error {
		for m, z := range methods.EvalFeatures(t.method, t.mr, b) {
			if z == nil {
				continue
			}
			if out[m] == nil {
				out[m] = nn.NewTensor(n, z.RowLen())
			}
			copy(out[m].Data[lo*z.RowLen():], z.Data)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for m := range out {
		if md.Encoders[m] != nil && out[m] == nil {
			return nil, fmt.Errorf("probe: no features for modality %s", md.Modalities[m])
		}
	}
	return out, nil
}

// fitProbe fits softmax regression W ([D+1, C], last row the bias) on
// standardised features x by full-batch gradient descent with L2 penalty.
// With score non-nil (validation accuracy), every probeCheck iterations the
// weights are scored and the best-scoring checkpoint (the earliest of
// ties) is returned; with score nil, the last iterate.
func fitProbe(x *nn.Tensor, y []int, classes int, score func(w, mean, std []float64) float64) (w, mean, std []float64) {
	n, d := x.Rows(), x.RowLen()
	mean, std = make([]float64, d), make([]float64, d)
	for i := range n {
		for j, v := range x.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := range n {
		for j, v := range x.Row(i) {
			dv := float64(v) - mean[j]
			std[j] += dv * dv
		}
	}
	for j := range std {
		std[j] = math.Sqrt(std[j]/float64(n)) + 1e-6
	}
	// The iterations run in float32 through blas32 (miebench's GEMM, which
	// never splits the inner dimension, so the result does not depend on
	// the thread count): the probe is fitted for every modality of every
	// run, and gonum's float64 GEMM made it a sixth of a small run's time.
	xs := standardise32(x, mean, std)
	w32 := make([]float32, (d+1)*classes)
	grad := make([]float32, len(w32))
	logits := make([]float32, n*classes)
	W := blas32.General{Rows: d + 1, Cols: classes, Stride: classes, Data: w32}
	X := blas32.General{Rows: n, Cols: d + 1, Stride: d + 1, Data: xs}
	L := blas32.General{Rows: n, Cols: classes, Stride: classes, Data: logits}
	G := blas32.General{Rows: d + 1, Cols: classes, Stride: classes, Data: grad}
	row64 := make([]float64, classes)
	w = make([]float64, len(w32))
	var best []float64
	bestScore := math.Inf(-1)
	for it := range probeIters {
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, X, W, 0, L)
		for i := range n {
			row := logits[i*classes : (i+1)*classes]
			for c, v := range row {
				row64[c] = float64(v)
			}
			softmaxInPlace(row64)
			row64[y[i]]--
			for c := range row {
				row[c] = float32(row64[c] / float64(n))
			}
		}
		blas32.Gemm(blas.Trans, blas.NoTrans, 1, X, L, 0, G)
		for k := range w32 {
			w32[k] -= float32(probeLR * (float64(grad[k]) + probeL2*float64(w32[k])))
		}
		if score != nil && (it+1)%probeCheck == 0 {
			for k, v := range w32 {
				w[k] = float64(v)
			}
			if sc := score(w, mean, std); sc > bestScore {
				bestScore, best = sc, append(best[:0], w...)
			}
		}
	}
	if best != nil {
		return best, mean, std
	}
	for k, v := range w32 {
		w[k] = float64(v)
	}
	return w, mean, std
}

func applyProbe(x *nn.Tensor, w, mean, std []float64, classes int) *nn.Tensor {
	n, d := x.Rows(), x.RowLen()
	xs := standardise(x, mean, std)
	logits := make([]float64, n*classes)
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas64.General{Rows: n, Cols: d + 1, Stride: d + 1, Data: xs},
		blas64.General{Rows: d + 1, Cols: classes, Stride: classes, Data: w}, 0,
		blas64.General{Rows: n, Cols: classes, Stride: classes, Data: logits})
	out := nn.NewTensor(n, classes)
	for i, v := range logits {
		out.Data[i] = float32(v)
	}
	return out
}

// standardise returns [N, D+1] float64 features with a trailing 1 column.
func standardise(x *nn.Tensor, mean, std []float64) []float64 {
	n, d := x.Rows(), x.RowLen()
	xs := make([]float64, n*(d+1))
	for i := range n {
		row := xs[i*(d+1) : (i+1)*(d+1)]
		for j, v := range x.Row(i) {
			row[j] = (float64(v) - mean[j]) / std[j]
		}
		row[d] = 1
	}
	return xs
}

// standardise32 is standardise in float32, for the fit's iterations.
func standardise32(x *nn.Tensor, mean, std []float64) []float32 {
	n, d := x.Rows(), x.RowLen()
	xs := make([]float32, n*(d+1))
	for i := range n {
		row := xs[i*(d+1) : (i+1)*(d+1)]
		for j, v := range x.Row(i) {
			row[j] = float32((float64(v) - mean[j]) / std[j])
		}
		row[d] = 1
	}
	return xs
}

func softmaxInPlace(row []float64) {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = max(mx, v)
	}
	s := 0.0
	for c, v := range row {
		row[c] = math.Exp(v - mx)
		s += row[c]
	}
	for c := range row {
		row[c] /= s
	}
}
