package pmr

import (
	"github.com/miebench/miebench/methods/methodtest"
	"math"
	"strings"
	"testing"

	"github.com/miebench/miebench/methods"
	"github.com/miebench/miebench/nn"
)

// pmrTestLoop serves one fixed batch as the whole training set.
type pmrTestLoop struct {
	methodtest.LoopStub
	b     *methods.Batch
	calls []int
}

func (l *pmrTestLoop) TrainBatches(max int, fn func(b *methods.Batch) error) error {
	l.calls = append(l.calls, max)
	return fn(l.b)
}
func (l *pmrTestLoop) RestoreBest() bool { return false }
func (l *pmrTestLoop) ResetOptimizer()   {}

func TestPMRStartEpochPrototypes(t *testing.T) {
	p := &PMR{Alpha: 2, End: 70, ProtoDivisor: 10}
	r, b, _ := methodtest.TwoModalityRun(t, "concat", "mlp", p.Setup)
	loop := &pmrTestLoop{b: b}
	r.Loop = loop
	r.BatchesPerEpoch = 25
	if err := p.StartEpoch(r, 0); err != nil {
		t.Fatal(err)
	}
	if len(loop.calls) != 1 || loop.calls[0] != 2 {
		t.Fatalf("prototype batches requested %v, want [2] (25/10)", loop.calls)
	}
	out := methods.Forward(r, b, false)
	for m, z := range out.Z {
		// Labels 0,1,2,0,1,2: class k's prototype is the mean of rows k and k+3.
		for k := range 3 {
			for j := range z.RowLen() {
				want := (z.Row(k)[j] + z.Row(k + 3)[j]) / 2
				if got := p.protos[m].Row(k)[j]; math.Abs(float64(got-want)) > 1e-6 {
					t.Fatalf("modality %d class %d prototype[%d] = %v, want %v", m, k, j, got, want)
				}
			}
		}
	}
	r.BatchesPerEpoch = 5
	if err := p.StartEpoch(r, 1); err != nil {
		t.Fatal(err)
	}
	if loop.calls[1] != 1 {
		t.Fatalf("with 5 batches per epoch %d prototype batches, want 1", loop.calls[1])
	}
}

func TestPMRStepAddsPrototypeTermToSlowerModality(t *testing.T) {
	for _, fusion := range []string{"concat", "film"} {
		p := &PMR{Alpha: 2, End: 70, ProtoDivisor: 10}
		r, b, logs := methodtest.TwoModalityRun(t, fusion, "mlp", p.Setup)
		r.Loop = &pmrTestLoop{b: b}
		if err := p.StartEpoch(r, 0); err != nil {
			t.Fatal(err)
		}
		// Prototypes from the features before training, perturbed so that the
		// prototype classifiers are not trivially fitted to this very batch.
		for _, c := range p.protos {
			for i := range c.Data {
				c.Data[i] *= 0.5
			}
		}
		if _, err := (methods.Base{}).Step(r, b); err != nil {
			t.Fatal(err)
		}
		joint := methodtest.Grads(r)

		// The expected extra gradient, by hand: alpha * dCE_proto/dz of the
		// slower modality pushed through its encoder alone.
		out := methods.Forward(r, b, true)
		var s [2]float64
		var dz [2]*nn.Tensor
		for m := range 2 {
			_, s[m], dz[m] = pmrProtoCE(out.Z[m], p.protos[m], b.Y)
		}
		slow := 1 // rho = s_a/s_v > 1: visual gets the term
		if s[0] < s[1] {
			slow = 0
		}
		if s[0] == s[1] {
			t.Fatalf("%s: tied scores; pick another batch", fusion)
		}
		r.Opt.ZeroGrad()
		nn.Scale(2, dz[slow])
		methods.EncodeBackward(r, slow, dz[slow])
		extra := methodtest.Grads(r)

		if _, err := p.Step(r, b); err != nil {
			t.Fatal(err)
		}
		got := methodtest.Grads(r)
		for _, prm := range r.Model.Params() {
			for i, g := range got[prm.Name] {
				want := joint[prm.Name][i]
				if strings.HasPrefix(prm.Name, "enc.") && methodtest.VisualIndex(prm.Name) == slow {
					want += extra[prm.Name][i]
				}
				if math.Abs(float64(g-want)) > 1e-5 {
					t.Fatalf("%s: %s[%d] = %v, want %v (slow modality %d)", fusion, prm.Name, i, g, want, slow)
				}
			}
		}
		mods := []string{"audio", "visual"}
		if logs["proto_coeff_"+mods[slow]] != 2 || logs["proto_coeff_"+mods[1-slow]] != 0 {
			t.Fatalf("%s: logged coefficients %v", fusion, logs)
		}
		if math.Abs(logs["rho"]-s[0]/s[1]) > 1e-9 {
			t.Fatalf("%s: logged rho %v, want %v", fusion, logs["rho"], s[0]/s[1])
		}
	}
}

func TestPMRStepOutsideWindowIsJoint(t *testing.T) {
	p := &PMR{Alpha: 2, Start: 1, End: 3, ProtoDivisor: 10}
	r, b, _ := methodtest.TwoModalityRun(t, "sum", "mlp", p.Setup)
	r.Loop = &pmrTestLoop{b: b}
	if err := p.StartEpoch(r, 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range p.protos {
		nn.Scale(0.5, c)
	}
	if _, err := (methods.Base{}).Step(r, b); err != nil {
		t.Fatal(err)
	}
	joint := methodtest.Grads(r)
	if _, err := p.Step(r, b); err != nil {
		t.Fatal(err)
	}
	for name, g := range methodtest.Grads(r) {
		for i := range g {
			if g[i] != joint[name][i] {
				t.Fatalf("epoch 0 outside window [1, 3]: %s differs from joint training", name)
			}
		}
	}
}

func TestPMRMomentumStartsAtEpochTwo(t *testing.T) {
	p := &PMR{Alpha: 2, End: 70, ProtoDivisor: 10, Momentum: 0.5}
	r, b, _ := methodtest.TwoModalityRun(t, "concat", "mlp", p.Setup)
	r.Loop = &pmrTestLoop{b: b}
	if err := p.StartEpoch(r, 0); err != nil {
		t.Fatal(err)
	}
	fresh := p.protos[0].Clone()
	for epoch, wantOldShare := range []float64{0, 0, 0.5} {
		if epoch == 0 {
			continue
		}
		// Pretend the previous prototypes were zero: the new ones are then
		// (1 - share) times the fresh class means.
		for _, c := range p.protos {
			c.Zero()
		}
		if err := p.StartEpoch(r, epoch); err != nil {
			t.Fatal(err)
		}
		for i, v := range p.protos[0].Data {
			if want := float32((1 - wantOldShare) * float64(fresh.Data[i])); math.Abs(float64(v-want)) > 1e-6 {
				t.Fatalf("epoch %d: prototype[%d] = %v, want %v", epoch, i, v, want)
			}
		}
	}
}

func TestPMRStepEntropySwitchActsOnLeader(t *testing.T) {
	p := &PMR{Alpha: 0, End: 70, ProtoDivisor: 10, EntropyWeight: 0.5, EntropyEpochs: 1}
	r, b, logs := methodtest.TwoModalityRun(t, "concat", "mlp", p.Setup)
	r.Loop = &pmrTestLoop{b: b}
	if err := p.StartEpoch(r, 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range p.protos {
		nn.Scale(0.5, c)
	}
	if _, err := (methods.Base{}).Step(r, b); err != nil {
		t.Fatal(err)
	}
	joint := methodtest.Grads(r)
	// By hand: -0.5 * dH/dz of the leading modality through its encoder.
	out := methods.Forward(r, b, true)
	var s [2]float64
	for m := range 2 {
		_, s[m], _ = pmrProtoCE(out.Z[m], p.protos[m], b.Y)
	}
	lead := 0
	if s[1] > s[0] {
		lead = 1
	}
	_, dh := pmrProtoEntropy(out.Z[lead], p.protos[lead])
	r.Opt.ZeroGrad()
	nn.Scale(-0.5, dh)
	methods.EncodeBackward(r, lead, dh)
	extra := methodtest.Grads(r)
	for _, epoch := range []int{0, 1} {
		r.Epoch = epoch
		if _, err := p.Step(r, b); err != nil {
			t.Fatal(err)
		}
		for _, prm := range r.Model.Params() {
			for i, g := range prm.Grad.Data {
				want := joint[prm.Name][i]
				if epoch == 0 && strings.HasPrefix(prm.Name, "enc.") && methodtest.VisualIndex(prm.Name) == lead {
					want += extra[prm.Name][i]
				}
				if math.Abs(float64(g-want)) > 1e-5 {
					t.Fatalf("epoch %d: %s[%d] = %v, want %v (leader %d)", epoch, prm.Name, i, g, want, lead)
				}
			}
		}
	}
	if _, ok := logs[[]string{"proto_entropy_audio", "proto_entropy_visual"}[lead]]; !ok {
		t.Fatalf("no proto_entropy log for the leader: %v", logs)
	}
}
