package relearning

import (
	"math"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/methods/methodtest"
)

// splitLoop serves the same fixed batch as the train and val split.
type splitLoop struct {
	methodtest.LoopStub
	b *methods.Batch
}

func (l splitLoop) EvalBatches(_ string, fn func(*methods.Batch) error) error { return fn(l.b) }

// TestReinitMixesTowardInit: a re-initialisation sets every encoder
// parameter to alpha theta_init + (1 - alpha) theta with the alpha it
// logs (0 here: train and val features are the same, so the gap is 0, for
// both modalities), leaves the fusion head alone, and happens only after
// epochs e mod reinit_epoch = 0, e > 0, at most reinit_num times.
func TestReinitMixesTowardInit(t *testing.T) {
	rl := &Relearning{Lambda: 3, Every: 2, Times: 1, KInit: 2, KIter: 50}
	b := methodtest.RandomBatch(2, 12, 3)
	r := methodtest.MLPRun(t, rl, []int{4, 4}, 0.1, splitLoop{b: b})
	logs := map[string]float64{}
	r.Log = func(name string, v float64) { logs[name] = v }
	init, _ := r.Saved("init")
	// Move every parameter away from its initial value.
	for _, p := range r.Model.Params() {
		for i := range p.Value.Data {
			p.Value.Data[i] += 1
		}
	}
	for _, e := range []int{0, 1, 2} { // epochs 0 and 1 follow no diagnosis epoch
		if err := rl.StartEpoch(r, e); err != nil {
			t.Fatal(err)
		}
	}
	if len(logs) != 0 {
		t.Fatalf("logged %v before the first diagnosis epoch ended", logs)
	}
	if err := rl.StartEpoch(r, 3); err != nil {
		t.Fatal(err)
	}
	for _, mod := range r.Model.Modalities {
		if a := logs["alpha_"+mod]; a != 0 || logs["purity_train_"+mod] != logs["purity_val_"+mod] {
			t.Errorf("%s: alpha %v with equal train and val features, want 0", mod, a)
		}
	}
	// alpha 0: theta stays at theta_init + 1.
	for _, p := range r.Model.Params() {
		for i, v := range p.Value.Data {
			if d := float64(v - init.Params[p.Name].Data[i]); math.Abs(d-1) > 1e-6 {
				t.Fatalf("%s[%d]: theta - theta_init = %v after alpha 0, want 1", p.Name, i, d)
			}
		}
	}
	clear(logs)
	if err := rl.StartEpoch(r, 5); err != nil { // reinit_num 1 is used up
		t.Fatal(err)
	}
	if len(logs) != 0 {
		t.Errorf("a second re-initialisation with reinit_num 1: logged %v", logs)
	}
}
