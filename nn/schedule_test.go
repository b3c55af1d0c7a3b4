package nn

import (
	"math"
	"testing"
)

func TestSchedules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		s     Schedule
		epoch int
		want  float64
	}{
		{"constant", ConstantLR{}, 99, 1},
		{"step before first boundary", StepLR{StepSize: 70, Gamma: 0.1}, 69, 1},
		{"step at first boundary", StepLR{StepSize: 70, Gamma: 0.1}, 70, 0.1},
		{"step before second boundary", StepLR{StepSize: 70, Gamma: 0.1}, 139, 0.1},
		{"step at second boundary", StepLR{StepSize: 70, Gamma: 0.1}, 140, 0.01},
		{"multistep before", MultiStepLR{Milestones: []int{30, 80}, Gamma: 0.5}, 29, 1},
		{"multistep first", MultiStepLR{Milestones: []int{30, 80}, Gamma: 0.5}, 30, 0.5},
		{"multistep second", MultiStepLR{Milestones: []int{30, 80}, Gamma: 0.5}, 80, 0.25},
		{"cosine start", CosineLR{Epochs: 10, MinScale: 0.1}, 0, 1},
		{"cosine middle", CosineLR{Epochs: 10, MinScale: 0.1}, 5, 0.55},
		{"cosine quarter", CosineLR{Epochs: 12, MinScale: 0}, 4, 0.75},
		{"cosine end", CosineLR{Epochs: 10, MinScale: 0.1}, 10, 0.1},
		{"cosine after", CosineLR{Epochs: 10, MinScale: 0.1}, 15, 0.1},
		{"warmup first", LinearWarmup{Epochs: 4}, 0, 0.25},
		{"warmup last", LinearWarmup{Epochs: 4}, 3, 1},
		{"warmup then step", LinearWarmup{Epochs: 4, Then: StepLR{StepSize: 2, Gamma: 0.1}}, 6, 0.1},
		{"warmup then step start", LinearWarmup{Epochs: 4, Then: StepLR{StepSize: 2, Gamma: 0.1}}, 4, 1},
	} {
		if got := tc.s.Scale(tc.epoch); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: Scale(%d) = %g, want %g", tc.name, tc.epoch, got, tc.want)
		}
	}
}
