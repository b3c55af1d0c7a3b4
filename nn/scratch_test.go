package nn

import "testing"

// TestScratchReuse: getScratch hands back the smallest kept buffer that
// fits, allocates when none does, and putScratch keeps at most
// MaxFreeScratch buffers, dropping the smallest.
func TestScratchReuse(t *testing.T) {
	scratch.free = nil
	defer func() { scratch.free = nil }()
	a, b := getScratch(100), getScratch(1000)
	putScratch(a)
	putScratch(b)
	if got := getScratch(50); got != a || len(*got) != 50 {
		t.Errorf("getScratch(50) did not reuse the 100-element buffer (len %d)", len(*got))
	}
	if got := getScratch(500); got != b {
		t.Error("getScratch(500) did not reuse the 1000-element buffer")
	}
	if got := getScratch(2000); got == a || got == b || len(*got) != 2000 {
		t.Error("getScratch(2000) reused a buffer too small for it")
	}
	scratch.free = nil
	for i := range MaxFreeScratch + 2 {
		s := make([]float32, 10*(i+1))
		putScratch(&s)
	}
	if len(scratch.free) != MaxFreeScratch {
		t.Fatalf("%d buffers kept, want %d", len(scratch.free), MaxFreeScratch)
	}
	for _, p := range scratch.free {
		if cap(*p) < 10*3 {
			t.Errorf("kept a %d-element buffer, want the smallest dropped", cap(*p))
		}
	}
}
