#!/usr/bin/python3
"""Write test/fixtures/data.json: PyTorch's reference values for torch.utils.data and the vision
readers/transforms, replayed by test/data.test.ts.

Run with Debian's PyTorch: `/usr/bin/python3 tools/gen_data_fixtures.py`. The output is committed.

- random_split, RandomSampler, SubsetRandomSampler, WeightedRandomSampler and DataLoader(shuffle)
  index orders for seeded generators (and for the seeded global generator), and the base seed a
  DataLoader draws at the start of each epoch;
- default_collate results for numbers, booleans, strings, nested lists and dicts;
- a real multi-worker PyTorch DataLoader (num_workers=2) whose dataset draws from the global generator
  in each item, to check the per-worker seeding (base seed + worker id) and the batch-to-worker order;
- the idx files of the embedded Fashion-MNIST subset (and of Debian's full dataset when installed)
  read with Python's gzip module: shapes, first labels, pixel checksums;
- torchvision-style transforms computed with torch ops (torchvision is not installed): RandomCrop's
  and RandomHorizontalFlip's draws from the seeded global generator, as torchvision makes them.
"""

import gzip
import json
import os
import struct

import torch
from torch.utils.data import (
    DataLoader,
    Dataset,
    RandomSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
    random_split,
)
from torch.utils.data._utils.collate import default_collate

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
OUT = os.path.join(ROOT, "test", "fixtures", "data.json")
SUBSET = os.path.join(ROOT, "data", "fashion-mnist-subset")
DEBIAN = "/usr/share/datasets/fashion-mnist"


def gen(seed):
    return torch.Generator().manual_seed(seed)


def enc(v):
    """JSON form of a collated value: tensors as {dtype, shape, data}."""
    if isinstance(v, torch.Tensor):
        return {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "data": v.flatten().tolist()}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    if isinstance(v, dict):
        return {k: enc(x) for k, x in v.items()}
    return v


out = {"torch": torch.__version__}

# ---- random_split
splits = []
for n, lengths, seed in [
    (10, [3, 7], 42),
    (30, [0.3, 0.3, 0.4], 42),
    (11, [0.5, 0.5], 3),
    (7, [0.1, 0.2, 0.7], 5),
    (5, [1], 0),
    (9, [0, 1], 1),
    (20, [5, 5, 10], 123),
]:
    parts = random_split(range(n), lengths, generator=gen(seed))
    splits.append({"n": n, "lengths": lengths, "seed": seed, "indices": [list(p.indices) for p in parts]})
torch.manual_seed(5)
parts = random_split(range(8), [4, 4])
splits.append({"n": 8, "lengths": [4, 4], "globalSeed": 5, "indices": [list(p.indices) for p in parts]})
out["randomSplit"] = splits

# ---- samplers
samplers = []
for n, kw, seed in [
    (10, {}, 1),
    (7, {"num_samples": 17}, 2),
    (10, {"replacement": True, "num_samples": 40}, 3),
    (6, {"replacement": True}, 4),
]:
    order = list(RandomSampler(range(n), generator=gen(seed), **kw))
    samplers.append({"kind": "RandomSampler", "n": n, "opts": kw, "seed": seed, "order": order})
torch.manual_seed(7)
samplers.append({"kind": "RandomSampler", "n": 10, "opts": {}, "globalSeed": 7, "order": list(RandomSampler(range(10)))})
idx = [10, 20, 30, 40, 50, 60]
samplers.append({"kind": "SubsetRandomSampler", "indices": idx, "seed": 3, "order": list(SubsetRandomSampler(idx, generator=gen(3)))})
for w, k, repl, seed in [([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 20, True, 1), ([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, False, 2)]:
    order = list(WeightedRandomSampler(w, k, replacement=repl, generator=gen(seed)))
    samplers.append({"kind": "WeightedRandomSampler", "weights": w, "numSamples": k, "replacement": repl, "seed": seed, "order": order})
out["samplers"] = samplers

# ---- DataLoader orders and base seeds
loaders = []
for n, bs, drop, seed in [(10, 3, False, 1), (10, 3, True, 1), (23, 5, False, 77)]:
    g = gen(seed)
    dl = DataLoader(range(n), batch_size=bs, shuffle=True, drop_last=drop, generator=g)
    epochs = [[b.tolist() for b in dl] for _ in range(2)]
    loaders.append({"n": n, "batchSize": bs, "dropLast": drop, "seed": seed, "epochs": epochs})
torch.manual_seed(9)
dl = DataLoader(range(10), batch_size=4, shuffle=True)
loaders.append({"n": 10, "batchSize": 4, "dropLast": False, "globalSeed": 9, "epochs": [[b.tolist() for b in dl] for _ in range(2)]})
out["loaders"] = loaders
out["baseSeeds"] = [
    {"seed": s, "baseSeed": str(torch.empty((), dtype=torch.int64).random_(generator=gen(s)).item())}
    for s in [0, 1, 42, 2**40 + 3]
]


# ---- per-worker seeding in a real multi-worker DataLoader
class Draws(Dataset):
    """Item i: (i, the worker's id, a float64 uniform and an int from the worker's global generator)."""

    def __len__(self):
        return 9

    def __getitem__(self, i):
        info = torch.utils.data.get_worker_info()
        return [i, info.id if info else -1, torch.rand(1, dtype=torch.float64).item(), torch.randint(0, 1000, (1,)).item()]


wg = gen(2024)
dl = DataLoader(Draws(), batch_size=2, num_workers=2, generator=wg)
out["workerDraws"] = {"seed": 2024, "batchSize": 2, "numWorkers": 2, "batches": [enc(b) for b in dl]}

# ---- default_collate
collate_cases = [
    ("ints", [1, 2, 3]),
    ("floats", [0.5, 2.0, -1.25]),
    ("bools", [True, False, True]),
    ("strings", ["a", "bc"]),
    ("nested_lists", [[1, 0.5, "x"], [2, 1.5, "y"]]),
    ("dicts", [{"a": 1, "b": {"c": 0.25, "d": [True, 7]}}, {"a": 2, "b": {"c": 0.5, "d": [False, 8]}}]),
    ("tensors", [torch.tensor([[1.0, 2.0]]), torch.tensor([[3.0, 4.0]])]),
    ("int_tensors", [torch.tensor([1, 2], dtype=torch.int32), torch.tensor([3, 4], dtype=torch.int32)]),
]
out["collate"] = [{"name": name, "batch": enc(b), "result": enc(default_collate(b))} for name, b in collate_cases]


# ---- idx files read with Python's gzip module
def read_idx(path):
    with gzip.open(path) as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    ndim = magic & 0xFF
    shape = list(struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim]))
    body = data[4 + 4 * ndim :]
    return shape, body


def summary(root):
    res = {}
    for split in ["train", "t10k"]:
        ishape, ibody = read_idx(os.path.join(root, f"{split}-images-idx3-ubyte.gz"))
        lshape, lbody = read_idx(os.path.join(root, f"{split}-labels-idx1-ubyte.gz"))
        res[split] = {
            "imageShape": ishape,
            "labelShape": lshape,
            "firstLabels": list(lbody[:20]),
            "pixelSum": sum(ibody),
            # position-weighted checksum: catches reordered bytes that a plain sum misses
            "pixelWeighted": sum((i % 9973) * b for i, b in enumerate(ibody)) % (2**31 - 1),
            "labelCounts": [lbody.count(bytes([c])) for c in range(10)],
            "image0Row14": list(ibody[14 * 28 : 15 * 28]),
        }
    return res


out["subset"] = summary(SUBSET)
out["debian"] = summary(DEBIAN) if os.path.exists(os.path.join(DEBIAN, "train-images-idx3-ubyte.gz")) else None

# ---- transforms, as torchvision computes them, with torch ops
img = torch.arange(4 * 5 * 3, dtype=torch.uint8).reshape(4, 5, 3) * 4  # HWC uint8
to_tensor = img.permute(2, 0, 1).float().div(255)
mean, std = [0.5, 0.25, 0.1], [0.5, 0.2, 0.3]
normalized = (to_tensor - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(-1, 1, 1)
chw = torch.arange(2 * 4 * 5, dtype=torch.float32).reshape(2, 4, 5)


def random_crop(x, th, tw, padding):
    x = torch.nn.functional.pad(x, [padding] * 4)
    h, w = x.shape[-2:]
    if h == th and w == tw:
        return x
    i = torch.randint(0, h - th + 1, size=(1,)).item()
    j = torch.randint(0, w - tw + 1, size=(1,)).item()
    return x[..., i : i + th, j : j + tw]


torch.manual_seed(11)
crops = [enc(random_crop(chw, 3, 4, 2)) for _ in range(4)]
after_crop = torch.rand(1).item()
torch.manual_seed(12)
flips = []
for _ in range(6):
    flips.append(enc(chw.flip(-1) if torch.rand(1) < 0.5 else chw))
out["transforms"] = {
    "image": enc(img),
    "toTensor": enc(to_tensor),
    "mean": mean,
    "std": std,
    "normalized": enc(normalized),
    "chw": enc(chw),
    "cropSeed": 11,
    "crops": crops,
    "afterCrop": after_crop,
    "flipSeed": 12,
    "flips": flips,
}

with open(OUT, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {OUT}")
