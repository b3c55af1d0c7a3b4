package nn

import (
	"os"
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

func TestCheckpointRoundTrip(t *testing.T) {
	rng := newTestRNG(32)
	enc := NewCNNEncoder("e", []int{1, 4, 4}, []int{2}, 3, rng)
	ps, bs := enc.Params(), enc.Buffers()
	opt := NewSGD([]ParamGroup{{Params: ps, LR: 0.1}}, 0.9, false)
	// One training step gives non-trivial running statistics and momentum.
	y := enc.Forward(randTensor(rng, 1, 3, 1, 4, 4), true)
	enc.Backward(randTensor(rng, 1, y.Shape...))
	opt.Step()
	st := opt.SaveState()
	path := t.TempDir() + "/best.ckpt"
	if err := SaveCheckpoint(path, Capture(ps, bs), &st); err != nil {
		t.Fatal(err)
	}
	want := Capture(ps, bs)
	for _, p := range ps {
		Fill(p.Value, 0)
	}
	for _, b := range bs {
		Fill(b.Value, 0)
	}
	snap, ost, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := snap.Restore(ps, bs); err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if !slices.Equal(p.Value.Data, want.Params[p.Name].Data) {
			t.Errorf("parameter %s not restored", p.Name)
		}
	}
	for _, b := range bs {
		if !slices.Equal(b.Value.Data, want.Buffers[b.Name].Data) {
			t.Errorf("buffer %s not restored", b.Name)
		}
	}
	if ost == nil || ost.Kind != "sgd" || !slices.Equal(ost.Slots["e.conv0.weight"]["momentum_buffer"], st.Slots["e.conv0.weight"]["momentum_buffer"]) {
		t.Errorf("optimizer state not restored: %+v", ost)
	}
	if err := opt.LoadState(*ost); err != nil {
		t.Error(err)
	}
	// Errors name the file.
	bad := t.TempDir() + "/bad.ckpt"
	if err := os.WriteFile(bad, []byte("not a checkpoint"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadCheckpoint(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("garbage file: error %v, want one naming %s", err, bad)
	}
	if err := SaveCheckpoint(t.TempDir()+"/missing/dir/x.ckpt", want, nil); err == nil || !strings.Contains(err.Error(), "x.ckpt") {
		t.Errorf("unwritable path: error %v", err)
	}
}
