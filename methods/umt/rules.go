// Package umt is UMT, uni-modal teachers (Du et al., ICML 2023, "On
// uni-modal feature learning in supervised multi-modal learning"): first
// every modality's encoder is trained alone with a linear head, inside the
// same run; then the multimodal model is trained with cross-entropy on the
// fused output plus the distance of each of its encoders' features to the
// frozen teacher's.
package umt

import (
	"fmt"

	"github.com/miebench/miebench/nn"
)

// featureMSE returns torch's MSELoss (mean over every element) between the
// student's features zs and the teacher's zt [N, D], and its gradient with
// respect to zs, 2 (zs - zt) / (N D). The teacher is a constant.
func featureMSE(zs, zt *nn.Tensor) (float64, *nn.Tensor, error) {
	if !nn.SameShape(zs, zt) {
		return 0, nil, fmt.Errorf("umt: student features %v, teacher features %v", zs.Shape, zt.Shape)
	}
	d := nn.NewTensor(zs.Shape...)
	if len(zs.Data) == 0 {
		return 0, d, nil
	}
	inv := 1 / float64(len(zs.Data))
	var s float64
	for i, v := range zs.Data {
		diff := float64(v) - float64(zt.Data[i])
		s += diff * diff
		d.Data[i] = float32(2 * diff * inv)
	}
	return s * inv, d, nil
}
