package bench

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Pos is a place in a suite: a file and line, or a --set override.
type Pos struct {
	File string // file name, "builtin:NAME", or "--set key=value"
	Line int    // 1-based; 0 for --set overrides
}

// String formats p as "file:line" (or the override text).
func (p Pos) String() string {
	if p.Line <= 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Positions maps a suite entry's keys to where they were written: "" is the
// entry itself, "name" its name key, "params.alpha" a nested key.
type Positions map[string]Pos

// Override is a partial mapping (a method's own train or model settings)
// applied on top of the suite-level settings when the suite is parsed.
type Override struct {
	node *yaml.Node
}

// IsZero reports whether no override was given.
func (o Override) IsZero() bool { return o.node == nil }

// ConfigError is a suite or plan error: it exits the CLI with status 2.
type ConfigError struct {
	Pos Pos
	Key string // dotted key path, e.g. "train.epochs"
	Msg string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.Pos.File != "" {
		b.WriteString(e.Pos.String())
		b.WriteString(": ")
	}
	if e.Key != "" {
		fmt.Fprintf(&b, "key %q: ", e.Key)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// decoder decodes yaml nodes into Go values strictly: every mapping key must
// name a field (by its json tag), every scalar must have the field's type.
type decoder struct {
	file    string
	origins map[*yaml.Node]string // nodes created by --set
}

func (d *decoder) pos(n *yaml.Node) Pos {
	if o, ok := d.origins[n]; ok {
		return Pos{File: o}
	}
	return Pos{File: d.file, Line: n.Line}
}

// pairPos is where a key's value was given: the --set that replaced the
// value, or the key's line.
func (d *decoder) pairPos(k, v *yaml.Node) Pos {
	if _, ok := d.origins[v]; ok {
		return d.pos(v)
	}
	return d.pos(k)
}

func (d *decoder) errorf(n *yaml.Node, key, format string, args ...any) error {
	return &ConfigError{Pos: d.pos(n), Key: key, Msg: fmt.Sprintf(format, args...)}
}

var (
	positionsType = reflect.TypeFor[Positions]()
	overrideType  = reflect.TypeFor[Override]()
)

// fieldsOf returns the yaml-settable fields of struct type t by json name,
// and the names in declaration order.
func fieldsOf(t reflect.Type) (map[string]int, []string) {
	idx := map[string]int{}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || name == "" {
			continue
		}
		idx[name] = i
		names = append(names, name)
	}
	return idx, names
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decode decodes n into v (which must be settable). Struct fields keep their
// current values where the mapping does not set them, so decoding a partial
// mapping onto a copy of defaults overrides only what it names.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, at Positions, atPrefix string) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil // key present without a value: keep the default
	}
	if v.Type() == overrideType {
		if n.Kind != yaml.MappingNode {
			return d.errorf(n, path, "want a mapping, got %s", describe(n))
		}
		v.Set(reflect.ValueOf(Override{node: n}))
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.decode(n, v.Elem(), path, at, atPrefix)
	case reflect.Struct:
		return d.decodeStruct(n, v, path)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return d.errorf(n, path, "want a mapping, got %s", describe(n))
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			key := k.Value
			if seen[key] {
				return d.errorf(k, join(path, key), "duplicate key")
			}
			seen[key] = true
			if at != nil {
				at[join(atPrefix, key)] = d.pairPos(k, val)
			}
			elem := reflect.New(v.Type().Elem()).Elem()
			if old := v.MapIndex(reflect.ValueOf(key)); old.IsValid() {
				elem.Set(old)
				elem = cloneValue(elem)
			}
			if err := d.decode(val, elem, join(path, key), nil, ""); err != nil {
				return err
			}
			v.SetMapIndex(reflect.ValueOf(key), elem)
		}
		return nil
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return d.errorf(n, path, "want a list, got %s", describe(n))
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, e := range n.Content {
			if err := d.decode(e, s.Index(i), fmt.Sprintf("%s.%d", path, i), nil, ""); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			return d.errorf(n, path, "%v", err)
		}
		if err := checkParamValue(x); err != nil {
			return d.errorf(n, path, "%v", err)
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	}
	return d.decodeScalar(n, v, path)
}

// checkParamValue accepts scalars, lists of scalars (a grid axis or a
// list-valued parameter), per-modality values (a list of scalars, a
// mapping of modality names to scalars, a list of one-entry mappings) and
// lists of those (a grid over a per-modality hyperparameter); nothing
// deeper. Whether a shape fits the parameter is checked when it is
// resolved against the method's declaration.
func checkParamValue(x any) error {
	return checkNested(x, 0)
}

// maxParamDepth is the deepest nesting checkParamValue accepts: a grid
// axis of ordered per-modality values, [[{audio: 5}, {visual: 5}], ...].
const maxParamDepth = 3

func checkNested(x any, depth int) error {
	var items []any
	switch t := x.(type) {
	case []any:
		items = t
	case map[string]any:
		for _, v := range t {
			items = append(items, v)
		}
	default:
		return nil
	}
	if depth == maxParamDepth {
		return fmt.Errorf("want a value, a list of values or a per-modality list, got lists or mappings nested more than %d deep", maxParamDepth)
	}
	for _, e := range items {
		if err := checkNested(e, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind != yaml.MappingNode {
		return d.errorf(n, path, "want a mapping, got %s", describe(n))
	}
	t := v.Type()
	idx, names := fieldsOf(t)
	var at Positions
	for i := range t.NumField() {
		if t.Field(i).Type == positionsType {
			at = Positions{"": d.pos(n)}
			v.Field(i).Set(reflect.ValueOf(at))
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		fi, ok := idx[key]
		if !ok {
			return d.errorf(k, join(path, key), "unknown key (valid: %s)", strings.Join(names, ", "))
		}
		if seen[key] {
			return d.errorf(k, join(path, key), "duplicate key")
		}
		seen[key] = true
		if at != nil {
			at[key] = d.pairPos(k, val)
		}
		if err := d.decode(val, v.Field(fi), join(path, key), at, key); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind != yaml.ScalarNode {
		return d.errorf(n, path, "want %s, got %s", kindName(v.Kind()), describe(n))
	}
	ok := true
	switch v.Kind() {
	case reflect.String:
		ok = n.Tag == "!!str" || n.Tag == "!!int" || n.Tag == "!!float"
	case reflect.Bool:
		ok = n.Tag == "!!bool"
	case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Uint:
		ok = n.Tag == "!!int"
	case reflect.Float64, reflect.Float32:
		ok = n.Tag == "!!int" || n.Tag == "!!float"
	}
	if ok {
		p := reflect.New(v.Type())
		if err := n.Decode(p.Interface()); err == nil {
			v.Set(p.Elem())
			return nil
		}
	}
	return d.errorf(n, path, "want %s, got %q", kindName(v.Kind()), n.Value)
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	}
	return k.String()
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "an alias"
}

// cloneValue returns a deep copy of maps and slices inside v, so decoding an
// override onto it does not change the original.
func cloneValue(v reflect.Value) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	switch v.Kind() {
	case reflect.Map:
		if v.IsNil() {
			return out
		}
		out.Set(reflect.MakeMapWithSize(v.Type(), v.Len()))
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			out.SetMapIndex(k, cloneValue(v.MapIndex(k)))
		}
	case reflect.Slice:
		if v.IsNil() {
			return out
		}
		out.Set(reflect.MakeSlice(v.Type(), v.Len(), v.Len()))
		for i := range v.Len() {
			out.Index(i).Set(cloneValue(v.Index(i)))
		}
	case reflect.Struct:
		out.Set(v)
		for i := range v.NumField() {
			if out.Field(i).CanSet() {
				out.Field(i).Set(cloneValue(v.Field(i)))
			}
		}
	case reflect.Interface:
		if !v.IsNil() {
			out.Set(cloneValue(v.Elem()))
		}
	default:
		out.Set(v)
	}
	return out
}
