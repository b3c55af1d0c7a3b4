package rngs

import "testing"

func TestStream(t *testing.T) {
	a, b := Stream(1, "x").Uint64(), Stream(1, "x").Uint64()
	if a != b {
		t.Errorf("same seed and purpose gave %d and %d", a, b)
	}
	if Stream(1, "y").Uint64() == a || Stream(2, "x").Uint64() == a {
		t.Error("another purpose or seed gave the same first number")
	}
}
