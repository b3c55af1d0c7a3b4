package nn

import (
	"math"
	"math/rand/v2"
)

// XavierNormal fills t with draws from N(0, 2/(fanIn+fanOut)), PyTorch's
// xavier_normal_ with gain 1.
func XavierNormal(t *Tensor, fanIn, fanOut int, rng *rand.Rand) {
	normal(t, math.Sqrt(2/float64(fanIn+fanOut)), rng)
}

// KaimingNormalFanOut fills t with draws from N(0, 2/fanOut), PyTorch's
// kaiming_normal_(mode="fan_out", nonlinearity="relu"); for a convolution
// weight [outC, inC, kH, kW], fanOut is outC*kH*kW.
func KaimingNormalFanOut(t *Tensor, fanOut int, rng *rand.Rand) {
	normal(t, math.Sqrt(2/float64(fanOut)), rng)
}

// normal fills t with draws from N(0, std²) taken in order from rng.
func normal(t *Tensor, std float64, rng *rand.Rand) {
	for i := range t.Data {
		t.Data[i] = float32(rng.NormFloat64() * std)
	}
}

// Fill sets every element of t to v (batch-norm weight 1, bias 0).
func Fill(t *Tensor, v float32) {
	for i := range t.Data {
		t.Data[i] = v
	}
}
