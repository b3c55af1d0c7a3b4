// Package gemm is miebench's float32 matrix multiply: a blocked, packed GEMM
// with register-blocked microkernels in Go assembly for AVX-512F (12x32 on
// ZMM registers) and AVX2+FMA (6x16 on YMM registers), chosen at run time
// from the CPU's features, and a portable pure-Go microkernel used on other
// architectures or when the package is built with the purego build tag
// (go build -tags purego).
//
// Implementation satisfies gonum's blas.Float32 interface; package nn
// installs it with blas32.Use so that every gonum float32 caller in the
// process uses it. Only Sgemm is overridden; every other routine is gonum's.
//
// # Algorithm
//
// C = alpha*op(A)*op(B) + beta*C is computed in blocks: K is cut into
// blocks of at most KC (the same cut for every element, fixed by k and the
// kernel), N into blocks of NC columns and M into blocks of MC rows. For each
// block op(B) is packed into NR-wide column panels and op(A) into MR-high
// row panels, zero padded at the edges, and the microkernel computes one
// MR x NR tile of C from a pair of panels: it accumulates the KC products of
// every element in one register lane, in order, starting from zero, then
// writes C = alpha*acc + beta*C (beta is the caller's for the first K block
// and 1 afterwards; with beta = 0, C is not read, so NaNs in C do not
// propagate). Edge tiles run the same microkernel on a scratch tile. An
// operand whose panels are already contiguous (B not transposed, A
// transposed) is read in place when it has little reuse, with the same
// arithmetic.
//
// # Determinism
//
// Work is split over goroutines by tiles of M and N only, never K, and the
// arithmetic applied to each element of C does not depend on which tile or
// goroutine computes it. The result bits therefore do not depend on the
// number of workers (GOMAXPROCS or Implementation.Workers). The AVX-512
// and AVX2 kernels give the same bits too (the same fused multiply-adds in
// the same order, over the same K blocks), so results agree between
// machines with and without AVX-512; the portable kernel rounds products
// separately (on amd64 with the default GOAMD64) and differs in the last
// bits.
package gemm
