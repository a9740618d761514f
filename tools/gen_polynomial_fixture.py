#!/usr/bin/python3
"""PyTorch's run of examples/polynomial.ts (the tutorial's autograd polynomial fit), for the test."""
import json
import math
import os

import torch

torch.manual_seed(0)
dtype = torch.float32
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)
a = torch.randn((), dtype=dtype, requires_grad=True)
b = torch.randn((), dtype=dtype, requires_grad=True)
c = torch.randn((), dtype=dtype, requires_grad=True)
d = torch.randn((), dtype=dtype, requires_grad=True)
init = [a.item(), b.item(), c.item(), d.item()]
learning_rate = 1e-6
losses = []
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None
out = {"init": init, "losses": losses, "coef": [a.item(), b.item(), c.item(), d.item()]}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "polynomial.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print(out["coef"], out["losses"][-1])
