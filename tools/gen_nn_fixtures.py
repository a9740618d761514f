#!/usr/bin/python3
"""Write test/fixtures/nn.json: PyTorch reference values for test/nn.test.ts (nn.Module behaviour,
layer reprs and default init, nn.init, dropout in train/eval, clip_grad_norm_, a small golden MLP).

Run with Debian's PyTorch: `/usr/bin/python3 tools/gen_nn_fixtures.py`. The output is committed, so
the tests need no Python. Each case pairs a PyTorch expression (`py`) with its torchts spelling (`ts`,
evaluated by the test with `torch` and `nn` in scope); seeded cases call torch.manual_seed(seed) first
on both sides (torchts's generator follows PyTorch's).
"""

import json
import math
import os

import sys
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "opspec"))
from framework import encode_tensor as enc_tensor, encode_value as enc  # noqa: E402
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "nn.json")


def ev(py):
    return eval(py, {"torch": torch, "nn": nn, "F": F, "math": math})


# ---- reprs --------------------------------------------------------------------------------------
REPRS = [
    ("nn.Linear(4, 2)", "new nn.Linear(4, 2)"),
    ("nn.Linear(4, 2, bias=False)", "new nn.Linear(4, 2, { bias: false })"),
    ("nn.Bilinear(3, 4, 5)", "new nn.Bilinear(3, 4, 5)"),
    ("nn.Identity()", "new nn.Identity()"),
    ("nn.Flatten()", "new nn.Flatten()"),
    ("nn.Flatten(0, 2)", "new nn.Flatten(0, 2)"),
    ("nn.Unflatten(1, (2, 5, 5))", "new nn.Unflatten(1, [2, 5, 5])"),
    ("nn.Dropout()", "new nn.Dropout()"),
    ("nn.Dropout(0.25, inplace=True)", "new nn.Dropout(0.25, true)"),
    ("nn.Dropout2d(0.1)", "new nn.Dropout2d(0.1)"),
    ("nn.Embedding(10, 3)", "new nn.Embedding(10, 3)"),
    ("nn.Embedding(10, 3, padding_idx=-2, max_norm=1.5, norm_type=1.0, scale_grad_by_freq=True)",
     "new nn.Embedding(10, 3, { paddingIdx: -2, maxNorm: 1.5, normType: 1, scaleGradByFreq: true })"),
    ("nn.ReLU()", "new nn.ReLU()"),
    ("nn.ReLU(inplace=True)", "new nn.ReLU(true)"),
    ("nn.ReLU6()", "new nn.ReLU6()"),
    ("nn.Hardtanh(-2.0, 2.5)", "new nn.Hardtanh(-2, 2.5)"),
    ("nn.LeakyReLU()", "new nn.LeakyReLU()"),
    ("nn.LeakyReLU(0.2, inplace=True)", "new nn.LeakyReLU(0.2, true)"),
    ("nn.PReLU()", "new nn.PReLU()"),
    ("nn.PReLU(8)", "new nn.PReLU(8)"),
    ("nn.ELU()", "new nn.ELU()"),
    ("nn.ELU(alpha=0.5, inplace=True)", "new nn.ELU(0.5, true)"),
    ("nn.CELU(0.7)", "new nn.CELU(0.7)"),
    ("nn.SELU()", "new nn.SELU()"),
    ("nn.GELU()", "new nn.GELU()"),
    ("nn.GELU(approximate='tanh')", "new nn.GELU('tanh')"),
    ("nn.SiLU()", "new nn.SiLU()"),
    ("nn.Mish()", "new nn.Mish()"),
    ("nn.Sigmoid()", "new nn.Sigmoid()"),
    ("nn.Tanh()", "new nn.Tanh()"),
    ("nn.LogSigmoid()", "new nn.LogSigmoid()"),
    ("nn.Softplus()", "new nn.Softplus()"),
    ("nn.Softplus(beta=2, threshold=10)", "new nn.Softplus(2, 10)"),
    ("nn.Hardswish()", "new nn.Hardswish()"),
    ("nn.Hardsigmoid()", "new nn.Hardsigmoid()"),
    ("nn.Softmax(dim=1)", "new nn.Softmax(1)"),
    ("nn.Softmax()", "new nn.Softmax()"),
    ("nn.LogSoftmax(dim=-1)", "new nn.LogSoftmax(-1)"),
    ("nn.Softmin(0)", "new nn.Softmin(0)"),
    ("nn.GLU()", "new nn.GLU()"),
    ("nn.MSELoss()", "new nn.MSELoss()"),
    ("nn.L1Loss(reduction='sum')", "new nn.L1Loss({ reduction: 'sum' })"),
    ("nn.SmoothL1Loss(beta=0.5)", "new nn.SmoothL1Loss({ beta: 0.5 })"),
    ("nn.HuberLoss()", "new nn.HuberLoss()"),
    ("nn.BCELoss()", "new nn.BCELoss()"),
    ("nn.BCEWithLogitsLoss(pos_weight=torch.ones(3))", "new nn.BCEWithLogitsLoss({ posWeight: torch.ones([3]) })"),
    ("nn.NLLLoss()", "new nn.NLLLoss()"),
    ("nn.CrossEntropyLoss(label_smoothing=0.1)", "new nn.CrossEntropyLoss({ labelSmoothing: 0.1 })"),
    ("nn.KLDivLoss(reduction='batchmean')", "new nn.KLDivLoss({ reduction: 'batchmean' })"),
    ("nn.CosineEmbeddingLoss()", "new nn.CosineEmbeddingLoss()"),
    ("nn.MarginRankingLoss()", "new nn.MarginRankingLoss()"),
    ("nn.TripletMarginLoss()", "new nn.TripletMarginLoss()"),
    ("nn.CTCLoss()", "new nn.CTCLoss()"),
    ("nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Dropout(0.1), nn.Sequential(nn.Linear(8, 2), nn.LogSoftmax(1)))",
     "new nn.Sequential(new nn.Linear(4, 8), new nn.GELU(), new nn.Dropout(0.1), "
     "new nn.Sequential(new nn.Linear(8, 2), new nn.LogSoftmax(1)))"),
]


def reprs():
    return [{"py": py, "ts": ts, "repr": repr(ev(py))} for py, ts in REPRS]


# ---- default init of the layers and nn.init, seeded ---------------------------------------------
LAYER_INITS = [
    ("nn.Linear(5, 3)", "new nn.Linear(5, 3)"),
    ("nn.Linear(7, 4, bias=False)", "new nn.Linear(7, 4, { bias: false })"),
    ("nn.Linear(6, 2, dtype=torch.float64)", "new nn.Linear(6, 2, { dtype: 'float64' })"),
    ("nn.Bilinear(3, 4, 2)", "new nn.Bilinear(3, 4, 2)"),
    ("nn.Embedding(6, 4)", "new nn.Embedding(6, 4)"),
    ("nn.Embedding(6, 4, padding_idx=2)", "new nn.Embedding(6, 4, { paddingIdx: 2 })"),
    ("nn.PReLU(3, init=0.1)", "new nn.PReLU(3, 0.1)"),
    ("nn.Sequential(nn.Linear(3, 40), nn.ReLU(), nn.Linear(40, 2))",
     "new nn.Sequential(new nn.Linear(3, 40), new nn.ReLU(), new nn.Linear(40, 2))"),
]


def layer_inits():
    out = []
    for seed, (py, ts) in enumerate(LAYER_INITS):
        torch.manual_seed(seed)
        m = ev(py)
        out.append({"py": py, "ts": ts, "seed": seed,
                    "state": [[k, enc_tensor(v)] for k, v in m.state_dict().items()]})
    return out


INITS = [
    ("nn.init.uniform_(torch.empty(4, 5), -0.5, 2.0)", "nn.init.uniform_(torch.empty([4, 5]), -0.5, 2.0)"),
    ("nn.init.normal_(torch.empty(40), 1.0, 0.5)", "nn.init.normal_(torch.empty([40]), 1.0, 0.5)"),
    ("nn.init.normal_(torch.empty(5, 3))", "nn.init.normal_(torch.empty([5, 3]))"),
    ("nn.init.normal_(torch.empty(20, dtype=torch.float64), 0.0, 2.0)",
     "nn.init.normal_(torch.empty([20], { dtype: 'float64' }), 0.0, 2.0)"),
    ("nn.init.constant_(torch.empty(2, 3), 0.3)", "nn.init.constant_(torch.empty([2, 3]), 0.3)"),
    ("nn.init.ones_(torch.empty(2, 2))", "nn.init.ones_(torch.empty([2, 2]))"),
    ("nn.init.zeros_(torch.ones(3))", "nn.init.zeros_(torch.ones([3]))"),
    ("nn.init.eye_(torch.empty(3, 5))", "nn.init.eye_(torch.empty([3, 5]))"),
    ("nn.init.dirac_(torch.empty(4, 2, 3))", "nn.init.dirac_(torch.empty([4, 2, 3]))"),
    ("nn.init.dirac_(torch.empty(6, 2, 3, 3), groups=2)", "nn.init.dirac_(torch.empty([6, 2, 3, 3]), 2)"),
    ("nn.init.xavier_uniform_(torch.empty(6, 4))", "nn.init.xavierUniform_(torch.empty([6, 4]))"),
    ("nn.init.xavier_uniform_(torch.empty(3, 2, 2, 2), gain=nn.init.calculate_gain('relu'))",
     "nn.init.xavierUniform_(torch.empty([3, 2, 2, 2]), nn.init.calculateGain('relu'))"),
    ("nn.init.xavier_normal_(torch.empty(30, 4), gain=2.0)", "nn.init.xavierNormal_(torch.empty([30, 4]), 2.0)"),
    ("nn.init.kaiming_uniform_(torch.empty(5, 4), a=math.sqrt(5))",
     "nn.init.kaimingUniform_(torch.empty([5, 4]), Math.sqrt(5))"),
    ("nn.init.kaiming_uniform_(torch.empty(5, 4, 3), mode='fan_out', nonlinearity='relu')",
     "nn.init.kaimingUniform_(torch.empty([5, 4, 3]), 0, 'fan_out', 'relu')"),
    ("nn.init.kaiming_normal_(torch.empty(8, 6))", "nn.init.kaimingNormal_(torch.empty([8, 6]))"),
    ("nn.init.kaiming_normal_(torch.empty(8, 3, 2), a=0.2, mode='fan_out')",
     "nn.init.kaimingNormal_(torch.empty([8, 3, 2]), 0.2, 'fan_out')"),
    ("nn.init.trunc_normal_(torch.empty(6, 5), 0.5, 2.0, -1.0, 3.0)",
     "nn.init.truncNormal_(torch.empty([6, 5]), 0.5, 2.0, -1.0, 3.0)"),
    ("nn.init.trunc_normal_(torch.empty(30, dtype=torch.float64))",
     "nn.init.truncNormal_(torch.empty([30], { dtype: 'float64' }))"),
    ("nn.init.orthogonal_(torch.empty(5, 3))", "nn.init.orthogonal_(torch.empty([5, 3]))"),
    ("nn.init.orthogonal_(torch.empty(3, 5), gain=2.0)", "nn.init.orthogonal_(torch.empty([3, 5]), 2.0)"),
    ("nn.init.orthogonal_(torch.empty(4, 2, 2, 2, dtype=torch.float64))",
     "nn.init.orthogonal_(torch.empty([4, 2, 2, 2], { dtype: 'float64' }))"),
    ("nn.init.sparse_(torch.empty(6, 4), 0.5)", "nn.init.sparse_(torch.empty([6, 4]), 0.5)"),
    ("nn.init.sparse_(torch.empty(5, 3), 0.3, std=1.0)", "nn.init.sparse_(torch.empty([5, 3]), 0.3, 1.0)"),
]


def inits():
    out = []
    for seed, (py, ts) in enumerate(INITS):
        torch.manual_seed(100 + seed)
        out.append({"py": py, "ts": ts, "seed": 100 + seed, "value": enc_tensor(ev(py))})
    return out


GAINS = [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
         ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]


def gains():
    return [[nl, p, nn.init.calculate_gain(nl, p)] for nl, p in GAINS]


# ---- Module behaviour ---------------------------------------------------------------------------
class Net(nn.Module):
    """Mirrored in test/nn.test.ts: own parameter, persistent and non-persistent buffers, containers."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 4, padding_idx=0)
        self.register_buffer("scale", torch.ones(1))
        self.register_buffer("tmp", torch.zeros(2), persistent=False)
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 4, bias=False)])
        self.head = nn.Sequential(nn.Dropout(0.1), nn.Linear(4, 3), nn.PReLU())
        self.alpha = nn.Parameter(torch.zeros(3))
        self.heads = nn.ModuleDict({"b": nn.Linear(3, 2), "a": nn.Bilinear(3, 3, 1)})


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.register_buffer("count", torch.zeros(1))


def load_error(sd, strict=True):
    try:
        Small().load_state_dict(sd, strict=strict)
    except RuntimeError as e:
        return str(e)
    return None


def module_api():
    net = Net()
    small = Small().state_dict()
    fc_w = small["fc.weight"]
    errors = {
        "missing": load_error({"fc.weight": fc_w, "count": small["count"]}),
        "unexpected": load_error({**small, "extra.weight": torch.zeros(1)}),
        "shape": load_error({**small, "fc.weight": torch.zeros(2, 4)}),
        "shape_nonstrict": load_error({"fc.weight": torch.zeros(2, 4)}, strict=False),
    }
    ok = Small().load_state_dict({"fc.weight": fc_w, "extra": torch.zeros(1)}, strict=False)
    return {
        "named_parameters": [[k, list(p.shape)] for k, p in net.named_parameters()],
        "state_dict": [[k, list(t.shape)] for k, t in net.state_dict().items()],
        "named_buffers": [k for k, _ in net.named_buffers()],
        "named_modules": [k for k, _ in net.named_modules()],
        "named_children": [k for k, _ in net.named_children()],
        "num_parameters": sum(p.numel() for p in net.parameters()),
        "load_errors": errors,
        "nonstrict_result": {"missing": ok.missing_keys, "unexpected": ok.unexpected_keys},
    }


# ---- dropout train/eval, seeded -----------------------------------------------------------------
def dropout_modes():
    torch.manual_seed(7)
    x = torch.randn(4, 6)
    m = nn.Sequential(nn.Dropout(0.4), nn.Dropout2d(0.5))
    torch.manual_seed(8)
    train_out = m(x.reshape(2, 3, 4, 1)).reshape(4, 6)
    m.eval()
    eval_out = m(x.reshape(2, 3, 4, 1)).reshape(4, 6)
    return {"x": enc_tensor(x), "seed": 8, "train": enc_tensor(train_out), "eval": enc_tensor(eval_out)}


# ---- clip_grad_norm_ / clip_grad_value_ ---------------------------------------------------------
def clipping():
    g = torch.Generator().manual_seed(11)
    grads = [torch.randn(3, 4, generator=g), torch.randn(5, generator=g) * 3, torch.randn(2, 2, 2, generator=g)]
    cases = []
    for max_norm, norm_type in [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0), (2.0, float("inf")), (1.5, 3.0)]:
        params = [torch.zeros_like(t, requires_grad=True) for t in grads]
        for p, gr in zip(params, grads):
            p.grad = gr.clone()
        total = nn.utils.clip_grad_norm_(params, max_norm, norm_type)
        cases.append({"max_norm": max_norm, "norm_type": enc(norm_type), "total": enc(total.item()),
                      "clipped": [enc_tensor(p.grad) for p in params]})
    params = [torch.zeros_like(t, requires_grad=True) for t in grads]
    for p, gr in zip(params, grads):
        p.grad = gr.clone()
    nn.utils.clip_grad_value_(params, 0.7)
    return {"grads": [enc_tensor(t) for t in grads], "norm": cases,
            "value": {"clip": 0.7, "clipped": [enc_tensor(p.grad) for p in params]}}


# ---- golden MLP: PyTorch weights, outputs, loss and gradients --------------------------------------
def golden_mlp():
    torch.manual_seed(21)
    model = nn.Sequential(nn.Linear(6, 16), nn.GELU(), nn.Dropout(0.3), nn.Linear(16, 16), nn.SiLU(),
                          nn.Linear(16, 4))
    x = torch.randn(8, 6)
    y = torch.tensor([0, 3, 1, 2, 3, 0, 1, 1])
    model.train()
    torch.manual_seed(22)
    logits = model(x)
    loss = nn.CrossEntropyLoss(label_smoothing=0.05)(logits, y)
    loss.backward()
    return {
        "seed_init": 21, "seed_forward": 22,
        "state": [[k, enc_tensor(v)] for k, v in model.state_dict().items()],
        "x": enc_tensor(x), "y": enc_tensor(y), "logits": enc_tensor(logits), "loss": enc(loss.item()),
        "grads": [[k, enc_tensor(p.grad)] for k, p in model.named_parameters()],
    }


def main():
    torch.set_num_threads(1)
    data = {
        "torch": torch.__version__,
        "reprs": reprs(),
        "layer_inits": layer_inits(),
        "inits": inits(),
        "gains": gains(),
        "module_api": module_api(),
        "dropout": dropout_modes(),
        "clip": clipping(),
        "golden_mlp": golden_mlp(),
    }
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"))
    print(f"wrote {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
