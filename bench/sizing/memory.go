// Package sizing estimates, before anything trains, what a run will cost:
// its peak memory from the model's shapes at the suite's batch sizes, and
// (opt-in) its training time from one measured warm-up step. `miebench run
// --dry-run` prints both, and the launchers' resource requests come from
// them (README, "Many machines").
package sizing

import (
	"fmt"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/datasets"
)

// floatBytes is the size of one tensor element (float32) and of one
// max-pooling argmax index (int32).
const floatBytes = 4

// colBudget mirrors nn's im2col budget (floats per chunk of samples): a
// convolution whose whole batch's im2col matrix fits in it keeps the matrix
// for Backward; one that does not works through chunks with scratch space.
const colBudget = 1 << 21

// perSampleMinP mirrors nn's threshold (output pixels) above which a
// convolution multiplies sample by sample instead of packing a chunk.
const perSampleMinP = 256

// Memory is the estimated memory of one run, in bytes, by what holds it.
type Memory struct {
	// Params is the number of trainable values (not bytes).
	Params int64
	// State is the parameters, their gradients, the optimizer's slots
	// (SGD momentum: one per value, Adam: two), the best epoch's snapshot
	// (parameters and buffers) and the batch-norm running statistics.
	State int64
	// Activations is what a training step keeps between its forward and
	// backward passes: each layer's output and input-gradient buffers, the
	// batch-norm normalised inputs, the pooling argmaxes and the im2col
	// matrices small enough to be kept, at the training batch size.
	Activations int64
	// Workspace is the largest im2col scratch one convolution uses at a
	// time (forward or backward), at the larger of the two batch sizes.
	Workspace int64
	// Batches is one training batch and one evaluation batch of inputs.
	Batches int64
	// Eval is what one evaluation forward allocates afresh: the outputs of
	// every layer that does not work in place, at the evaluation batch size.
	Eval int64
}

// Live is the run's estimated live heap at its peak: everything above at
// once.
func (m Memory) Live() int64 {
	return m.State + m.Activations + m.Workspace + m.Batches + m.Eval
}

// add sums two estimates part by part.
func (m Memory) add(o Memory) Memory {
	return Memory{
		Params:      m.Params + o.Params,
		State:       m.State + o.State,
		Activations: m.Activations + o.Activations,
		Workspace:   max(m.Workspace, o.Workspace),
		Batches:     m.Batches + o.Batches,
		Eval:        m.Eval + o.Eval,
	}
}

// Estimate is the memory estimate of the run spec on a dataset whose
// modalities and classes info describes. It follows the layers miebench's
// nn package builds for the spec's encoders and fusion head, counting the
// buffers each keeps (see Memory), and the optimizer the spec names.
// Methods that add state of their own (MIE's SAM copy of the weights,
// per-modality heads) are not counted beyond the shared model.
func Estimate(spec bench.RunSpec, info datasets.Info) (Memory, error) {
	tr := spec.Train
	if tr.BatchSize <= 0 {
		return Memory{}, fmt.Errorf("sizing %s: train.batch_size %d is not positive", spec.Label, tr.BatchSize)
	}
	eb := tr.EvalBatchSize
	if eb <= 0 {
		eb = tr.BatchSize
	}
	var total Memory
	var params, buffers int64
	var dims []int
	for _, m := range info.Modalities {
		e, ok := spec.Model.Encoders[m.Name]
		if !ok {
			return Memory{}, fmt.Errorf("sizing %s: no encoder configured for modality %q", spec.Label, m.Name)
		}
		enc, err := encoder(e, m.Shape, tr.BatchSize, eb)
		if err != nil {
			return Memory{}, fmt.Errorf("sizing %s: modality %q: %w", spec.Label, m.Name, err)
		}
		total = total.add(enc.mem)
		params += enc.params
		buffers += enc.buffers
		dims = append(dims, enc.out)
		per := int64(shapeSize(m.Shape))
		total.Batches += floatBytes * per * int64(tr.BatchSize+eb)
	}
	head, err := fusion(spec.Model.Fusion, dims, len(info.Classes), tr.BatchSize, eb)
	if err != nil {
		return Memory{}, fmt.Errorf("sizing %s: %w", spec.Label, err)
	}
	total = total.add(head.mem)
	params += head.params
	slots, err := optimizerSlots(tr)
	if err != nil {
		return Memory{}, fmt.Errorf("sizing %s: %w", spec.Label, err)
	}
	// value + gradient + slots + best snapshot; buffers: value + snapshot.
	total.Params = params
	total.State = floatBytes * (params*(3+slots) + 2*buffers)
	return total, nil
}

// optimizerSlots is the number of per-value state slots the optimizer keeps.
func optimizerSlots(tr bench.TrainSpec) (int64, error) {
	switch tr.Optimizer {
	case "sgd", "":
		if tr.Momentum == 0 {
			return 0, nil
		}
		return 1, nil
	case "adam", "adamw":
		return 2, nil
	}
	return 0, fmt.Errorf("unknown optimizer %q", tr.Optimizer)
}

// part is a piece of the model: its memory and its parameter and buffer
// counts.
type part struct {
	mem     Memory
	params  int64
	buffers int64
	out     int // feature width of an encoder
}

// net accumulates a network's layers as it walks their shapes; n is the
// training batch (times frames), ne the evaluation batch (times frames).
type net struct {
	p     part
	n, ne int64
}

// keep counts a buffer of per-sample size s held across the step.
func (w *net) keep(s int) { w.p.mem.Activations += floatBytes * w.n * int64(s) }

// fresh counts an output of per-sample size s allocated by every
// evaluation forward.
func (w *net) fresh(s int) { w.p.mem.Eval += floatBytes * w.ne * int64(s) }

// linear is nn.Linear: output and input-gradient buffers.
func (w *net) linear(in, out int) {
	w.p.params += int64(in*out + out)
	w.keep(out)
	w.keep(in)
	w.fresh(out)
}

// relu is nn.ReLU not in place: output and input-gradient buffers.
func (w *net) relu(d int) {
	w.keep(d)
	w.keep(d)
	w.fresh(d)
}

// conv is nn.Conv2D on [C H W] samples; it returns the output shape.
func (w *net) conv(c, h, wd, outC, k, stride, pad int) (int, int, int) {
	oh, ow := (h+2*pad-k)/stride+1, (wd+2*pad-k)/stride+1
	p, kk := oh*ow, c*k*k
	w.p.params += int64(outC * kk)
	w.keep(outC * p) // output
	w.keep(c * h * wd)
	w.fresh(outC * p)
	scratch := func(n int64) (keep bool, ws int64) {
		chunk := max(1, min(n, int64(colBudget/max(1, kk*p))))
		keep = chunk == n
		perSample := chunk == 1 || p >= perSampleMinP
		cols := int64(kk*p) * chunk
		var packed int64
		if !perSample {
			packed = int64(outC*p) * chunk
		}
		fwd := packed
		bwd := packed + cols // the input-gradient columns
		if !keep {
			fwd += cols
			bwd += cols
		}
		return keep, floatBytes * max(fwd, bwd)
	}
	keep, ws := scratch(w.n)
	if keep {
		w.p.mem.Activations += floatBytes * int64(kk*p) * w.n
	}
	_, wse := scratch(w.ne)
	w.p.mem.Workspace = max(w.p.mem.Workspace, ws, wse)
	return outC, oh, ow
}

// batchNorm is nn.BatchNorm over c channels of s values each; inFwd and
// inBwd say whether its forward and backward work in place.
func (w *net) batchNorm(c, s int, inFwd, inBwd bool) {
	w.p.params += int64(2 * c)
	w.p.buffers += int64(2 * c)
	w.keep(c * s) // normalised input
	if !inFwd {
		w.keep(c * s)
		w.fresh(c * s)
	}
	if !inBwd {
		w.keep(c * s)
	}
}

// maxPool is nn.MaxPool2D: output, argmax (int32) and input-gradient buffers.
func (w *net) maxPool(c, h, wd, k, stride, pad int) (int, int) {
	oh, ow := (h+2*pad-k)/stride+1, (wd+2*pad-k)/stride+1
	w.keep(c * oh * ow)
	w.keep(c * oh * ow)
	w.keep(c * h * wd)
	w.fresh(c * oh * ow)
	return oh, ow
}

// globalPool is nn.GlobalAvgPool: output and input-gradient buffers.
func (w *net) globalPool(c, s int) {
	w.keep(c)
	w.keep(c * s)
	w.fresh(c)
}

// encoder walks one modality's encoder for per-sample input shape.
func encoder(e bench.EncoderSpec, shape []int, batch, evalBatch int) (part, error) {
	w := &net{n: int64(batch), ne: int64(evalBatch)}
	switch e.Kind {
	case "mlp":
		in := shapeSize(shape)
		for _, width := range append(append([]int(nil), e.Widths...), e.Dim) {
			w.linear(in, width)
			w.relu(width)
			in = width
		}
		w.p.out = e.Dim
	case "cnn", "resnet18":
		t, c, h, wd, err := imageShape(shape)
		if err != nil {
			return part{}, fmt.Errorf("%s encoder: %w", e.Kind, err)
		}
		w.n *= int64(t)
		w.ne *= int64(t)
		if e.Kind == "cnn" {
			w.cnn(c, h, wd, e)
		} else {
			w.resnet18(c, h, wd)
		}
		if t > 1 { // the mean over frames: output and input gradient
			d := int64(w.p.out)
			w.p.mem.Activations += floatBytes * d * (int64(batch) + w.n)
			w.p.mem.Eval += floatBytes * d * int64(evalBatch)
		}
		if e.Kind == "cnn" && e.Dim > 0 {
			w.n, w.ne = int64(batch), int64(evalBatch)
			w.linear(w.p.out, e.Dim)
			w.relu(e.Dim)
			w.p.out = e.Dim
		}
	default:
		return part{}, fmt.Errorf("unknown encoder %q", e.Kind)
	}
	return w.p, nil
}

// cnn is nn.CNNEncoder's body: blocks of 3x3 convolution, batch norm and
// ReLU (both in place) and 2x2 max pooling, then a global average pool.
func (w *net) cnn(c, h, wd int, e bench.EncoderSpec) {
	if len(e.Widths) == 0 {
		return
	}
	for _, width := range e.Widths {
		c, h, wd = w.conv(c, h, wd, width, 3, 1, 1)
		w.batchNorm(c, h*wd, true, true)
		h, wd = w.maxPool(c, h, wd, 2, 2, 0)
	}
	w.globalPool(c, h*wd)
	w.p.out = c
}

// resnet18 is nn.ResNet18: the stem (7x7/2 convolution, batch norm and ReLU
// in place, 3x3/2 max pooling), four stages of two basic blocks, a global
// average pool.
func (w *net) resnet18(c, h, wd int) {
	c, h, wd = w.conv(c, h, wd, 64, 7, 2, 3)
	w.batchNorm(c, h*wd, true, true)
	h, wd = w.maxPool(c, h, wd, 3, 2, 1)
	for stage, width := range []int{64, 128, 256, 512} {
		for i := range 2 {
			stride := 1
			if stage > 0 && i == 0 {
				stride = 2
			}
			inC, inH, inW := c, h, wd
			c, h, wd = w.conv(inC, inH, inW, width, 3, stride, 1)
			w.batchNorm(c, h*wd, true, true)
			c, h, wd = w.conv(c, h, wd, width, 3, 1, 1)
			w.batchNorm(c, h*wd, true, false)
			if stride != 1 || inC != width {
				w.conv(inC, inH, inW, width, 1, stride, 0)
				w.batchNorm(c, h*wd, true, true)
			}
			w.keep(c * h * wd) // the final ReLU's input gradient (in place forward only)
		}
	}
	w.globalPool(c, h*wd)
	w.p.out = 512
}

// fusion walks the fusion head on features of widths dims.
func fusion(kind string, dims []int, classes, batch, evalBatch int) (part, error) {
	w := &net{n: int64(batch), ne: int64(evalBatch)}
	sum := 0
	for _, d := range dims {
		sum += d
	}
	switch kind {
	case "concat", "":
		w.keep(sum) // the concatenated features
		w.keep(sum) // their gradient, split per modality
		w.fresh(sum)
		w.linear(sum, classes)
	case "sum":
		for _, d := range dims {
			w.linear(d, classes)
		}
	case "film", "gated":
		if len(dims) != 2 {
			return part{}, fmt.Errorf("fusion %q needs two modalities, got %d", kind, len(dims))
		}
		if kind == "film" {
			w.linear(dims[0], 2*dims[1])
			w.keep(dims[1])
			w.linear(dims[1], classes)
		} else {
			w.linear(dims[0], dims[1])
			w.linear(dims[1], dims[1])
			w.keep(2 * dims[1])
			w.linear(dims[1], classes)
		}
	case "none":
	default:
		return part{}, fmt.Errorf("unknown fusion %q", kind)
	}
	// Logits and their gradient.
	w.keep(classes)
	w.keep(classes)
	return w.p, nil
}

// imageShape splits a [C H W] or [T C H W] sample shape.
func imageShape(shape []int) (t, c, h, w int, err error) {
	switch len(shape) {
	case 3:
		return 1, shape[0], shape[1], shape[2], nil
	case 4:
		return shape[0], shape[1], shape[2], shape[3], nil
	}
	return 0, 0, 0, 0, fmt.Errorf("needs [C H W] or [T C H W] samples, got shape %v", shape)
}

func shapeSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
