"""Joins bench/webgpu.ts's JSON (torchts and TensorFlow.js on WebGPU) with bench/gpu/torch_cuda.py's
(PyTorch on CUDA, fp32 without TF32) into one markdown table, and checks the fp32 matmul target:
torchts at n = 4096 (or the largest size run) reaches at least 40% of PyTorch's GFLOP/s.

    python3 bench/gpu/summary.py webgpu.json torch_cuda.json
"""

import json
import sys

web = json.load(open(sys.argv[1]))
ref = {r["key"]: r for r in json.load(open(sys.argv[2]))["rows"]}
print(f"WebGPU adapter (torchts): {web['adapter']}; PyTorch device: {json.load(open(sys.argv[2]))['device']}")
print()
print("| case | torchts ms | TF.js ms | PyTorch CUDA ms | torchts / TF.js | torchts / PyTorch | GFLOP/s torchts, TF.js, PyTorch |")
print("| ---- | ---------- | -------- | --------------- | --------------- | ----------------- | ------------------------------- |")


def fmt(ms):
    return "–" if ms is None else f"{ms:.4g}"


def gf(flop, ms):
    return "–" if ms is None or flop <= 1e6 else f"{flop / ms / 1e6:.0f}"


best = None
for r in web["rows"]:
    t, tf = r["torchtsMs"], r["tfjsMs"]
    p = ref.get(r["key"], {}).get("median_ms")
    ratio_tf = "–" if t is None or tf is None else f"{t / tf:.2f}"
    ratio_pt = "–" if t is None or p is None else f"{t / p:.2f}"
    print(
        f"| {r['name']} | {fmt(t)} | {fmt(tf)} | {fmt(p)} | {ratio_tf} | {ratio_pt} | "
        f"{gf(r['flop'], t)}, {gf(r['flop'], tf)}, {gf(r['flop'], p)} |"
    )
    if r["key"].startswith("matmul-") and t is not None and p is not None:
        n = int(r["key"].split("-")[1])
        if best is None or n > best[0]:
            best = (n, p / t)
if best:
    n, frac = best
    verdict = "met" if frac >= 0.4 else "NOT met"
    print()
    print(f"fp32 matmul {n}: torchts reaches {100 * frac:.0f}% of PyTorch's GFLOP/s (target 40%: {verdict})")
