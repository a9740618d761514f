#!/usr/bin/python3
"""PyTorch's trajectories of every torch.optim optimizer and lr scheduler, for test/optim.test.ts.

Run with Debian's PyTorch: `/usr/bin/python3 tools/gen_optim_fixtures.py`; writes test/fixtures/optim.json.

Optimizers: a fixed small problem (two parameters W (3, 4) and b (3,) in a tanh regression with a
quartic penalty, plus a third parameter c that the loss never uses, so it has no gradient), stepped N
times for each optimizer and option combination, in float32 and float64; the fixture holds the
parameters after every step and the optimizer's state_dict after the middle step and the last one.
Schedulers: the lr (and cycled momentum) of two parameter groups after every scheduler step, plus
each scheduler's state_dict.
"""

import copy
import json
import math
import os
import warnings

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "optim.json")

torch.manual_seed(0)
W0 = (torch.randn(3, 4) * 0.5).tolist()
B0 = (torch.randn(3) * 0.1).tolist()
C0 = torch.randn(2).tolist()
X = torch.randn(6, 4).tolist()
Y = (torch.randn(6, 3) * 0.5).tolist()


def loss_fn(W, b, x, y):
    """mean((tanh(x W^T + b) - y)^2) + 0.01 * sum(W^4); mirrored in test/optim.test.ts."""
    pred = torch.tanh(x @ W.t() + b)
    return ((pred - y) ** 2).mean() + 0.01 * (W ** 4).sum()


def enc(v):
    """JSON form of a state value: tensors as {dtype, shape, data}; inf as a string."""
    if isinstance(v, torch.Tensor):
        return {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "data": v.flatten().tolist()}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    if isinstance(v, dict):
        return {str(k): enc(x) for k, x in v.items()}
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


# (optimizer, kwargs[, groups as param indices with their own options, steps, dtypes])
OPT_CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.01, "maximize": True}),
    ("SGD", {"lr": 0.01, "momentum": 0.9}, [{"params": [0], "lr": 0.1}, {"params": [1, 2]}]),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    # beta2 = 0.5: v follows the shrinking g^2 down, so AMSGrad's running max differs from v
    ("Adam", {"lr": 0.05, "betas": [0.9, 0.5], "amsgrad": True}),
    ("Adam", {"lr": 0.01, "maximize": True, "weight_decay": 0.05}),
    ("Adam", {"lr": 0.01}, [{"params": [0]}, {"params": [1], "lr": 0.05, "betas": [0.5, 0.9]}]),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "betas": [0.9, 0.5], "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "eps": 1e-6, "maximize": True}),
    ("Adadelta", {"lr": 1.0}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.1}),
    ("Adadelta", {"lr": 1.0, "maximize": True}),
    ("Adamax", {"lr": 0.01}),
    ("Adamax", {"lr": 0.01, "betas": [0.8, 0.99], "weight_decay": 0.1}),
    ("Adamax", {"lr": 0.01, "maximize": True}),
    ("NAdam", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "momentum_decay": 0.01, "weight_decay": 0.1}),
    # rho_t passes 5 (the rectified update) only from step 6 with beta2 = 0.9, so RAdam runs 10 steps
    ("RAdam", {"lr": 0.01}, None, 10),
    ("RAdam", {"lr": 0.01, "betas": [0.9, 0.9], "weight_decay": 0.1}, None, 10),
    ("LBFGS", {"lr": 1, "max_iter": 4, "history_size": 3}),
    ("LBFGS", {"lr": 0.8, "max_iter": 6, "max_eval": 7, "history_size": 2}),
    ("LBFGS", {"lr": 1, "max_iter": 5, "history_size": 3, "line_search_fn": "strong_wolfe"}),
    # short steps: the line search extrapolates (cubic interpolation within bounds) before bracketing.
    # float64 only: in float32 this search is dominated by rounding (PyTorch's own float32 step size
    # changes by 6e-5 relative when the flat gradient is padded with the unused parameter's zeros)
    ("LBFGS", {"lr": 0.05, "max_iter": 5, "history_size": 3, "line_search_fn": "strong_wolfe"}, None, 5,
     [torch.float64]),
    # long steps: the zoom phase runs often, with insufficient progress near the bracket's ends
    ("LBFGS", {"lr": 20, "max_iter": 10, "history_size": 3, "line_search_fn": "strong_wolfe",
               "tolerance_change": 1e-7}),
]


def run_optimizer(name, kwargs, groups, steps, dtype, start=None, state_dict=None, first=0):
    """Run steps first+1..steps from the initial values (or `start`, loading `state_dict`)."""
    W0_, B0_, C0_ = start if start is not None else (W0, B0, C0)
    W = torch.tensor(W0_, dtype=dtype).reshape(3, 4).requires_grad_(True)
    b = torch.tensor(B0_, dtype=dtype, requires_grad=True)
    c = torch.tensor(C0_, dtype=dtype, requires_grad=True)
    x = torch.tensor(X, dtype=dtype)
    y = torch.tensor(Y, dtype=dtype)
    params = [W, b, c]
    kw = {k: tuple(v) if k == "betas" else v for k, v in kwargs.items()}
    if groups is None:
        arg = params
    else:
        arg = [{**{k: tuple(v) if k == "betas" else v for k, v in g.items()},
                "params": [params[i] for i in g["params"]]} for g in groups]
    opt = getattr(torch.optim, name)(arg, **kw)
    if state_dict is not None:
        opt.load_state_dict(state_dict)

    def closure():
        opt.zero_grad()
        loss = loss_fn(W, b, x, y)
        loss.backward()
        return loss

    traj, losses, mid, mid_sd = [], [], None, None
    for k in range(first, steps):
        if name == "LBFGS":
            loss = opt.step(closure)
        else:
            loss = closure()
            opt.step()
        losses.append(loss.item())
        traj.append([W.detach().flatten().tolist(), b.detach().flatten().tolist(), c.detach().flatten().tolist()])
        if k == steps // 2 - 1:
            mid = {"step": k + 1, "state_dict": enc(opt.state_dict())}
            mid_sd = copy.deepcopy(opt.state_dict())
    out = {"trajectory": traj, "losses": losses, "final_state_dict": enc(opt.state_dict())}
    if start is None:
        # PyTorch resumed from the middle: a fresh optimizer loads the mid state dict and continues (loading
        # casts floating state to the parameters' dtype, e.g. NAdam's float32 mu_product for float64 params)
        m = mid["step"]
        resumed = run_optimizer(name, kwargs, groups, steps, dtype, traj[m - 1], mid_sd, m)
        out["mid"] = mid
        out["resumed"] = {"trajectory": resumed["trajectory"], "final_state_dict": resumed["final_state_dict"]}
    return out


# LBFGS's line search on Rosenbrock's function from (x, y): long steps make the zoom phase move a trial
# point away from the bracket's end and swap its ends. float64 only (a float32 run is dominated by rounding).
ROSENBROCK_CASES = [
    ({"lr": 30, "max_iter": 10, "history_size": 2, "line_search_fn": "strong_wolfe"}, [-1.5, 2.0]),
    ({"lr": 10, "max_iter": 10, "history_size": 4, "line_search_fn": "strong_wolfe"}, [-1.2, 1.0]),
]


def rosenbrock_fixtures():
    out = []
    for kwargs, start in ROSENBROCK_CASES:
        p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS([p], **kwargs)

        def closure():
            opt.zero_grad()
            loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
            loss.backward()
            return loss

        traj, losses = [], []
        for _ in range(5):
            losses.append(opt.step(closure).item())
            traj.append(p.detach().tolist())
        out.append({"kwargs": kwargs, "start": start, "trajectory": traj, "losses": losses,
                    "final_state_dict": enc(opt.state_dict())})
    return out


def optimizer_fixtures():
    out = []
    for case in OPT_CASES:
        name, kwargs = case[0], case[1]
        groups = case[2] if len(case) > 2 else None
        steps = case[3] if len(case) > 3 else 5
        for dtype in case[4] if len(case) > 4 else (torch.float32, torch.float64):
            r = run_optimizer(name, kwargs, groups, steps, dtype)
            out.append({"optimizer": name, "kwargs": kwargs, "groups": groups, "steps": steps,
                        "dtype": str(dtype).replace("torch.", ""), **r})
    return out


# Schedulers: (name, builder(opt) -> scheduler, optimizer kind, how to step, steps)
METRICS = [1.0, 0.9, 0.85, 0.86, 0.849, 0.85, 0.86, 0.7, 0.71, 0.72, 0.72, 0.73, 0.69, 0.7, 0.7,
           0.7, 0.5, 0.51, 0.52, 0.53, 0.54, 0.55, 0.56, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]
LAMBDAS = {
    "pow095": lambda e: 0.95 ** e,
    "inv": lambda e: 1.0 / (e + 1),
    "step10": lambda e: 0.5 ** (e // 10),
    "mul09": lambda e: 0.9,
}
S = torch.optim.lr_scheduler
JUMPS = [(7 * k) % 23 for k in range(1, 31)]  # epochs passed to step(epoch), out of order
# (name, kwargs, builder[, optimizer kind, epochs passed to step(epoch)])
SCHED_CASES = [
    ("StepLR", {"step_size": 7, "gamma": 0.5}, lambda o: S.StepLR(o, 7, gamma=0.5)),
    ("StepLR", {"step_size": 3}, lambda o: S.StepLR(o, 3)),
    ("MultiStepLR", {"milestones": [5, 12, 12, 20], "gamma": 0.3}, lambda o: S.MultiStepLR(o, [5, 12, 12, 20], 0.3)),
    ("ExponentialLR", {"gamma": 0.9}, lambda o: S.ExponentialLR(o, 0.9)),
    ("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}, lambda o: S.CosineAnnealingLR(o, 10, 0.001)),
    ("CosineAnnealingLR", {"T_max": 30}, lambda o: S.CosineAnnealingLR(o, 30)),
    ("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2, "eta_min": 0.01},
     lambda o: S.CosineAnnealingWarmRestarts(o, 5, 2, 0.01)),
    ("CosineAnnealingWarmRestarts", {"T_0": 4}, lambda o: S.CosineAnnealingWarmRestarts(o, 4)),
    ("OneCycleLR", {"max_lr": [0.5, 0.2], "total_steps": 30},
     lambda o: S.OneCycleLR(o, [0.5, 0.2], total_steps=30)),
    ("OneCycleLR", {"max_lr": 0.3, "total_steps": 30, "anneal_strategy": "linear", "three_phase": True},
     lambda o: S.OneCycleLR(o, 0.3, total_steps=30, anneal_strategy="linear", three_phase=True), "Adam"),
    ("OneCycleLR", {"max_lr": 0.4, "epochs": 3, "steps_per_epoch": 10, "pct_start": 0.25, "cycle_momentum": False,
                    "div_factor": 10.0, "final_div_factor": 100.0},
     lambda o: S.OneCycleLR(o, 0.4, epochs=3, steps_per_epoch=10, pct_start=0.25, cycle_momentum=False,
                            div_factor=10.0, final_div_factor=100.0)),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 8},
     lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=8)),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 10},
     lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=10)),
    ("LinearLR", {}, lambda o: S.LinearLR(o)),
    ("ConstantLR", {"factor": 0.5, "total_iters": 4}, lambda o: S.ConstantLR(o, factor=0.5, total_iters=4)),
    ("PolynomialLR", {"total_iters": 20, "power": 2.0}, lambda o: S.PolynomialLR(o, total_iters=20, power=2.0)),
    ("LambdaLR", {"lr_lambda": "pow095"}, lambda o: S.LambdaLR(o, LAMBDAS["pow095"])),
    ("LambdaLR", {"lr_lambda": ["inv", "step10"]}, lambda o: S.LambdaLR(o, [LAMBDAS["inv"], LAMBDAS["step10"]])),
    ("MultiplicativeLR", {"lr_lambda": "mul09"}, lambda o: S.MultiplicativeLR(o, LAMBDAS["mul09"])),
    ("SequentialLR", {"schedulers": [["LinearLR", {"start_factor": 0.1, "total_iters": 5}],
                                     ["ExponentialLR", {"gamma": 0.9}]], "milestones": [5]},
     lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5), S.ExponentialLR(o, 0.9)], [5])),
    ("SequentialLR", {"schedulers": [["ConstantLR", {"factor": 0.5, "total_iters": 3}],
                                     ["StepLR", {"step_size": 4, "gamma": 0.5}],
                                     ["CosineAnnealingLR", {"T_max": 10}]], "milestones": [6, 15]},
     lambda o: S.SequentialLR(o, [S.ConstantLR(o, factor=0.5, total_iters=3), S.StepLR(o, 4, 0.5),
                                  S.CosineAnnealingLR(o, 10)], [6, 15])),
    ("ChainedScheduler", {"schedulers": [["ConstantLR", {"factor": 0.5, "total_iters": 4}],
                                         ["ExponentialLR", {"gamma": 0.95}]]},
     lambda o: S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=4), S.ExponentialLR(o, 0.95)])),
    ("ReduceLROnPlateau", {"factor": 0.5, "patience": 2, "threshold": 0.01, "cooldown": 1, "min_lr": [0.01, 0.02]},
     lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=2, threshold=0.01, cooldown=1, min_lr=[0.01, 0.02])),
    # step(epoch): fractional epochs for the warm restarts, the closed forms for the others
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.001},
     lambda o: S.CosineAnnealingWarmRestarts(o, 3, 2, 0.001), "SGD", [round(0.37 * k, 2) for k in range(1, 31)]),
    ("StepLR", {"step_size": 3, "gamma": 0.5}, lambda o: S.StepLR(o, 3, 0.5), "SGD", JUMPS),
    ("MultiStepLR", {"milestones": [4, 9, 9], "gamma": 0.5}, lambda o: S.MultiStepLR(o, [4, 9, 9], 0.5), "SGD", JUMPS),
    ("ExponentialLR", {"gamma": 0.8}, lambda o: S.ExponentialLR(o, 0.8), "SGD", JUMPS),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.01}, lambda o: S.CosineAnnealingLR(o, 7, 0.01), "SGD", JUMPS),
    ("LinearLR", {"start_factor": 0.2, "total_iters": 10}, lambda o: S.LinearLR(o, 0.2, total_iters=10), "SGD", JUMPS),
    ("ConstantLR", {"factor": 0.25, "total_iters": 8}, lambda o: S.ConstantLR(o, 0.25, 8), "SGD", JUMPS),
    ("PolynomialLR", {"total_iters": 15, "power": 0.5}, lambda o: S.PolynomialLR(o, 15, 0.5), "SGD", JUMPS),
    ("ReduceLROnPlateau", {"mode": "max", "threshold_mode": "abs", "patience": 1, "factor": 0.3, "eps": 0.002},
     lambda o: S.ReduceLROnPlateau(o, mode="max", threshold_mode="abs", patience=1, factor=0.3, eps=0.002)),
]


def scheduler_fixtures():
    out = []
    for case in SCHED_CASES:
        name, kwargs, build = case[:3]
        kind = case[3] if len(case) > 3 else "SGD"
        epochs = case[4] if len(case) > 4 else None
        p1 = torch.zeros(2, requires_grad=True)
        p2 = torch.zeros(3, requires_grad=True)
        groups = [{"params": [p1], "lr": 0.1}, {"params": [p2], "lr": 0.05}]
        opt = torch.optim.SGD(groups, lr=0.1, momentum=0.9) if kind == "SGD" else torch.optim.Adam(groups)
        sched = build(opt)
        mom_key = "momentum" if kind == "SGD" else "betas"

        def record():
            m = [g[mom_key] if kind == "SGD" else g["betas"][0] for g in opt.param_groups]
            return {"lr": [g["lr"] for g in opt.param_groups], "last_lr": list(sched._last_lr)
                    if hasattr(sched, "_last_lr") else None, "momentum": m}

        seq = [record()]
        for k in range(30):
            opt.step()
            if name == "ReduceLROnPlateau":
                sched.step(METRICS[k])
            elif epochs is not None:
                sched.step(epochs[k])
            else:
                sched.step()
            seq.append(record())
        sd = {k: v for k, v in sched.state_dict().items() if k not in ("anneal_func", "_schedulers")}
        if name == "MultiStepLR":
            sd["milestones"] = dict(sd["milestones"])
        out.append({"scheduler": name, "kwargs": kwargs, "optimizer": kind, "epochs": epochs, "sequence": seq,
                    "state_dict": enc(sd)})
    return out


def main():
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", message="The epoch parameter")
    fixture = {
        "torch": torch.__version__,
        "problem": {"W": W0, "b": B0, "c": C0, "x": X, "y": Y},
        "optimizers": optimizer_fixtures(),
        "rosenbrock": rosenbrock_fixtures(),
        "metrics": METRICS,
        "schedulers": scheduler_fixtures(),
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f, separators=(",", ":"), allow_nan=False)
    print(f"{len(fixture['optimizers'])} optimizer runs, {len(fixture['schedulers'])} scheduler runs -> "
          f"{os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
