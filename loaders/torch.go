package loaders

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// torchMaxPickle bounds the size of a .pt file's data.pkl (the pickled
// object graph without the tensor data).
const torchMaxPickle = 64 << 20

// torchStorageDTypes maps torch's legacy storage class names, which
// torch.save pickles for every tensor, to Array dtypes.
var torchStorageDTypes = map[string]string{
	"HalfStorage": "float16", "BFloat16Storage": "bfloat16", "FloatStorage": "float32", "DoubleStorage": "float64",
	"CharStorage": "int8", "ShortStorage": "int16", "IntStorage": "int32", "LongStorage": "int64",
	"ByteStorage": "uint8", "BoolStorage": "bool",
}

// ReadTorch reads a PyTorch .pt file written by torch.save (the zip format
// of PyTorch 1.6 and later) holding one tensor, or a dict of tensors keyed
// by strings, and returns the tensors ("" for a lone tensor). The pickled
// object graph is decoded with github.com/nlpodyssey/gopickle's unpickler
// under a whitelist (only torch's tensor-rebuilding function, its storage
// classes and OrderedDict may be named: no other Python object can be
// constructed), after a scan of its opcodes that refuses any length field
// running past the end of the pickle, so the unpickler allocates no more
// than the pickle's own size. Every storage's zip member must have exactly
// the size its element count and dtype need (storages are read only as far
// as they really decompress), every tensor's size, stride and offset must
// stay inside its storage, and a tensor may not have more elements than its
// storage (expanded views are refused). The pre-1.6 format is refused with a message saying
// how to re-save the file.
func ReadTorch(path string) (map[string]Array, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loaders: read pt: %w", err)
	}
	m, err := DecodeTorch(b)
	if err != nil {
		return nil, fmt.Errorf("loaders: pt %s: %w", path, err)
	}
	return m, nil
}

// torchStorageType is a storage class named by the pickle.
type torchStorageType struct{ dtype string }

// torchStorage is a storage loaded from the archive: all its elements.
type torchStorage struct{ a Array }

// torchTensor is a tensor rebuilt by _rebuild_tensor_v2.
type torchTensor struct{ a Array }

// rebuildTensor is torch._utils._rebuild_tensor_v2(storage, offset, size,
// stride, requires_grad, backward_hooks[, metadata]).
type rebuildTensor struct{}

// Call gathers the tensor's elements from its storage in row-major order.
func (rebuildTensor) Call(args ...interface{}) (interface{}, error) {
	if len(args) < 4 {
		return nil, fmt.Errorf("_rebuild_tensor_v2 called with %d arguments, want at least 4", len(args))
	}
	st, ok := args[0].(*torchStorage)
	offset, ok2 := args[1].(int)
	size, ok3 := args[2].(*types.Tuple)
	stride, ok4 := args[3].(*types.Tuple)
	if !ok || !ok2 || !ok3 || !ok4 || size.Len() != stride.Len() {
		return nil, errors.New("_rebuild_tensor_v2: want (storage, int offset, size tuple, stride tuple of the same length, ...)")
	}
	shape := make([]int, size.Len())
	strides := make([]int, size.Len())
	for i := range shape {
		d, ok := size.Get(i).(int)
		s, ok2 := stride.Get(i).(int)
		if !ok || !ok2 || d < 0 || s < 0 {
			return nil, fmt.Errorf("_rebuild_tensor_v2: size %v, stride %v: want non-negative integers", *size, *stride)
		}
		shape[i], strides[i] = d, s
	}
	n, err := checkedElems(shape)
	if err != nil {
		return nil, fmt.Errorf("_rebuild_tensor_v2: %w", err)
	}
	numel := max(len(st.a.Float), len(st.a.Int))
	if n > numel {
		// Only a broadcast view (stride 0) has more elements than its
		// storage; refusing it keeps the output bounded by the input.
		return nil, fmt.Errorf("_rebuild_tensor_v2: size %v has %d elements, more than its storage of %d (an expanded view: save x.contiguous())", shape, n, numel)
	}
	if n > 0 {
		last := offset
		for i, d := range shape {
			if strides[i] > numel {
				return nil, fmt.Errorf("_rebuild_tensor_v2: stride %v exceeds the storage of %d elements", *stride, numel)
			}
			last += (d - 1) * strides[i]
		}
		if offset < 0 || last >= numel {
			return nil, fmt.Errorf("_rebuild_tensor_v2: offset %d, size %v, stride %v reach element %d of a storage of %d", offset, shape, strides, last, numel)
		}
	}
	out := Array{Shape: shape, DType: st.a.DType}
	src := make([]int, n)
	idx := make([]int, len(shape))
	for c := range src {
		p := offset
		for k, i := range idx {
			p += i * strides[k]
		}
		src[c] = p
		for k := len(shape) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	if st.a.Float != nil {
		out.Float = make([]float32, n)
		for c, p := range src {
			out.Float[c] = st.a.Float[p]
		}
	} else {
		out.Int = make([]int64, n)
		for c, p := range src {
			out.Int[c] = st.a.Int[p]
		}
	}
	return &torchTensor{a: out}, nil
}

// DecodeTorch is ReadTorch on the bytes of a file.
func DecodeTorch(b []byte) (arrays map[string]Array, err error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		if len(b) > 0 && b[0] == 0x80 { // a bare pickle: the legacy format starts with a pickled magic number
			return nil, errors.New("legacy (pre-1.6) torch.save format is not supported: re-save it with torch.save in PyTorch 1.6 or later (the default zip format)")
		}
		return nil, fmt.Errorf("not a torch.save zip archive (truncated or corrupt): %w", err)
	}
	members := map[string]*zip.File{}
	var pkl []string
	for _, f := range zr.File {
		members[f.Name] = f
		if f.Name == "data.pkl" || strings.HasSuffix(f.Name, "/data.pkl") {
			pkl = append(pkl, f.Name)
		}
	}
	if len(pkl) != 1 {
		return nil, fmt.Errorf("archive has %d data.pkl members, want 1 (TorchScript archives are not supported)", len(pkl))
	}
	prefix := strings.TrimSuffix(pkl[0], "data.pkl")
	order := binary.ByteOrder(binary.LittleEndian)
	if f, ok := members[prefix+"byteorder"]; ok {
		bo, err := readMember(f, 16)
		if err != nil {
			return nil, err
		}
		switch string(bo) {
		case "little":
		case "big":
			order = binary.BigEndian
		default:
			return nil, fmt.Errorf("byteorder member says %q, want little or big", bo)
		}
	}
	data, err := readMember(members[pkl[0]], torchMaxPickle)
	if err != nil {
		return nil, err
	}
	if err := scanPickle(data); err != nil {
		return nil, fmt.Errorf("%s: %w", pkl[0], err)
	}
	storages := map[string]*torchStorage{}
	u := pickle.NewUnpickler(bytes.NewReader(data))
	u.FindClass = func(module, name string) (interface{}, error) {
		if module == "torch._utils" && name == "_rebuild_tensor_v2" {
			return rebuildTensor{}, nil
		}
		if dt, ok := torchStorageDTypes[name]; ok && module == "torch" {
			return torchStorageType{dtype: dt}, nil
		}
		return nil, fmt.Errorf("the pickle names %s.%s: only tensors and dicts of tensors are read", module, name)
	}
	u.PersistentLoad = func(id interface{}) (interface{}, error) {
		t, ok := id.(*types.Tuple)
		if !ok || t.Len() != 5 || t.Get(0) != "storage" {
			return nil, fmt.Errorf("persistent id %v is not ('storage', type, key, location, numel)", id)
		}
		typ, ok := t.Get(1).(torchStorageType)
		key, ok2 := t.Get(2).(string)
		numel, ok3 := t.Get(4).(int)
		if !ok || !ok2 || !ok3 || numel < 0 || numel > arrayMaxElems {
			return nil, fmt.Errorf("persistent id %v is not ('storage', storage class, key, location, numel)", *t)
		}
		if s, ok := storages[key]; ok {
			return s, nil
		}
		f, ok := members[prefix+"data/"+key]
		if !ok {
			return nil, fmt.Errorf("storage %q: member %sdata/%s missing", key, prefix, key)
		}
		want := uint64(numel * elemSizes[typ.dtype])
		if f.UncompressedSize64 != want {
			return nil, fmt.Errorf("storage %q: member has %d bytes, %d elements of %s need %d", key, f.UncompressedSize64, numel, typ.dtype, want)
		}
		raw, err := readMember(f, want)
		if err != nil {
			return nil, err
		}
		a, err := decodeElems(typ.dtype, order, []int{numel}, raw)
		if err != nil {
			return nil, fmt.Errorf("storage %q: %w", key, err)
		}
		s := &torchStorage{a: a}
		storages[key] = s
		return s, nil
	}
	// The opcode scan bounds every length; this guards the third-party
	// unpickler against any remaining malformed-stack case.
	defer func() {
		if r := recover(); r != nil {
			arrays, err = nil, fmt.Errorf("%s: malformed pickle: %v", pkl[0], r)
		}
	}()
	obj, err := u.Load()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkl[0], err)
	}
	return torchArrays(obj)
}

// torchArrays turns the unpickled object into named arrays: a tensor, or
// a dict or OrderedDict of string keys to tensors.
func torchArrays(obj interface{}) (map[string]Array, error) {
	out := map[string]Array{}
	add := func(k, v interface{}) error {
		key, ok := k.(string)
		t, ok2 := v.(*torchTensor)
		if !ok || !ok2 {
			return fmt.Errorf("dict entry %v: want a string key and a tensor value, have %T and %T", k, k, v)
		}
		out[key] = t.a
		return nil
	}
	switch o := obj.(type) {
	case *torchTensor:
		out[""] = o.a
	case *types.Dict:
		for _, e := range *o {
			if err := add(e.Key, e.Value); err != nil {
				return nil, err
			}
		}
	case *types.OrderedDict:
		for k, e := range o.Map {
			if err := add(k, e.Value); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("the file holds a %T, want a tensor or a dict of tensors", obj)
	}
	if len(out) == 0 {
		return nil, errors.New("the file holds no tensors")
	}
	return out, nil
}

// readMember reads a zip member of at most limit bytes whole.
func readMember(f *zip.File, limit uint64) ([]byte, error) {
	if f.UncompressedSize64 > limit {
		return nil, fmt.Errorf("member %s declares %d bytes, more than %d", f.Name, f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("member %s: %w", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
	if err != nil {
		return nil, fmt.Errorf("member %s: %w", f.Name, err)
	}
	if uint64(len(b)) != f.UncompressedSize64 {
		return nil, fmt.Errorf("member %s has %d bytes, its header declares %d", f.Name, len(b), f.UncompressedSize64)
	}
	return b, nil
}

// pickleArgs gives, for every pickle opcode (protocols 0 to 5), how its
// argument is encoded: a fixed byte count, or one of the negative codes
// below. Opcodes missing from the table are refused.
var pickleArgs = func() map[byte]int {
	m := map[byte]int{}
	for _, op := range []byte("(.012abd}el]oRst)uQN\x88\x89\x85\x86\x87\x81\x92\x93\x94\x8f\x90\x91\x97\x98") {
		m[op] = 0
	}
	for _, op := range []byte("Khq\x80\x82") {
		m[op] = 1
	}
	for _, op := range []byte("M\x83") {
		m[op] = 2
	}
	for _, op := range []byte("Jjr\x84") {
		m[op] = 4
	}
	for _, op := range []byte("G") {
		m[op] = 8
	}
	for _, op := range []byte("UC\x8c\x8a") {
		m[op] = argLen1
	}
	for _, op := range []byte("TBX\x8b") {
		m[op] = argLen4
	}
	for _, op := range []byte("\x8d\x8e\x96\x95") {
		m[op] = argLen8
	}
	for _, op := range []byte("ILFSVPgp") {
		m[op] = argLine
	}
	for _, op := range []byte("ci") {
		m[op] = argTwoLines
	}
	return m
}()

// Argument encodings of pickleArgs beyond fixed sizes.
const (
	argLen1     = -1 // 1-byte length, then that many bytes
	argLen4     = -4 // 4-byte little-endian length, then that many bytes
	argLen8     = -8 // 8-byte little-endian length, then that many bytes (FRAME: the length only)
	argLine     = -10
	argTwoLines = -20
)

// scanPickle walks the opcodes of a pickle up to STOP and refuses unknown
// opcodes and any argument that runs past the end of the data.
func scanPickle(b []byte) error {
	i := 0
	need := func(n uint64) error {
		if n > uint64(len(b)-i) {
			return fmt.Errorf("opcode at byte %d needs %d bytes, %d remain (truncated or corrupt)", i, n, len(b)-i)
		}
		return nil
	}
	line := func() error {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return fmt.Errorf("unterminated line argument at byte %d", i)
		}
		i += j + 1
		return nil
	}
	for i < len(b) {
		op := b[i]
		kind, ok := pickleArgs[op]
		if !ok {
			return fmt.Errorf("unknown pickle opcode 0x%02x at byte %d", op, i)
		}
		i++
		if op == '.' {
			return nil
		}
		var err error
		switch kind {
		case argLen1, argLen4, argLen8:
			w := -kind
			if err = need(uint64(w)); err != nil {
				return err
			}
			var n uint64
			switch w {
			case 1:
				n = uint64(b[i])
			case 4:
				n = uint64(binary.LittleEndian.Uint32(b[i:]))
			default:
				n = binary.LittleEndian.Uint64(b[i:])
			}
			i += w
			if err = need(n); err != nil {
				return err
			}
			if op != 0x95 { // FRAME's bytes are the following opcodes
				i += int(n)
			}
		case argLine:
			err = line()
		case argTwoLines:
			if err = line(); err == nil {
				err = line()
			}
		default:
			if err = need(uint64(kind)); err == nil {
				i += kind
			}
		}
		if err != nil {
			return err
		}
	}
	return errors.New("pickle ends without a STOP opcode (truncated)")
}

// sortedKeys lists the keys of m in sorted order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
