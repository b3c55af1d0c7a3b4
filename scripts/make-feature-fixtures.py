#!/usr/bin/env python3
"""Writes the small feature-format fixtures of loaders/testdata/features.

Documentation of how the committed files were made; neither CI nor the
tests run it. Needs PyTorch (>= 1.6, for the zip format of torch.save) and
NumPy, e.g. the Debian packages: apt-get install python3-torch python3-numpy,
then /usr/bin/python3 scripts/make-feature-fixtures.py.

Every floating-point array holds the values 0.5 * k + c for k = 0, 1, ...
in row-major order (c given below), so the Go tests can recompute them.
"""
import json
import os
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "loaders", "testdata", "features")


def ramp(shape, c=0.0, dtype=np.float32):
    n = int(np.prod(shape))
    return (0.5 * np.arange(n) + c).astype(dtype).reshape(shape)


def write_safetensors(path, tensors):
    """The safetensors layout written by hand (the format is an 8-byte
    little-endian header length, a JSON header, then the data), so that
    the safetensors Python package is not needed."""
    codes = {np.float32: "F32", np.float16: "F16", np.float64: "F64", np.int64: "I64"}
    header, blobs, off = {}, [], 0
    for name, arr in tensors.items():
        b = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": codes[arr.dtype.type], "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    os.makedirs(OUT, exist_ok=True)
    p = lambda name: os.path.join(OUT, name)

    # .pt: a lone float32 tensor; a dict with float16 features and int64
    # labels; a transposed (non-contiguous) view, stored with its whole
    # storage; a legacy-format file, which the reader refuses.
    torch.save(torch.from_numpy(ramp((3, 2))), p("f32.pt"))
    torch.save({"audio": torch.from_numpy(ramp((2, 3), 1.0, np.float16)),
                "labels": torch.tensor([1, 0], dtype=torch.int64)}, p("dict.pt"))
    torch.save(torch.from_numpy(ramp((3, 2))).t(), p("transposed.pt"))
    torch.save(torch.from_numpy(ramp((2, 2))), p("legacy.pt"), _use_new_zipfile_serialization=False)

    # .npz: uncompressed and compressed, one array and several.
    np.savez(p("one.npz"), ramp((2, 4)))
    np.savez_compressed(p("two.npz"), visual=ramp((3, 2), 2.0), labels=np.array([2, 0, 1], dtype=np.int32))

    # .safetensors: float32 and float64 tensors.
    write_safetensors(p("two.safetensors"), {"text": ramp((2, 3)), "other": ramp((1,), 0.0, np.float64)})

    # Delimited text, as UCI's multi-view sets: a header row, then rows.
    with open(p("rows.csv"), "w") as f:
        f.write("f0,f1,f2\n")
        for row in ramp((2, 3)):
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    with open(p("rows.tsv"), "w") as f:
        for row in ramp((3, 2)):
            f.write("\t".join(repr(float(v)) for v in row) + "\n")


if __name__ == "__main__":
    main()
