package loaders

import (
	"encoding/binary"
	"fmt"
	"os"

	"github.com/nlpodyssey/safetensors"
)

// safetensorsDTypes maps safetensors dtype names to Array dtypes.
var safetensorsDTypes = map[string]string{
	"F16": "float16", "BF16": "bfloat16", "F32": "float32", "F64": "float64",
	"I8": "int8", "I16": "int16", "I32": "int32", "I64": "int64",
	"U8": "uint8", "U16": "uint16", "U32": "uint32", "U64": "uint64",
	"BOOL": "bool",
}

// ReadSafetensors reads a .safetensors file (Hugging Face's format: an
// 8-byte little-endian header length, a JSON header giving every tensor's
// dtype, shape and byte range, then the data) and returns its tensors by
// name. The header is parsed and checked by github.com/nlpodyssey/safetensors
// (header size bounded, byte ranges contiguous and of exactly the length
// the shape and dtype need, the file ending where the last tensor does),
// so a truncated or padded file is refused before any tensor is decoded.
func ReadSafetensors(path string) (map[string]Array, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loaders: read safetensors: %w", err)
	}
	m, err := DecodeSafetensors(b)
	if err != nil {
		return nil, fmt.Errorf("loaders: safetensors %s: %w", path, err)
	}
	return m, nil
}

// DecodeSafetensors is ReadSafetensors on the bytes of a file.
func DecodeSafetensors(b []byte) (map[string]Array, error) {
	st, err := safetensors.Deserialize(b)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	out := map[string]Array{}
	for _, nt := range st.Tensors() {
		t := nt.TensorView
		dtype, ok := safetensorsDTypes[t.DType().String()]
		if !ok {
			return nil, fmt.Errorf("tensor %q: dtype %s is not supported", nt.Name, t.DType())
		}
		shape := make([]int, len(t.Shape()))
		for i, d := range t.Shape() {
			if d > arrayMaxElems {
				return nil, fmt.Errorf("tensor %q: dimension %d of shape %v too large", nt.Name, d, t.Shape())
			}
			shape[i] = int(d)
		}
		a, err := decodeElems(dtype, binary.LittleEndian, shape, t.Data())
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", nt.Name, err)
		}
		out[nt.Name] = a
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("file holds no tensors")
	}
	return out, nil
}
