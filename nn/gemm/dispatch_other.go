//go:build !amd64 || purego

package gemm

// availableKernels lists the kernels available in this build: only the
// portable one (not amd64, or built with the purego tag).
func availableKernels() []*kernel { return []*kernel{kernelGo} }
