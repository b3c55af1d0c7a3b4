package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
)

// mnistSet is a set of 28x28 digit images with pixels in [0, 1] and labels.
type mnistSet struct {
	pix    []float32 // n*784
	labels []int
}

const mnistSide = 28

// readMNIST reads <dir>/t10k-images-idx3-ubyte(.gz) and the matching labels
// file from src. Package loaders reads IDX files from paths; the embedded
// data has no path, so the two fixed files are decoded here from bytes.
func readMNIST(src source, dir string) (*mnistSet, error) {
	imgName, lblName := dir+"/t10k-images-idx3-ubyte.gz", dir+"/t10k-labels-idx1-ubyte.gz"
	imgs, err := readIDX(src, imgName, 0x0803)
	if err != nil {
		return nil, err
	}
	lbls, err := readIDX(src, lblName, 0x0801)
	if err != nil {
		return nil, err
	}
	if len(imgs.dims) != 3 || imgs.dims[1] != mnistSide || imgs.dims[2] != mnistSide {
		return nil, fmt.Errorf("%s: images of shape %v, want [N 28 28]", src.path(imgName), imgs.dims)
	}
	if lbls.dims[0] != imgs.dims[0] {
		return nil, fmt.Errorf("%s: %d labels for %d images in %s", src.path(lblName), lbls.dims[0], imgs.dims[0], src.path(imgName))
	}
	set := &mnistSet{pix: make([]float32, len(imgs.data)), labels: make([]int, len(lbls.data))}
	for i, b := range imgs.data {
		set.pix[i] = float32(b) / 255
	}
	for i, b := range lbls.data {
		if b > 9 {
			return nil, fmt.Errorf("%s: label %d of item %d is not a digit", src.path(lblName), b, i)
		}
		set.labels[i] = int(b)
	}
	return set, nil
}

type idxArray struct {
	dims []int
	data []byte
}

// readIDX decodes an unsigned-byte IDX file (gzip-compressed or not) whose
// magic number must be want (0x0801 vectors, 0x0803 3-D arrays).
func readIDX(src source, name string, want uint32) (*idxArray, error) {
	raw, err := src.readFile(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.path(name), err)
	}
	if len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", src.path(name), err)
		}
		// An MNIST file is at most a few tens of MB; bound the expansion.
		raw, err = io.ReadAll(io.LimitReader(zr, 1<<28))
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", src.path(name), err)
		}
	}
	if len(raw) < 4 {
		return nil, fmt.Errorf("%s: %d bytes, too short for an IDX header", src.path(name), len(raw))
	}
	magic := binary.BigEndian.Uint32(raw)
	if magic != want {
		return nil, fmt.Errorf("%s: IDX magic %#08x, want %#08x", src.path(name), magic, want)
	}
	nd := int(magic & 0xff)
	if len(raw) < 4+4*nd {
		return nil, fmt.Errorf("%s: truncated IDX header", src.path(name))
	}
	a := &idxArray{dims: make([]int, nd)}
	n := 1
	for i := range nd {
		d := int(binary.BigEndian.Uint32(raw[4+4*i:]))
		a.dims[i] = d
		if d > 0 && n > (1<<31)/d {
			return nil, fmt.Errorf("%s: IDX dimensions %v too large", src.path(name), a.dims)
		}
		n *= d
	}
	body := raw[4+4*nd:]
	if len(body) != n {
		return nil, fmt.Errorf("%s: IDX dimensions %v need %d bytes of data, file has %d", src.path(name), a.dims, n, len(body))
	}
	a.data = body
	return a, nil
}
