package gemm

// packA packs rows [row0, row0+nrows) and depth [p0, p0+kc) of op(A) into
// dst as one panel of mr rows: dst[p*mr+r] = op(A)[row0+r][p0+p], with rows
// nrows..mr-1 zero. op(A) is A (m x k, row-major with stride lda) or, when
// trans, the transpose of the k x m matrix stored in a.
func packA(dst []float32, trans bool, a []float32, lda, row0, nrows, p0, kc, mr int) {
	dst = dst[:kc*mr]
	if trans {
		for p := range kc {
			d := dst[p*mr : p*mr+mr : p*mr+mr]
			s := a[(p0+p)*lda+row0 : (p0+p)*lda+row0+nrows]
			copy(d, s)
			clear(d[nrows:])
		}
		return
	}
	transposeInto(dst, mr, a[row0*lda+p0:], lda, nrows, kc)
	if nrows < mr {
		for p := range kc {
			clear(dst[p*mr+nrows : p*mr+mr])
		}
	}
}

// packB packs depth [p0, p0+kc) and columns [col0, col0+ncols) of op(B)
// into dst as one panel of nr columns: dst[p*nr+j] = op(B)[p0+p][col0+j],
// with columns ncols..nr-1 zero. op(B) is B (k x n, row-major with stride
// ldb) or, when trans, the transpose of the n x k matrix stored in b.
func packB(dst []float32, trans bool, b []float32, ldb, col0, ncols, p0, kc, nr int) {
	dst = dst[:kc*nr]
	if !trans {
		for p := range kc {
			d := dst[p*nr : p*nr+nr : p*nr+nr]
			s := b[(p0+p)*ldb+col0 : (p0+p)*ldb+col0+ncols]
			copy(d, s)
			clear(d[ncols:])
		}
		return
	}
	transposeInto(dst, nr, b[col0*ldb+p0:], ldb, ncols, kc)
	if ncols < nr {
		for p := range kc {
			clear(dst[p*nr+ncols : p*nr+nr])
		}
	}
}

// transposeInto writes dst[p*ldd+r] = src[r*lds+p] for r < rows and
// p < kc: rows of src become columns of dst. Assembly does the bulk where
// available; the remaining rows and columns are done here.
func transposeInto(dst []float32, ldd int, src []float32, lds, rows, kc int) {
	doneRows, doneP := transposeAsm(dst, ldd, src, lds, rows, kc)
	for r := range rows {
		p0 := doneP
		if r >= doneRows {
			p0 = 0
		}
		s := src[r*lds+p0 : r*lds+kc]
		for i, v := range s {
			dst[(p0+i)*ldd+r] = v
		}
	}
}
