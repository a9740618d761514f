# PyTorch side of bench/matmul.ts: times torch.matmul of random float32 n x n matrices and prints one
# JSON line per size ({"n", "times_ms"}) plus one describing the setup. Run with /usr/bin/python3.
import json
import os
import sys
import time

import torch


def main() -> None:
    args = dict(a.split("=", 1) for a in sys.argv[1:])
    threads = int(args.get("threads", "1"))
    sizes = [int(s) for s in args.get("sizes", "128,256,512,1024,2048").split(",")]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    print(json.dumps({"setup": {"torch": torch.__version__, "threads": torch.get_num_threads(),
                                "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS")}}), flush=True)
    for n in sizes:
        a = torch.randn(n, n)
        b = torch.randn(n, n)
        torch.matmul(a, b)
        reps = int(args.get("reps", "0")) or max(2, min(20, round(4e9 / n**3)))
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            torch.matmul(a, b)
            times.append((time.perf_counter() - t0) * 1e3)
        print(json.dumps({"n": n, "times_ms": times}), flush=True)


main()
