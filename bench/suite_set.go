package bench

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// applySet applies one --set override "key=value" to the suite's YAML tree
// before it is decoded, so the value is type-checked like one written in the
// file. The key is a dotted path of suite keys; list entries are addressed
// by index (datasets.0.root). Shorthands:
//
//	dataset.KEY             sets KEY in every dataset entry (dataset.root=/data)
//	datasets.NAME.KEY       the dataset entries named NAME
//	methods.NAME.KEY        the method entries named or labelled NAME; a KEY
//	                        that is not an entry key (name, label, params,
//	                        train, model) is a hyperparameter: methods.ogm-ge.alpha=0.5
//
// The value is YAML: 5 is a number, [0.3, 0.8] a list (a grid axis for a
// hyperparameter), anything else a string.
func applySet(root *yaml.Node, kv string, origins map[*yaml.Node]string) error {
	where := "--set " + kv
	fail := func(format string, args ...any) error {
		return &ConfigError{Pos: Pos{File: where}, Msg: fmt.Sprintf(format, args...)}
	}
	key, value, ok := strings.Cut(kv, "=")
	if !ok || key == "" {
		return fail("want key=value")
	}
	val, err := parseSetValue(value)
	if err != nil {
		return fail("value: %v", err)
	}
	mark(val, where, origins)
	if root.Kind != yaml.MappingNode {
		return fail("the suite is not a mapping")
	}
	segs := strings.Split(key, ".")
	suiteT := reflect.TypeFor[Suite]()
	switch segs[0] {
	case "dataset", "datasets", "methods":
		list := segs[0]
		if list == "dataset" {
			list = "datasets"
		}
		seq := child(root, list)
		if seq == nil || seq.Kind != yaml.SequenceNode || len(seq.Content) == 0 {
			return fail("the suite has no %s to set", list)
		}
		entryT := reflect.TypeFor[SuiteDataset]()
		if list == "methods" {
			entryT = reflect.TypeFor[SuiteMethod]()
		}
		rest := segs[1:]
		var targets []*yaml.Node
		if segs[0] == "dataset" {
			targets = seq.Content
		} else {
			if len(rest) < 2 {
				return fail("want %s.INDEX|NAME.KEY", list)
			}
			sel := rest[0]
			rest = rest[1:]
			if i, err := strconv.Atoi(sel); err == nil {
				if i < 0 || i >= len(seq.Content) {
					return fail("%s index %d out of range (the suite has %d)", list, i, len(seq.Content))
				}
				targets = []*yaml.Node{seq.Content[i]}
			} else {
				var names []string
				for _, e := range seq.Content {
					n, l := scalarAt(e, "name"), scalarAt(e, "label")
					if n == sel || l == sel {
						targets = append(targets, e)
					}
					if l != "" {
						names = append(names, l)
					} else {
						names = append(names, n)
					}
				}
				if len(targets) == 0 {
					return fail("no %s entry named %q (the suite's: %s)", list, sel, strings.Join(names, ", "))
				}
			}
		}
		if len(rest) == 0 {
			return fail("want a key after %q", strings.Join(segs[:len(segs)-len(rest)], "."))
		}
		if list == "methods" {
			if idx, _ := fieldsOf(entryT); !hasField(idx, rest[0]) {
				rest = append([]string{"params"}, rest...)
			}
		}
		for _, e := range targets {
			if err := setPath(e, entryT, rest, val, list); err != nil {
				return fail("%v", err)
			}
		}
		markNew(root, where, origins)
		return nil
	}
	if err := setPath(root, suiteT, segs, val, ""); err != nil {
		return fail("%v", err)
	}
	markNew(root, where, origins)
	return nil
}

// markNew attributes the nodes a --set created (they have no line) to it.
func markNew(n *yaml.Node, where string, origins map[*yaml.Node]string) {
	if n.Line == 0 {
		if _, ok := origins[n]; !ok {
			origins[n] = where
		}
	}
	for _, c := range n.Content {
		markNew(c, where, origins)
	}
}

func hasField(idx map[string]int, k string) bool { _, ok := idx[k]; return ok }

func parseSetValue(s string) (*yaml.Node, error) {
	if strings.TrimSpace(s) == "" {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}, nil
	}
	return doc.Content[0], nil
}

func mark(n *yaml.Node, where string, origins map[*yaml.Node]string) {
	origins[n] = where
	for _, c := range n.Content {
		mark(c, where, origins)
	}
}

// child returns the value of key in mapping n, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalarAt(n *yaml.Node, key string) string {
	if c := child(n, key); c != nil && c.Kind == yaml.ScalarNode {
		return c.Value
	}
	return ""
}

// setPath sets segs under n, whose Go type is t, to val, creating mappings
// on the way; keys are checked against t so that a typo lists the valid keys.
func setPath(n *yaml.Node, t reflect.Type, segs []string, val *yaml.Node, done string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	seg := segs[0]
	here := join(done, seg)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	}
	var elemT reflect.Type
	switch t.Kind() {
	case reflect.Struct:
		idx, names := fieldsOf(t)
		fi, ok := idx[seg]
		if !ok {
			return fmt.Errorf("unknown key %q (valid: %s)", here, strings.Join(names, ", "))
		}
		elemT = t.Field(fi).Type
		if elemT == overrideType {
			switch seg {
			case "train":
				elemT = reflect.TypeFor[TrainSpec]()
			case "model":
				elemT = reflect.TypeFor[ModelSpec]()
			}
		}
	case reflect.Map:
		elemT = t.Elem()
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return fmt.Errorf("key %q: not a list in the suite", done)
		}
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(n.Content) {
			return fmt.Errorf("key %q: want an index in 0..%d", here, len(n.Content)-1)
		}
		if len(segs) == 1 {
			n.Content[i] = val
			return nil
		}
		return setPath(n.Content[i], t.Elem(), segs[1:], val, here)
	default:
		return fmt.Errorf("key %q: %s is a value, it has no key %q", here, done, seg)
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("key %q: %s is not a mapping in the suite", here, done)
	}
	c := child(n, seg)
	if len(segs) == 1 {
		if c != nil {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg {
					n.Content[i+1] = val
				}
			}
			return nil
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg}, val)
		return nil
	}
	if c == nil {
		c = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg}, c)
	}
	return setPath(c, elemT, segs[1:], val, here)
}
