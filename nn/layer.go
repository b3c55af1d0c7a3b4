package nn

// Param is a trainable tensor with its gradient. Methods reach every
// parameter through this type to scale, mask, perturb or project gradients
// tensor by tensor.
type Param struct {
	// Name is stable and PyTorch-like, dotted from the model root, e.g.
	// "enc.audio.layer1.0.conv1.weight" or "head.fc.bias". Inside an encoder,
	// ResNet-18 uses torchvision's names (conv1, bn1, layer1.0.conv1,
	// layer1.0.downsample.0, ...), so rules stated on the official code's
	// names translate directly.
	Name string
	// Group says which part of the model owns the parameter: "enc/<modality>"
	// for a modality's encoder, "head" for the fusion head, "head/<modality>"
	// for a modality's own head. Optimizer parameter groups are built from it.
	Group string
	// Value holds the parameter; Grad has the same shape and accumulates
	// gradients until zeroed.
	Value *Tensor
	Grad  *Tensor
}

// NewParam returns a parameter of the given shape with a zero value and gradient.
func NewParam(name string, shape ...int) *Param {
	return &Param{Name: name, Value: NewTensor(shape...), Grad: NewTensor(shape...)}
}

// Buffer is non-trainable state saved with a model, such as batch
// normalisation's running statistics.
type Buffer struct {
	Name  string
	Value *Tensor
}

// Layer is a differentiable function with optional parameters.
//
// Forward caches what Backward needs, so Backward refers to the most recent
// Forward call. Backward takes the gradient of the loss with respect to the
// output, accumulates (adds) parameter gradients into Param.Grad and returns
// the gradient with respect to the input (nil from a first layer told not
// to compute it; see InputGradDropper). Forward with train false (evaluation)
// need not cache anything and must not change running statistics.
//
// In miebench's layers, a training Forward returns a tensor owned by the
// layer and reused (overwritten) by its next training Forward, and Backward
// likewise returns a reused gradient tensor: Clone what must outlive the
// next step. An evaluation Forward returns fresh tensors and leaves the
// cache of the last training Forward intact, so Backward still refers to
// that one.
type Layer interface {
	Forward(x *Tensor, train bool) *Tensor
	Backward(dy *Tensor) *Tensor
	Params() []*Param
	Buffers() []*Buffer
}

// InputGradDropper is an encoder that can skip the gradient with respect
// to its input, which nobody reads when the input is data: the first layer
// then computes its parameter gradients only (a convolution's input
// gradient is a GEMM and a col2im per sample). After DropInputGrad,
// Backward still accumulates every parameter gradient, bit for bit as
// before, and returns nil.
type InputGradDropper interface {
	DropInputGrad()
}

// Encoder is a Layer that maps a batch of one modality's inputs to a batch of
// feature vectors of width OutDim.
type Encoder interface {
	Layer
	OutDim() int
}
