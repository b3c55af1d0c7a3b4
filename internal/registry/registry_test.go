package registry

import (
	"reflect"
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	r := New[int]("widget")
	r.Add("b", 2)
	r.Add("a", 1)
	if got := r.Names(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Names = %v, want [a b]", got)
	}
	if v, err := r.Lookup("b"); err != nil || v != 2 {
		t.Errorf("Lookup(b) = %v, %v; want 2, nil", v, err)
	}
	_, err := r.Lookup("c")
	if err == nil || !strings.Contains(err.Error(), `unknown widget "c" (valid: [a b])`) {
		t.Errorf("Lookup(c) error = %v, want it to name the valid choices", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("duplicate Add did not panic")
		}
	}()
	r.Add("a", 3)
}
