#!/usr/bin/python3
"""Cut the embedded Fashion-MNIST subset (data/fashion-mnist-subset) from Debian's dataset-fashion-mnist.

Takes the first N_TRAIN training and N_TEST test images (the files are already class-mixed) and writes
them in the same gzipped idx format, so one reader serves both the subset and the full dataset.
"""
import gzip
import os
import struct

SRC = "/usr/share/datasets/fashion-mnist"
DST = os.path.join(os.path.dirname(__file__), "..", "data", "fashion-mnist-subset")
N_TRAIN, N_TEST = 6000, 1000


def cut(name, n):
    with gzip.open(os.path.join(SRC, name)) as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    item = 1
    for d in dims[1:]:
        item *= d
    header = struct.pack(">I", magic) + struct.pack(">I", n) + data[8:4 + 4 * ndim]
    body = data[4 + 4 * ndim:4 + 4 * ndim + n * item]
    with gzip.GzipFile(os.path.join(DST, name), "wb", mtime=0) as f:
        f.write(header + body)


os.makedirs(DST, exist_ok=True)
cut("train-images-idx3-ubyte.gz", N_TRAIN)
cut("train-labels-idx1-ubyte.gz", N_TRAIN)
cut("t10k-images-idx3-ubyte.gz", N_TEST)
cut("t10k-labels-idx1-ubyte.gz", N_TEST)
