// Package nn is miebench's float32 training engine: tensors, layers with
// explicit forward and backward passes, losses, optimizers, schedulers and
// initialisers. Every matrix product goes through gonum's blas32 interface;
// importing nn installs miebench's SIMD GEMM (package nn/gemm) with
// blas32.Use, so every gonum float32 caller in the process uses it.
//
// nn imports gonum and nothing of miebench's other packages.
package nn

import "fmt"

// Tensor is a dense row-major float32 array with a shape.
// The first dimension is the batch dimension wherever a layer takes a batch.
type Tensor struct {
	Shape []int
	Data  []float32
}

// NewTensor returns a zero tensor of the given shape.
func NewTensor(shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("nn: negative dimension in shape %v", shape))
		}
		n *= d
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// FromSlice wraps data (not copied) as a tensor of the given shape.
// It panics if the shape does not match len(data).
func FromSlice(data []float32, shape ...int) *Tensor {
	if n := ShapeSize(shape); n != len(data) {
		panic(fmt.Sprintf("nn: shape %v needs %d values, have %d", shape, n, len(data)))
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}
}

// ShapeSize is the number of elements of a tensor of the given shape.
func ShapeSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Len is the number of elements.
func (t *Tensor) Len() int { return len(t.Data) }

// Rows is the size of the first dimension (the batch size).
func (t *Tensor) Rows() int {
	if len(t.Shape) == 0 {
		return 1
	}
	return t.Shape[0]
}

// RowLen is the number of elements per row (per sample).
func (t *Tensor) RowLen() int {
	if len(t.Shape) == 0 {
		return 1
	}
	return ShapeSize(t.Shape[1:])
}

// Row returns sample i's elements (a view, not a copy).
func (t *Tensor) Row(i int) []float32 {
	n := t.RowLen()
	return t.Data[i*n : (i+1)*n]
}

// Clone returns a deep copy.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
}

// Zero sets every element to 0.
func (t *Tensor) Zero() { clear(t.Data) }

// Float64s returns a float64 copy of the elements, for rules computed in
// float64 on small outputs (scores, coefficients).
func (t *Tensor) Float64s() []float64 {
	out := make([]float64, len(t.Data))
	for i, v := range t.Data {
		out[i] = float64(v)
	}
	return out
}

// Reshape returns a view with the same data and a new shape.
// One dimension may be -1 and is then inferred.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	s := append([]int(nil), shape...)
	infer, n := -1, 1
	for i, d := range s {
		if d == -1 {
			if infer >= 0 {
				panic("nn: Reshape with two -1 dimensions")
			}
			infer = i
			continue
		}
		n *= d
	}
	if infer >= 0 {
		if n == 0 || len(t.Data)%n != 0 {
			panic(fmt.Sprintf("nn: cannot reshape %v to %v", t.Shape, shape))
		}
		s[infer] = len(t.Data) / n
		n *= s[infer]
	}
	if n != len(t.Data) {
		panic(fmt.Sprintf("nn: cannot reshape %v to %v", t.Shape, shape))
	}
	return &Tensor{Shape: s, Data: t.Data}
}

// SameShape reports whether a and b have identical shapes.
func SameShape(a, b *Tensor) bool {
	if len(a.Shape) != len(b.Shape) {
		return false
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			return false
		}
	}
	return true
}
