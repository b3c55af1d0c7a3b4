//go:build !amd64 || purego

package gemm

// transposeAsm handles nothing without assembly; the caller transposes
// everything in Go.
func transposeAsm(dst []float32, ldd int, src []float32, lds, rows, kc int) (doneRows, doneP int) {
	return 0, 0
}
