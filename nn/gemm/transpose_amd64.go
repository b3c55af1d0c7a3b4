//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// transpose8x8Blocks transposes nblk 8x8 blocks laid side by side in 8
// rows of src (stride lds) into 8*nblk rows of 8 in dst (stride ldd):
// dst[(8q+i)*ldd+r] = src[r*lds+8q+i]. It needs AVX.
//
//go:noescape
func transpose8x8Blocks(dst *float32, ldd int, src *float32, lds int, nblk int)

// transpose4x8Blocks is transpose8x8Blocks for 4 source rows:
// dst[(8q+i)*ldd+r] = src[r*lds+8q+i] for r < 4. It needs AVX.
//
//go:noescape
func transpose4x8Blocks(dst *float32, ldd int, src *float32, lds int, nblk int)

// hasTransposeAsm reports whether the assembly transposes can run.
var hasTransposeAsm = cpu.X86.HasAVX

// transposeAsm writes dst[p*ldd+r] = src[r*lds+p] for r < rows and
// p < kc using the assembly routines, and returns how many leading rows
// and columns (p) it handled; the caller does the rest.
func transposeAsm(dst []float32, ldd int, src []float32, lds, rows, kc int) (doneRows, doneP int) {
	nblk := kc / 8
	if !hasTransposeAsm || nblk == 0 || rows < 4 {
		return 0, 0
	}
	r := 0
	for ; r+8 <= rows; r += 8 {
		// Bounds: the last source element read and the last destination
		// element written must lie inside the slices.
		_ = src[(r+7)*lds+8*nblk-1]
		_ = dst[(8*nblk-1)*ldd+r+7]
		transpose8x8Blocks(&dst[r], ldd, &src[r*lds], lds, nblk)
	}
	if r+4 <= rows {
		_ = src[(r+3)*lds+8*nblk-1]
		_ = dst[(8*nblk-1)*ldd+r+3]
		transpose4x8Blocks(&dst[r], ldd, &src[r*lds], lds, nblk)
		r += 4
	}
	return r, 8 * nblk
}
