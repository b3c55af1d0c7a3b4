package datasets

import (
	"bytes"
	"fmt"

	"github.com/miebench/miebench/loaders"
)

// mnistSet is a set of 28x28 digit images with pixels in [0, 1] and labels.
type mnistSet struct {
	pix    []float32 // n*784
	labels []int
}

const mnistSide = 28

// readMNIST reads <dir>/t10k-images-idx3-ubyte.gz and the matching labels
// file from src (on disk or embedded) with package loaders' IDX decoders.
func readMNIST(src source, dir string) (*mnistSet, error) {
	imgName, lblName := dir+"/t10k-images-idx3-ubyte.gz", dir+"/t10k-labels-idx1-ubyte.gz"
	raw, err := src.readFile(imgName)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.path(imgName), err)
	}
	imgs, err := loaders.DecodeIDXImages(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.path(imgName), err)
	}
	if raw, err = src.readFile(lblName); err != nil {
		return nil, fmt.Errorf("%s: %w", src.path(lblName), err)
	}
	labels, err := loaders.DecodeIDXLabels(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.path(lblName), err)
	}
	if len(imgs.Shape) != 3 || imgs.Shape[1] != mnistSide || imgs.Shape[2] != mnistSide {
		return nil, fmt.Errorf("%s: images of shape %v, want [N 28 28]", src.path(imgName), imgs.Shape)
	}
	if len(labels) != imgs.Shape[0] {
		return nil, fmt.Errorf("%s: %d labels for %d images in %s", src.path(lblName), len(labels), imgs.Shape[0], src.path(imgName))
	}
	for i, y := range labels {
		if y > 9 {
			return nil, fmt.Errorf("%s: label %d of item %d is not a digit", src.path(lblName), y, i)
		}
	}
	return &mnistSet{pix: imgs.Data, labels: labels}, nil
}
