#!/usr/bin/python3
"""PyTorch's run of the browser test's training (test/browser/page.ts): a tiny CNN, seeded weights and
batch, three SGD steps with momentum on cross-entropy. Writes test/fixtures/browser_train.json."""
import json
import os

import torch
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 4, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(4 * 4 * 4, 16),
    nn.ReLU(),
    nn.Linear(16, 3),
)
x = torch.randn(6, 1, 8, 8)
y = torch.randint(0, 3, (6,))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
losses = []
for _ in range(3):
    loss = nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
params = {k: v.flatten().tolist() for k, v in model.state_dict().items()}
out = {"labels": y.tolist(), "losses": losses, "params": params}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "browser_train.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print(out["labels"], losses)
