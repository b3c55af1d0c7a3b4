// Package loaders turns files into float32 data for miebench: WAV audio
// (mixed to mono, scaled to [-1, 1]), band-limited resampling, fixed-length
// tiling, log-magnitude and log-mel spectrograms, JPEG/PNG frames with the
// torchvision-style resize, crop, flip and ImageNet normalisation, MNIST IDX
// files, feature arrays (NumPy .npy and .npz, safetensors, PyTorch .pt,
// delimited text), and an on-disk feature cache keyed by content hashes.
//
// Every reader validates its input strictly and returns an error naming the
// file and what is wrong with it; hostile headers (sizes larger than the
// file, dimension products that overflow) are rejected before any large
// allocation. The package imports nn for the Tensor type only.
package loaders
