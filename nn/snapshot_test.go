package nn

import (
	"slices"
	"strings"
	"testing"
)

func TestSnapshotRestore(t *testing.T) {
	rng := newTestRNG(31)
	enc := NewMLPEncoder("e", 3, []int{4}, 2, rng)
	ps := enc.Params()
	buf := &Buffer{Name: "e.stat", Value: FromSlice([]float32{1, 2}, 2)}
	s := Capture(ps, []*Buffer{buf})
	want := ps[0].Value.Clone()
	Fill(ps[0].Value, 7)
	buf.Value.Data[1] = 9
	if err := s.Restore(ps, []*Buffer{buf}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ps[0].Value.Data, want.Data) || buf.Value.Data[1] != 2 {
		t.Errorf("restore did not bring back the captured values")
	}
	// A snapshot is a deep copy: changing the model does not change it.
	Fill(ps[0].Value, 3)
	if s.Params[ps[0].Name].Data[0] == 3 {
		t.Error("snapshot aliases the parameter")
	}
	other := NewParam("e.fc0.weight", 5, 3)
	err := s.Restore([]*Param{other}, nil)
	if err == nil || !strings.Contains(err.Error(), "e.fc0.weight") {
		t.Errorf("shape mismatch: error %v, want one naming e.fc0.weight", err)
	}
	if err := s.Restore([]*Param{NewParam("missing", 1)}, nil); err == nil {
		t.Error("missing parameter restored without error")
	}
}
