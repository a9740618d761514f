# PyTorch's side of bench/overhead.ts: the same cases, timed the same way, printed as one JSON object
# {case: median microseconds per call}. Run under /usr/bin/python3 (Debian's python3-torch 1.13).
#   OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/overhead_torch.py [reps]
import json
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)
REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 15


def median(xs):
    s = sorted(xs)
    return s[len(s) // 2]


def time_it(fn, inner):
    """Median over REPS batches of the microseconds per call, each batch `inner` calls."""
    for _ in range(max(1, inner // 4)):
        fn()
    ts = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        ts.append((time.perf_counter() - t0) * 1e6 / inner)
    return median(ts)


def mlp():
    return torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)
    )


def cnn():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(32 * 7 * 7, 10),
    )


res = {}
a, b = torch.randn(16), torch.randn(16)
res["add16"] = time_it(lambda: torch.add(a, b), 2000)
ag, bg = torch.randn(16, requires_grad=True), torch.randn(16, requires_grad=True)
res["add16_grad"] = time_it(lambda: torch.add(ag, bg), 2000)
for n, inner in ((10**6, 20), (10**7, 3)):
    x, w, bb = torch.randn(n), torch.randn(n), torch.randn(n)
    res[f"relu_fma_{n:.0e}"] = time_it(lambda: torch.relu(x * w + bb), inner)
with torch.no_grad():
    m, xi = mlp(), torch.randn(1, 784)
    res["mlp_b1"] = time_it(lambda: m(xi), 200)
    c, ci = cnn(), torch.randn(1, 1, 28, 28)
    res["cnn_b1"] = time_it(lambda: c(ci), 50)
m = mlp()
opt = torch.optim.SGD(m.parameters(), lr=0.01)
xt, yt = torch.randn(128, 784), torch.randint(0, 10, (128,))


def step():
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(m(xt), yt)
    loss.backward()
    opt.step()


res["mlp_train_b128"] = time_it(step, 10)
print(json.dumps(res))
