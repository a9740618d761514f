#!/usr/bin/python3
"""Write the golden-model fixtures in test/fixtures/golden/: four small models trained by PyTorch.

Run with Debian's PyTorch: `/usr/bin/python3 tools/gen_golden_fixtures.py`. For each model (an MLP, a
CNN with BatchNorm and Dropout, a two-layer LSTM language model, a two-layer TransformerEncoder
language model), all in training mode so dropout is active:
  - <name>.pt: the initial state dict (torch.save), which torchts loads with torch.load + loadStateDict;
  - <name>.json: the batch, then one forward/backward run right after torch.manual_seed(seed) (so the
    dropout masks can be reproduced by torchts's generator): logits, loss, the gradient of every
    parameter and the state dict afterwards (BatchNorm running statistics);
  - for SGD with momentum and for AdamW: 3 steps from the initial state, each forward seeded again;
    the losses of the steps in <name>.json and the final state dict in <name>_<optimizer>.pt.
test/golden.test.ts replays all of it. Sizes are tiny to keep the files small.
"""

import json
import os
import sys

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "opspec"))
from framework import encode_tensor  # noqa: E402

OUT = os.path.join(HERE, "..", "test", "fixtures", "golden")


class CharLSTM(nn.Module):
    """Embedding -> 2-layer LSTM (dropout between layers) -> per-step logits."""

    def __init__(self, vocab, dim, hidden):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, hidden, num_layers=2, dropout=0.2, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x):
        y, _ = self.lstm(self.emb(x))
        return self.head(y)


class TinyTransformer(nn.Module):
    """Embedding + learned positions -> 2-layer causal TransformerEncoder -> per-step logits."""

    def __init__(self, vocab, dim, heads, ff, seq):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.randn(seq, dim) * 0.1)
        layer = nn.TransformerEncoderLayer(dim, heads, ff, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2)
        self.head = nn.Linear(dim, vocab)

    def forward(self, x):
        t = x.shape[1]
        mask = nn.Transformer.generate_square_subsequent_mask(t)
        return self.head(self.encoder(self.emb(x) + self.pos[:t], mask=mask))


def tokens_loss(logits, y):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def models(g):
    """(name, build, x, y, loss) per model; inputs drawn from g."""
    mlp = (lambda: nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3)),
           torch.randn(5, 6, generator=g), torch.randint(0, 3, (5,), generator=g), F.cross_entropy)
    # conv layers before BatchNorm have no bias (its gradient would be rounding noise, which Adam amplifies)
    cnn = (lambda: nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Conv2d(4, 6, 3, bias=False), nn.BatchNorm2d(6), nn.ReLU(), nn.Flatten(), nn.Dropout(0.5),
        nn.Linear(24, 3)),
        torch.randn(4, 1, 8, 8, generator=g), torch.randint(0, 3, (4,), generator=g), F.cross_entropy)
    lstm = (lambda: CharLSTM(10, 6, 8), torch.randint(0, 10, (3, 5), generator=g),
            torch.randint(0, 10, (3, 5), generator=g), tokens_loss)
    tfm = (lambda: TinyTransformer(10, 8, 2, 16, 6), torch.randint(0, 10, (3, 6), generator=g),
           torch.randint(0, 10, (3, 6), generator=g), tokens_loss)
    return [("mlp", *mlp), ("cnn", *cnn), ("lstm", *lstm), ("transformer", *tfm)]


def optimizers(name):
    """(class name, kwargs) of the two runs. The transformer's AdamW uses eps=1e-5: the gradient of
    the key projection's bias is zero in exact arithmetic (softmax ignores a shift shared by all keys),
    so both libraries compute rounding noise (~1e-10) there, and with the default eps=1e-8 Adam turns
    that noise into updates of ~lr/10 with arbitrary signs; eps=1e-5 keeps them below 1e-6."""
    adamw = dict(lr=1e-2, weight_decay=1e-2)
    if name == "transformer":
        adamw["eps"] = 1e-5
    return {"sgd": ("SGD", dict(lr=0.05, momentum=0.9, weight_decay=1e-3)), "adamw": ("AdamW", adamw)}


def state_list(m):
    return [[k, encode_tensor(v)] for k, v in m.state_dict().items()]


def run(name, build, x, y, loss_fn, seed):
    torch.manual_seed(seed)
    model = build()
    init = {k: v.clone() for k, v in model.state_dict().items()}
    torch.save(model.state_dict(), os.path.join(OUT, f"{name}.pt"))
    model.train()
    out = {"name": name, "repr": str(model), "x": encode_tensor(x), "y": encode_tensor(y)}
    fwd_seed = 100 * seed
    torch.manual_seed(fwd_seed)
    logits = model(x)
    loss = loss_fn(logits, y)
    loss.backward()
    out.update(seed=fwd_seed, logits=encode_tensor(logits), loss=loss.item(),
               grads=[[k, encode_tensor(p.grad)] for k, p in model.named_parameters()],
               after_forward=state_list(model))
    runs = {}
    for opt_name, (cls, kwargs) in optimizers(name).items():
        model.load_state_dict(init)
        model.zero_grad(set_to_none=True)
        opt = getattr(torch.optim, cls)(model.parameters(), **kwargs)
        losses, seeds = [], []
        for step in range(3):
            s = fwd_seed + 10 + step
            opt.zero_grad()
            torch.manual_seed(s)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            seeds.append(s)
        torch.save(model.state_dict(), os.path.join(OUT, f"{name}_{opt_name}.pt"))
        runs[opt_name] = {"optimizer": cls, "kwargs": kwargs, "seeds": seeds, "losses": losses}
    out["optimizers"] = runs
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump({"torch": torch.__version__, **out}, f, separators=(",", ":"))


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator()
    g.manual_seed(2024)
    for i, (name, build, x, y, loss_fn) in enumerate(models(g)):
        run(name, build, x, y, loss_fn, i + 1)
    for f in sorted(os.listdir(OUT)):
        print(f"{f}: {os.path.getsize(os.path.join(OUT, f))} bytes")


if __name__ == "__main__":
    main()
