package nn

import "fmt"

// Sequential applies its layers in order; Backward runs them in reverse.
type Sequential struct {
	Layers []Layer
}

// NewSequential returns a Sequential over the given layers.
func NewSequential(layers ...Layer) *Sequential { return &Sequential{Layers: layers} }

// Forward feeds x through every layer.
func (s *Sequential) Forward(x *Tensor, train bool) *Tensor {
	for _, l := range s.Layers {
		x = l.Forward(x, train)
	}
	return x
}

// Backward feeds dy back through every layer in reverse order.
func (s *Sequential) Backward(dy *Tensor) *Tensor {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		dy = s.Layers[i].Backward(dy)
	}
	return dy
}

// Params returns every layer's parameters in layer order.
func (s *Sequential) Params() []*Param {
	var ps []*Param
	for _, l := range s.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Buffers returns every layer's buffers in layer order.
func (s *Sequential) Buffers() []*Buffer {
	var bs []*Buffer
	for _, l := range s.Layers {
		bs = append(bs, l.Buffers()...)
	}
	return bs
}

// Flatten reshapes [N, ...] to [N, rest]; the data is shared, not copied.
type Flatten struct {
	shape []int
}

// NewFlatten returns a Flatten layer.
func NewFlatten() Layer { return &Flatten{} }

// Forward returns a view of x with shape [N, RowLen].
func (f *Flatten) Forward(x *Tensor, train bool) *Tensor {
	if train {
		f.shape = append(f.shape[:0], x.Shape...)
	}
	return x.Reshape(x.Rows(), x.RowLen())
}

// Backward returns a view of dy with the input's shape.
func (f *Flatten) Backward(dy *Tensor) *Tensor {
	if f.shape == nil {
		panic("nn: Flatten: Backward without a training Forward")
	}
	if ShapeSize(f.shape) != len(dy.Data) {
		panic(fmt.Sprintf("nn: Flatten: gradient shape %v does not match input shape %v", dy.Shape, f.shape))
	}
	return dy.Reshape(f.shape...)
}

// Params returns nil.
func (f *Flatten) Params() []*Param { return nil }

// Buffers returns nil.
func (f *Flatten) Buffers() []*Buffer { return nil }
