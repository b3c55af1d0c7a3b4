package joint

import (
	"github.com/miebench/miebench/methods"
)

func init() {
	methods.Register(methods.Spec{
		Name: "joint",
		Doc: `Joint training: cross-entropy on the fused output, nothing else. The
baseline every balancing method is compared with; inside it the weaker
modality is typically under-trained (compare its modality accuracy with the
unimodal row). Works with every fusion head and any number of modalities.`,
		Ref: "the standard late-fusion baseline of every paper in this field",
		New: func(methods.Hyper) (methods.Method, error) { return &Joint{}, nil },
	})
}

// Joint is plain joint training; all of it is Base.
type Joint struct{ methods.Base }
