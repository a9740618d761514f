# The PyTorch contender of the CPU benchmark (bench/cpu/run.ts): builds one case of bench/cpu/cases.ts
# (the same JSON spec the TS contenders get) with PyTorch's eager API, times it by the same rule as
# bench/cpu/timing.ts, and prints one JSON line ({setup, times_ms} or {setup, error}).
#   /usr/bin/python3 bench/cpu/torch_cases.py '<request JSON>'
# The driver sets OPENBLAS_NUM_THREADS to the request's thread count; this sets torch.set_num_threads.
import gzip
import json
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))


def make_cnn():
    """The README CNN (examples/fashion_mnist.ts makeModel)."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10),
    )


def make_model(kind):
    return make_mlp() if kind == "mlp" else make_cnn()


def input_shape(kind, batch):
    return (batch, 784) if kind == "mlp" else (batch, 1, 28, 28)


def make_optimizer(kind, params):
    return torch.optim.SGD(params, lr=0.01, momentum=0.9) if kind == "sgd" else torch.optim.Adam(params, lr=1e-3)


def train_step(model, opt, x, y):
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


def read_idx(path, magic):
    if not os.path.exists(path):
        path += ".gz"
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if struct.unpack(">I", raw[:4])[0] != magic:
        raise ValueError(f"{path} is not an idx file (magic {magic})")
    return struct.unpack(">I", raw[4:8])[0], raw[4 + 4 * (magic & 0xFF):]


def load_train(directory, limit):
    """The first `limit` training images, normalized as the demo does, and their labels."""
    n_img, img = read_idx(os.path.join(directory, "train-images-idx3-ubyte"), 0x803)
    n_lab, lab = read_idx(os.path.join(directory, "train-labels-idx1-ubyte"), 0x801)
    count = min(limit, n_img, n_lab)
    images = torch.frombuffer(bytearray(img[: count * 784]), dtype=torch.uint8).float()
    images = ((images / 255 - 0.286) / 0.353).reshape(count, 1, 28, 28)
    labels = torch.frombuffer(bytearray(lab[:count]), dtype=torch.uint8).long()
    return images, labels


def prepare(spec):
    """Returns (step, calls): step() runs `calls` operations of the case."""
    torch.manual_seed(0)
    kind = spec["kind"]
    if kind == "matmul":
        a, b = torch.randn(spec["n"], spec["n"]), torch.randn(spec["n"], spec["n"])
        return (lambda: torch.matmul(a, b)), 1
    if kind == "conv":
        conv1, conv2 = nn.Conv2d(1, 32, 3, padding=1), nn.Conv2d(32, 64, 3, padding=1)
        x = torch.randn(spec["batch"], 1, spec["size"], spec["size"])

        def forward():
            return conv2(conv1(x).relu())

        if not spec["backward"]:
            def fwd():
                with torch.no_grad():
                    return forward()
            return fwd, 1
        return (lambda: forward().sum().backward()), 1
    if kind == "train":
        model = make_model(spec["model"])
        opt = make_optimizer(spec["optim"], model.parameters())
        x = torch.randn(*input_shape(spec["model"], spec["batch"]))
        y = torch.randint(0, 10, (spec["batch"],))
        return (lambda: train_step(model, opt, x, y)), 1
    if kind == "chain":
        x, w, b = torch.randn(spec["n"]), torch.randn(spec["n"]), torch.randn(spec["n"])
        return (lambda: (x * w + b).relu()), 1
    if kind == "add":
        a, b = torch.randn(spec["n"]), torch.randn(spec["n"])
        calls = spec["calls"]

        def adds():
            for _ in range(calls):
                torch.add(a, b)
        return adds, calls
    if kind == "infer":
        model = make_model(spec["model"])
        model.eval()
        x = torch.randn(*input_shape(spec["model"], spec["batch"]))

        def infer():
            with torch.no_grad():
                return model(x)
        return infer, 1
    if kind == "epoch":
        images, labels = load_train(spec["dir"], spec["images"])
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(images, labels), batch_size=spec["batch"], shuffle=True)
        model = make_cnn()
        opt = torch.optim.Adam(model.parameters(), lr=0.002)
        for _ in range(3):  # warm-up outside the timed epoch, as the TS contenders do
            train_step(model, opt, images[: spec["batch"]], labels[: spec["batch"]])

        def epoch():
            last = None
            for x, y in loader:
                last = train_step(model, opt, x, y)
            return last.item()
        return epoch, 1
    raise ValueError(f"torch_cases: unknown case kind {kind}")


def time_steps(step, p, calls, single):
    """bench/cpu/timing.ts's rule: warm-up for warmupMs (at least one call), then minReps..maxReps timed
    calls within budgetMs; a `single` case runs one timed call and no warm-up."""
    if not single:
        w0 = time.perf_counter()
        step()
        while (time.perf_counter() - w0) * 1e3 < p["warmupMs"]:
            step()
    times = []
    t0 = time.perf_counter()
    max_reps, min_reps = (1, 1) if single else (p["maxReps"], p["minReps"])
    while len(times) < max_reps and (len(times) < min_reps or (time.perf_counter() - t0) * 1e3 < p["budgetMs"]):
        s = time.perf_counter()
        step()
        times.append((time.perf_counter() - s) * 1e3 / calls)
    return times


def main():
    req = json.loads(sys.argv[1])
    torch.set_num_threads(req["threads"])
    setup = {"torch": torch.__version__, "threads": torch.get_num_threads(),
             "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS")}
    try:
        step, calls = prepare(req["spec"])
        result = {"setup": setup, "times_ms": time_steps(step, req["protocol"], calls, req["single"])}
    except Exception as e:  # reported in the table, like a TS contender's error
        result = {"setup": setup, "error": f"{type(e).__name__}: {e}"}
    print(json.dumps(result), flush=True)


main()
