package loaders

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/miebench/miebench/nn"
)

// arrayMaxElems bounds the number of elements any array header may
// declare (the same bound as .npy headers).
const arrayMaxElems = npyMaxElems

// Array is one numeric array read from a feature file: its shape, the
// file's element type, and its values in row-major (C) order. Floating-
// point arrays fill Float (float16, bfloat16 and float64 are converted to
// float32; float64 values beyond float32's range become +-Inf); integer and
// boolean arrays fill Int.
type Array struct {
	Shape []int
	DType string // "float16", "bfloat16", "float32", "float64", "int8".."int64", "uint8".."uint64", "bool", or "text"
	Float []float32
	Int   []int64
}

// IsFloat reports whether the array holds floating-point values.
func (a Array) IsFloat() bool { return a.Float != nil }

// shapeString formats a shape for messages, e.g. [2 3].
func shapeString(shape []int) string { return fmt.Sprint(shape) }

// elemSizes gives the byte size of every element type Array holds.
var elemSizes = map[string]int{
	"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8,
	"int8": 1, "int16": 2, "int32": 4, "int64": 8,
	"uint8": 1, "uint16": 2, "uint32": 4, "uint64": 8,
	"bool": 1,
}

// checkedElems is the product of shape, or an error when a dimension is
// negative or the product exceeds arrayMaxElems.
func checkedElems(shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("shape %v has a negative dimension", shape)
		}
		if d > 0 && n > arrayMaxElems/d {
			return 0, fmt.Errorf("shape %v has more than %d elements", shape, arrayMaxElems)
		}
		n *= d
	}
	return n, nil
}

// decodeElems decodes raw, which must hold exactly the elements of shape
// in C order, as dtype in the given byte order.
func decodeElems(dtype string, order binary.ByteOrder, shape []int, raw []byte) (Array, error) {
	size, ok := elemSizes[dtype]
	if !ok {
		return Array{}, fmt.Errorf("dtype %s is not supported (want a float, integer or bool type)", dtype)
	}
	n, err := checkedElems(shape)
	if err != nil {
		return Array{}, err
	}
	if len(raw) != n*size {
		return Array{}, fmt.Errorf("data has %d bytes, shape %v of %s needs %d", len(raw), shape, dtype, n*size)
	}
	a := Array{Shape: slices.Clone(shape), DType: dtype}
	switch dtype {
	case "float16", "bfloat16", "float32", "float64":
		a.Float = make([]float32, n)
		for i := range a.Float {
			b := raw[i*size:]
			switch dtype {
			case "float16":
				a.Float[i] = halfToFloat32(order.Uint16(b))
			case "bfloat16":
				a.Float[i] = math.Float32frombits(uint32(order.Uint16(b)) << 16)
			case "float32":
				a.Float[i] = math.Float32frombits(order.Uint32(b))
			default:
				a.Float[i] = float32(math.Float64frombits(order.Uint64(b)))
			}
		}
	default:
		a.Int = make([]int64, n)
		for i := range a.Int {
			b := raw[i*size:]
			var v int64
			switch dtype {
			case "int8":
				v = int64(int8(b[0]))
			case "uint8", "bool":
				v = int64(b[0])
			case "int16":
				v = int64(int16(order.Uint16(b)))
			case "uint16":
				v = int64(order.Uint16(b))
			case "int32":
				v = int64(int32(order.Uint32(b)))
			case "uint32":
				v = int64(order.Uint32(b))
			case "int64":
				v = int64(order.Uint64(b))
			case "uint64":
				u := order.Uint64(b)
				if u > math.MaxInt64 {
					return Array{}, fmt.Errorf("element %d = %d overflows int64", i, u)
				}
				v = int64(u)
			}
			if dtype == "bool" && v > 1 {
				return Array{}, fmt.Errorf("bool element %d is byte %d, want 0 or 1", i, v)
			}
			a.Int[i] = v
		}
	}
	return a, nil
}

// halfToFloat32 converts an IEEE 754 binary16 value to float32 exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac * 2^-24
		v := float32(frac) * float32(math.Ldexp(1, -24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | frac<<13)
}

// reorderFortran returns the column-major data of shape in row-major order.
func reorderFortran[T any](data []T, shape []int) []T {
	if len(shape) < 2 {
		return data
	}
	out := make([]T, len(data))
	idx := make([]int, len(shape))
	for c := range out {
		// idx is the multi-index of row-major position c; its column-major
		// offset is sum idx[k] * prod(shape[:k]).
		f, stride := 0, 1
		for k := range shape {
			f += idx[k] * stride
			stride *= shape[k]
		}
		out[c] = data[f]
		for k := len(shape) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out
}

// FeatureExts are the feature-file extensions ReadFeatureFile and
// ReadLabelFile understand, in the order they are documented.
var FeatureExts = []string{".npy", ".npz", ".safetensors", ".pt", ".csv", ".tsv"}

// IsFeatureFile reports whether name has one of FeatureExts.
func IsFeatureFile(name string) bool { return slices.Contains(FeatureExts, filepath.Ext(name)) }

// readArrays reads every array of a feature file, chosen by extension.
// Single-array formats (.npy, .csv, .tsv) return one array named "".
func readArrays(path string) (map[string]Array, error) {
	switch filepath.Ext(path) {
	case ".npz":
		return ReadNPZ(path)
	case ".safetensors":
		return ReadSafetensors(path)
	case ".pt":
		return ReadTorch(path)
	case ".csv", ".tsv":
		a, err := ReadDelimited(path)
		if err != nil {
			return nil, err
		}
		return map[string]Array{"": a}, nil
	}
	return nil, fmt.Errorf("loaders: %s: extension %q is not a feature format (want one of %s)", path, filepath.Ext(path), strings.Join(FeatureExts, " "))
}

// pickArray returns the one array of a container file, or the one named
// key when there are several.
func pickArray(path, key string, arrays map[string]Array) (Array, error) {
	if len(arrays) == 1 {
		for _, a := range arrays {
			return a, nil
		}
	}
	if a, ok := arrays[key]; ok {
		return a, nil
	}
	names := sortedKeys(arrays)
	if len(names) == 0 {
		return Array{}, fmt.Errorf("loaders: %s holds no arrays", path)
	}
	return Array{}, fmt.Errorf("loaders: %s holds %d arrays %v and none is named %q: keep one array per file, or name it after the file", path, len(names), names, key)
}

// ReadFeatureFile reads a feature matrix from path, the format chosen by
// the extension (FeatureExts): .npy (parsed as ReadNPY parses it), .npz,
// .safetensors and .pt (the file's single array, or the array named key
// when it holds several), .csv and .tsv (ReadDelimited). It returns the
// array as a float32 tensor and the file's element type. The array must be
// floating-point; errors name the file, the shape and the dtype.
// Non-finite values are returned as they are: callers decide whether to
// refuse them (see CountNonFinite).
func ReadFeatureFile(path, key string) (*nn.Tensor, string, error) {
	var a Array
	if filepath.Ext(path) == ".npy" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, "", fmt.Errorf("loaders: read npy: %w", err)
		}
		if a, err = decodeNPYArray(b); err != nil {
			return nil, "", fmt.Errorf("loaders: npy %s: %w", path, err)
		}
	} else {
		arrays, err := readArrays(path)
		if err != nil {
			return nil, "", err
		}
		if a, err = pickArray(path, key, arrays); err != nil {
			return nil, "", err
		}
	}
	if !a.IsFloat() {
		return nil, "", fmt.Errorf("loaders: %s: array of shape %s has dtype %s, want a floating-point type", path, shapeString(a.Shape), a.DType)
	}
	return nn.FromSlice(a.Float, a.Shape...), a.DType, nil
}

// ReadLabelFile reads class indices from path, the format chosen by the
// extension as in ReadFeatureFile: an integer array of shape [N] or
// [N, 1] (text files: one integer per row). Floating-point arrays are
// accepted when every value is a whole number.
func ReadLabelFile(path, key string) ([]int, error) {
	if filepath.Ext(path) == ".npy" {
		return ReadNPYLabels(path)
	}
	arrays, err := readArrays(path)
	if err != nil {
		return nil, err
	}
	a, err := pickArray(path, key, arrays)
	if err != nil {
		return nil, err
	}
	if !(len(a.Shape) == 1 || len(a.Shape) == 2 && a.Shape[1] == 1) {
		return nil, fmt.Errorf("loaders: %s: labels have shape %s (%s), want [N] or [N 1]", path, shapeString(a.Shape), a.DType)
	}
	out := make([]int, a.Shape[0])
	for i := range out {
		if a.IsFloat() {
			v := a.Float[i]
			if v != float32(math.Trunc(float64(v))) || math.Abs(float64(v)) > 1<<24 {
				return nil, fmt.Errorf("loaders: %s: label %d is %v (%s), not a whole number", path, i, v, a.DType)
			}
			out[i] = int(v)
		} else {
			out[i] = int(a.Int[i])
		}
	}
	return out, nil
}

// CountNonFinite returns the number of NaN and of +-Inf values in x.
func CountNonFinite(x []float32) (nans, infs int) {
	for _, v := range x {
		switch {
		case v != v:
			nans++
		case math.IsInf(float64(v), 0):
			infs++
		}
	}
	return nans, infs
}
