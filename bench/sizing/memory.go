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
	"github.com/miebench/miebench/nn"
)

// floatBytes is the size of one tensor element (float32).
const floatBytes = 4

// argBytes is the size of one max-pooling arg-max for a k x k window (nn
// keeps each maximum's position in its window in 8 bits up to
// nn.MaxPoolByteWindow, else 16).
func argBytes(k int) int64 {
	if k <= nn.MaxPoolByteWindow {
		return 1
	}
	return 2
}

// Memory is the estimated memory of one run, in bytes, by what holds it.
type Memory struct {
	// Params is the number of trainable values (not bytes).
	Params int64
	// State is the parameters, their gradients, the optimizer's slots
	// (SGD momentum: one per value, Adam: two), the best epoch's snapshot
	// (parameters and buffers) and the batch-norm running statistics.
	State int64
	// Activations is what a training step keeps between its forward and
	// backward passes, at the training batch size: the layers' outputs and
	// input gradients (in the convolutional encoders, the gradient slots
	// layers share and outputs dead after their consumer stored in them,
	// as nn lays them out), the batch-norm normalised inputs, the max
	// pooling arg-maxes and the im2col matrices small enough to be kept.
	Activations int64
	// Workspace is the most im2col scratch nn's free list holds at once
	// (buffers in use and kept for reuse) over training steps and
	// evaluation forwards of the model.
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
	var traces []scratchTrace
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
		traces = append(traces, enc.scratch)
		per := int64(shapeSize(m.Shape))
		total.Batches += floatBytes * per * int64(tr.BatchSize+eb)
	}
	head, err := fusion(spec.Model.Fusion, dims, len(info.Classes), tr.BatchSize, eb)
	if err != nil {
		return Memory{}, fmt.Errorf("sizing %s: %w", spec.Label, err)
	}
	total = total.add(head.mem)
	total.Workspace = scratchPeak(traces)
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

// part is a piece of the model: its memory, its parameter and buffer
// counts, and the im2col scratch its convolutions take.
type part struct {
	mem     Memory
	params  int64
	buffers int64
	out     int // feature width of an encoder
	scratch scratchTrace
}

// own says that a layer's buffer is its own rather than one of the
// encoder's shared gradient slots; none that the layer has no such buffer.
const (
	own  = -1
	none = -2
)

// net accumulates a network's layers as it walks their shapes; n is the
// training batch (times frames), ne the evaluation batch (times frames).
type net struct {
	p     part
	n, ne int64
	// slots are the per-sample sizes of the encoder's shared gradient
	// buffers (nn's gradSlot): each is as large as its largest use.
	slots []int
}

// keep counts a buffer of per-sample size s held across the step.
func (w *net) keep(s int) { w.p.mem.Activations += floatBytes * w.n * int64(s) }

// store counts a training buffer of per-sample size s held in the layer's
// own storage (slot own) or in the encoder's shared slot.
func (w *net) store(slot, s int) {
	if slot == own {
		w.keep(s)
		return
	}
	for len(w.slots) <= slot {
		w.slots = append(w.slots, 0)
	}
	w.slots[slot] = max(w.slots[slot], s)
}

// keepSlots counts the encoder's shared slots once each, at their largest
// use.
func (w *net) keepSlots() {
	for _, s := range w.slots {
		w.keep(s)
	}
	w.slots = nil
}

// fresh counts an output of per-sample size s allocated by every
// evaluation forward.
func (w *net) fresh(s int) { w.p.mem.Eval += floatBytes * w.ne * int64(s) }

// linear is nn.Linear: output and input-gradient buffers (no input
// gradient for an encoder's first layer, whose input is data).
func (w *net) linear(in, out int, inputGrad bool) {
	w.p.params += int64(in*out + out)
	w.keep(out)
	if inputGrad {
		w.keep(in)
	}
	w.fresh(out)
}

// relu is nn.ReLU not in place: output and input-gradient buffers.
func (w *net) relu(d int) {
	w.keep(d)
	w.keep(d)
	w.fresh(d)
}

// conv is nn.Conv2D on [C H W] samples, its training output in ySlot and
// its input gradient in dxSlot (own or a shared slot; none for an
// encoder's first convolution, whose input gradient nobody computes); it
// returns the output shape. Evaluation allocates the output afresh. Its
// im2col scratch is what nn.ConvScratch says for nn.Threads() goroutines,
// what a training process here would give each run (cmd/miebench sets it
// from --workers before sizing).
func (w *net) conv(c, h, wd, outC, k, stride, pad, ySlot, dxSlot int) (int, int, int) {
	oh, ow := (h+2*pad-k)/stride+1, (wd+2*pad-k)/stride+1
	p, kk := oh*ow, c*k*k
	w.p.params += int64(outC * kk)
	w.store(ySlot, outC*p)
	if dxSlot != none {
		w.store(dxSlot, c*h*wd)
	}
	w.fresh(outC * p)
	procs := nn.Threads()
	shape := nn.ConvShape{InC: c, OutC: outC, KH: k, KW: k, Stride: stride, Pad: pad, H: h, W: wd}
	fwd, bwd, kept := nn.ConvScratch(shape, int(w.n), procs, true, dxSlot != none)
	w.p.mem.Activations += floatBytes * kept
	efwd, _, _ := nn.ConvScratch(shape, int(w.ne), procs, false, false)
	w.p.scratch.fwd = append(w.p.scratch.fwd, fwd)
	w.p.scratch.bwd = append(w.p.scratch.bwd, bwd)
	w.p.scratch.eval = append(w.p.scratch.eval, efwd)
	return outC, oh, ow
}

// batchNorm is nn.BatchNorm over c channels of s values each (with or
// without a fused ReLU, which keeps nothing more: its mask is recomputed
// from x̂); inFwd and inBwd say whether its forward and backward work in
// place, dxSlot where its input gradient lives otherwise.
func (w *net) batchNorm(c, s int, inFwd, inBwd bool, dxSlot int) {
	w.p.params += int64(2 * c)
	w.p.buffers += int64(2 * c)
	w.keep(c * s) // normalised input
	if !inFwd {
		w.keep(c * s)
		w.fresh(c * s)
	}
	if !inBwd {
		w.store(dxSlot, c*s)
	}
}

// maxPool is nn.MaxPool2D: its output, each maximum's position in its
// window (argBytes) and its input gradient (in dxSlot).
func (w *net) maxPool(c, h, wd, k, stride, pad, dxSlot int) (int, int) {
	oh, ow := (h+2*pad-k)/stride+1, (wd+2*pad-k)/stride+1
	w.keep(c * oh * ow)
	w.p.mem.Activations += argBytes(k) * w.n * int64(c*oh*ow)
	w.store(dxSlot, c*h*wd)
	w.fresh(c * oh * ow)
	return oh, ow
}

// avgPool is nn.AvgPool2D with window and stride k: its output and its
// input gradient (in dxSlot).
func (w *net) avgPool(c, h, wd, k, dxSlot int) (int, int) {
	oh, ow := (h-k)/k+1, (wd-k)/k+1
	w.keep(c * oh * ow)
	w.store(dxSlot, c*h*wd)
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
		for i, width := range append(append([]int(nil), e.Widths...), e.Dim) {
			w.linear(in, width, i > 0)
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
			if err := w.cnn(shape, c, h, wd, e); err != nil {
				return part{}, err
			}
		} else {
			w.resnet18(c, h, wd)
		}
		w.keepSlots()
		if t > 1 { // the mean over frames: output and input gradient
			d := int64(w.p.out)
			w.p.mem.Activations += floatBytes * d * (int64(batch) + w.n)
			w.p.mem.Eval += floatBytes * d * int64(evalBatch)
		}
		if e.Kind == "cnn" && e.Dim > 0 {
			w.n, w.ne = int64(batch), int64(evalBatch)
			w.linear(w.p.out, e.Dim, true)
			w.relu(e.Dim)
			w.p.out = e.Dim
		}
	default:
		return part{}, fmt.Errorf("unknown encoder %q", e.Kind)
	}
	return w.p, nil
}

// cnn is nn.CNNEncoder's body: blocks of 3x3 convolution (the block's
// stride) and batch norm with ReLU (fused, in place), each followed by the
// block's pooling, then a global average pool. As nn does, the poolings'
// and convolutions' input gradients alternate between two shared slots
// (assigned from the last layer back; the first convolution's is its own),
// and a convolution followed by a pooling keeps its output in the slot of
// the pooling's input gradient.
func (w *net) cnn(shape []int, c, h, wd int, e bench.EncoderSpec) error {
	blocks, err := nn.CNNBlocks(e.Widths, e.Strides, e.Pools)
	if err == nil {
		err = nn.CheckCNNBlocks(shape, blocks)
	}
	if err != nil {
		return fmt.Errorf("cnn encoder: %w", err)
	}
	// The body's layers in order: per block a convolution ('c'), a batch
	// norm ('b') and maybe a pooling ('p').
	var kinds []byte
	for _, b := range blocks {
		kinds = append(kinds, 'c', 'b')
		if b.Pool != nn.PoolNone {
			kinds = append(kinds, 'p')
		}
	}
	dx := make([]int, len(kinds))
	dx[0] = none
	g := own
	for i := len(kinds) - 1; i > 0; i-- {
		dx[i] = own
		if kinds[i] != 'b' {
			g = otherSlot(g)
			dx[i] = g
		}
	}
	i := 0
	for _, b := range blocks {
		y := own
		if i+2 < len(kinds) && kinds[i+2] == 'p' {
			y = dx[i+2]
		}
		c, h, wd = w.conv(c, h, wd, b.Width, 3, b.Stride, 1, y, dx[i])
		w.batchNorm(c, h*wd, true, true, own)
		i += 2
		switch b.Pool {
		case nn.PoolMax:
			h, wd = w.maxPool(c, h, wd, b.PoolSize, b.PoolSize, 0, dx[i])
			i++
		case nn.PoolAvg:
			h, wd = w.avgPool(c, h, wd, b.PoolSize, dx[i])
			i++
		}
	}
	w.globalPool(c, h*wd)
	w.p.out = c
	return nil
}

// otherSlot is the slot of two that is not g (nn's otherSlot: the first
// when g is none).
func otherSlot(g int) int {
	if g == 0 {
		return 1
	}
	return 0
}

// ResNet-18's shared buffers: the blocks' three gradient slots and the
// stem's, which holds the stem convolution's output and then the max
// pooling's input gradient, and in between, as its parts, two of the
// block slots (nn's gradSlot parts): all but the one block 0 returns to
// the pooling (X1's role).
const (
	slotD    = 0 // each block's final ReLU gradient
	slotX1   = 1 // bn2's and conv1's input gradients; the shortcut convolution's output; the stem convolution's input gradient
	slotX2   = 2 // conv2's and the shortcut convolution's input gradients
	slotStem = 3
)

// resnet18 is nn.ResNet18: the stem (7x7/2 convolution, batch norm with
// ReLU fused, 3x3/2 max pooling), four stages of two basic blocks, a
// global average pool, with nn's sharing of gradient and dead-output
// storage (see the slot constants).
func (w *net) resnet18(c, h, wd int) {
	c, h, wd = w.conv(c, h, wd, 64, 7, 2, 3, slotStem, none)
	w.batchNorm(c, h*wd, true, true, own)
	h, wd = w.maxPool(c, h, wd, 3, 2, 1, slotStem)
	for stage, width := range []int{64, 128, 256, 512} {
		for i := range 2 {
			stride := 1
			if stage > 0 && i == 0 {
				stride = 2
			}
			inC, inH, inW := c, h, wd
			c, h, wd = w.conv(inC, inH, inW, width, 3, stride, 1, own, slotX1)
			w.batchNorm(c, h*wd, true, true, own)
			c, h, wd = w.conv(c, h, wd, width, 3, 1, 1, own, slotX2)
			w.batchNorm(c, h*wd, true, false, slotX1)
			down := stride != 1 || inC != width
			if down {
				w.conv(inC, inH, inW, width, 1, stride, 0, slotX1, slotX2)
				w.batchNorm(c, h*wd, true, true, own)
				// Backward runs the shortcut after the main branch.
				s := w.p.scratch.bwd
				n := len(s)
				s[n-3], s[n-2], s[n-1] = s[n-1], s[n-3], s[n-2]
			}
			w.store(slotD, c*h*wd) // the final ReLU's input gradient (in place forward only)
		}
	}
	w.globalPool(c, h*wd)
	w.p.out = 512
	w.slots[slotStem] = max(w.slots[slotStem], w.slots[slotD]+w.slots[slotX2])
	w.slots[slotD], w.slots[slotX2] = 0, 0
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
		w.linear(sum, classes, true)
	case "sum":
		for _, d := range dims {
			w.linear(d, classes, true)
		}
	case "film", "gated":
		if len(dims) != 2 {
			return part{}, fmt.Errorf("fusion %q needs two modalities, got %d", kind, len(dims))
		}
		if kind == "film" {
			w.linear(dims[0], 2*dims[1], true)
			w.keep(dims[1])
			w.linear(dims[1], classes, true)
		} else {
			w.linear(dims[0], dims[1], true)
			w.linear(dims[1], dims[1], true)
			w.keep(2 * dims[1])
			w.linear(dims[1], classes, true)
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
