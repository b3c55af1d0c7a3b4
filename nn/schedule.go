package nn

import "math"

// ConstantLR keeps the base learning rate.
type ConstantLR struct{}

// Scale returns 1.
func (ConstantLR) Scale(epoch int) float64 { return 1 }

// StepLR multiplies the learning rate by Gamma every StepSize epochs, as
// PyTorch's StepLR stepped once per epoch: Gamma^(epoch / StepSize).
type StepLR struct {
	StepSize int
	Gamma    float64
}

// Scale returns Gamma^⌊epoch/StepSize⌋ (1 when StepSize <= 0).
func (s StepLR) Scale(epoch int) float64 {
	if s.StepSize <= 0 {
		return 1
	}
	return math.Pow(s.Gamma, float64(epoch/s.StepSize))
}

// MultiStepLR multiplies the learning rate by Gamma at each milestone epoch,
// as PyTorch's MultiStepLR stepped once per epoch.
type MultiStepLR struct {
	Milestones []int
	Gamma      float64
}

// Scale returns Gamma to the number of milestones <= epoch.
func (s MultiStepLR) Scale(epoch int) float64 {
	k := 0
	for _, m := range s.Milestones {
		if m <= epoch {
			k++
		}
	}
	return math.Pow(s.Gamma, float64(k))
}

// CosineLR anneals the multiplier from 1 at epoch 0 to MinScale at epoch
// Epochs along half a cosine (PyTorch's CosineAnnealingLR with T_max = Epochs
// and eta_min = MinScale·base), and stays at MinScale afterwards.
type CosineLR struct {
	Epochs   int
	MinScale float64
}

// Scale returns MinScale + (1-MinScale)(1+cos(π·epoch/Epochs))/2.
func (s CosineLR) Scale(epoch int) float64 {
	if s.Epochs <= 0 || epoch >= s.Epochs {
		if s.Epochs <= 0 {
			return 1
		}
		return s.MinScale
	}
	return s.MinScale + (1-s.MinScale)*(1+math.Cos(math.Pi*float64(epoch)/float64(s.Epochs)))/2
}

// LinearWarmup ramps the multiplier linearly to 1 over the first Epochs
// epochs, (epoch+1)/Epochs, then follows Then (constant when nil) counted
// from the end of the warm-up: Then.Scale(epoch - Epochs).
type LinearWarmup struct {
	Epochs int
	Then   Schedule
}

// Scale returns the warm-up fraction, or Then's multiplier after it.
func (s LinearWarmup) Scale(epoch int) float64 {
	if epoch < s.Epochs {
		return float64(epoch+1) / float64(s.Epochs)
	}
	if s.Then == nil {
		return 1
	}
	return s.Then.Scale(epoch - s.Epochs)
}
