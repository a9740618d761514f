#!/usr/bin/python3
"""Checkpoints written by PyTorch for test/serialization.test.ts, and the values they hold.

Writes test/fixtures/pt/*.pt and *.safetensors-like inputs plus test/fixtures/pt/expected.json.
"""
import json
import os
import struct
from collections import OrderedDict

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "pt")
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(0)


def enc(t):
    flat = t.detach().reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16):
        flat = flat.double()
    vals = [v if v == v else "nan" for v in flat.tolist()]
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "stride": list(t.stride()),
            "offset": t.storage_offset(), "data": [int(v) if isinstance(v, bool) else v for v in vals]}


expected = {}

# 1. every dtype
dtypes = {
    "float32": torch.randn(2, 3),
    "float64": torch.randn(3, dtype=torch.float64),
    "float16": torch.randn(4).half(),
    "bfloat16": torch.randn(4).bfloat16(),
    "int64": torch.tensor([-(2 ** 40), -1, 0, 7, 2 ** 50]),
    "int32": torch.tensor([-5, 6], dtype=torch.int32),
    "int16": torch.tensor([-300, 300], dtype=torch.int16),
    "int8": torch.tensor([-128, 127], dtype=torch.int8),
    "uint8": torch.tensor([0, 255], dtype=torch.uint8),
    "bool": torch.tensor([True, False, True]),
}
torch.save(dtypes, os.path.join(OUT, "dtypes.pt"))
expected["dtypes"] = {k: enc(v) for k, v in dtypes.items()}

# 2. views sharing one storage, nested containers, numbers and strings
base = torch.arange(12, dtype=torch.float32).view(3, 4)
nested = {"base": base, "row": base[1], "col": base[:, 2], "t": base.t(),
          "list": [base[0, :2], 3, 2.5, "text", None, True], "tuple": (1, torch.tensor([9.0]))}
torch.save(nested, os.path.join(OUT, "nested.pt"))
expected["nested"] = {"base": enc(base), "row": enc(base[1]), "col": enc(base[:, 2]), "t": enc(base.t())}

# 3. a model's state dict (OrderedDict with _metadata, BatchNorm buffers incl. num_batches_tracked)
model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(), torch.nn.Flatten(),
                            torch.nn.Linear(8, 3))
model(torch.randn(4, 1, 4, 4))
sd = model.state_dict()
torch.save(sd, os.path.join(OUT, "state_dict.pt"))
expected["state_dict"] = {k: enc(v) for k, v in sd.items()}

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f)
print("wrote", sorted(os.listdir(OUT)))
