#!/usr/bin/python3
"""Train the CNN of examples/fashion_mnist.ts in PyTorch and save its state dict for examples/finetune.ts.

Writes data/checkpoints/fmnist_cnn_pytorch.pt: the base model that examples/finetune.ts fine-tunes when no
checkpoint of examples/fashion_mnist.ts is at hand, so the example also shows a checkpoint going from
Python's torch.save into torchts. Same architecture, preprocessing and settings as the TypeScript demo
(2 epochs of Adam, lr 0.002, batch 64) on the embedded subset (data/fashion-mnist-subset), seeded.
Run: /usr/bin/python3 tools/gen_finetune_checkpoint.py  (PyTorch 1.13, a few seconds on a CPU).
"""
import gzip
import os

import numpy as np
import torch
from torch import nn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.join(ROOT, "data", "fashion-mnist-subset")
OUT = os.path.join(ROOT, "data", "checkpoints", "fmnist_cnn_pytorch.pt")
MEAN, STD = 0.286, 0.353  # as in examples/fashion_mnist.ts


def read_idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(prefix):
    images = torch.from_numpy(read_idx(f"{prefix}-images-idx3-ubyte.gz").copy()).float().div(255)
    labels = torch.from_numpy(read_idx(f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64))
    return images.unsqueeze(1).sub(MEAN).div(STD), labels  # (N, 1, 28, 28), (N,)


def make_model():
    """examples/fashion_mnist.ts's makeModel(): the state dict keys are 0.*, 3.*, 7.*."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10),
    )


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    x_train, y_train = load("train")
    x_test, y_test = load("t10k")
    model = make_model()
    opt = torch.optim.Adam(model.parameters(), lr=0.002)
    for epoch in range(2):
        perm = torch.randperm(len(x_train))
        for i in range(0, len(perm), 64):
            idx = perm[i:i + 64]
            loss = nn.functional.cross_entropy(model(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            acc = (model(x_test).argmax(1) == y_test).float().mean().item()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, test accuracy {100 * acc:.2f}%")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    torch.save(model.state_dict(), OUT)
    print(f"wrote {os.path.relpath(OUT, ROOT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
