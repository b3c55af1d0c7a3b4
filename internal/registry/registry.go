// Package registry is a concurrency-safe name -> value table for things
// that register themselves in init functions (methods, datasets).
package registry

import (
	"fmt"
	"sort"
	"sync"
)

// Registry maps names to values of type T. The zero value is not usable;
// call New.
type Registry[T any] struct {
	kind string // "method", "dataset": used in error messages
	mu   sync.RWMutex
	m    map[string]T
}

// New returns an empty registry of things of the given kind.
func New[T any](kind string) *Registry[T] {
	return &Registry[T]{kind: kind, m: map[string]T{}}
}

// Add registers v under name; it panics on a duplicate or empty name, a
// programming error in an init function.
func (r *Registry[T]) Add(name string, v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "" {
		panic("registry: " + r.kind + " without a name")
	}
	if _, dup := r.m[name]; dup {
		panic("registry: duplicate " + r.kind + " " + name)
	}
	r.m[name] = v
}

// Lookup returns the value registered under name, or an error naming the
// valid choices.
func (r *Registry[T]) Lookup(name string) (T, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v, ok := r.m[name]
	if !ok {
		var zero T
		return zero, fmt.Errorf("unknown %s %q (valid: %v)", r.kind, name, r.namesLocked())
	}
	return v, nil
}

// Names lists the registered names in sorted order.
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.namesLocked()
}

func (r *Registry[T]) namesLocked() []string {
	names := make([]string, 0, len(r.m))
	for n := range r.m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
