package nn

import (
	"gonum.org/v1/gonum/blas/blas32"

	simdgemm "github.com/miebench/miebench/nn/gemm"
)

// init installs miebench's SIMD GEMM (package nn/gemm) as gonum's float32
// BLAS, so every blas32 caller in the process uses it.
func init() {
	blas32.Use(simdgemm.Implementation{})
}
