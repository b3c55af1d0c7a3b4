//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// kernel12x32AVX512 is the AVX-512F microkernel (kernel_avx512_amd64.s).
//
//go:noescape
func kernel12x32AVX512(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

// kernel6x16AVX2 is the AVX2+FMA microkernel (kernel_avx2_amd64.s).
//
//go:noescape
func kernel6x16AVX2(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

var (
	kernelAVX512 = &kernel{
		name: "avx512", mr: 12, nr: 32,
		kc: 256, mc: 1152, nc: 4096, itemRows: 192,
		micro: kernel12x32AVX512,
	}
	kernelAVX2 = &kernel{
		name: "avx2", mr: 6, nr: 16,
		kc: 256, mc: 1152, nc: 4096, itemRows: 192,
		micro: kernel6x16AVX2,
	}
)

// availableKernels lists the kernels this CPU can run, fastest first.
// The portable kernel is always last.
func availableKernels() []*kernel {
	var ks []*kernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, kernelAVX512)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, kernelAVX2)
	}
	return append(ks, kernelGo)
}
