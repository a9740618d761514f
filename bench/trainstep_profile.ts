// Train-step timings of the issue-4 targets, side by side with PyTorch CPU (Debian's python3-torch) at
// the same thread count: MLP 784-256-256-10 at batch 128 (SGD with momentum, Adam), the README CNN
// (examples/fashion_mnist.ts) at batch 64 (SGD, Adam), and conv 1->32->64 3x3 forward + backward at
// batch 32 on 28x28. Prints the fastest and median ms per step and the ratio torchts / PyTorch.
// Profile one case: node --cpu-prof --import tsx bench/trainstep_profile.ts --only cnn-adam
// Run: npx tsx bench/trainstep_profile.ts [--threads 1] [--iters 30] [--only name] [--no-torch] [--cpu]
// (see TORCH_BLAS_DIR below for the BLAS PyTorch uses)

import { spawnSync } from "node:child_process";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { makeCnn, makeMlp } from "./models.js";
import { cpuKernelInfo } from "../src/backends/cpu/native.js";

const { nn, optim } = torch;
const F = nn.functional;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const threads = Number(arg("--threads", "1"));
const iters = Number(arg("--iters", "30"));
const only = arg("--only", "");
// --cpu: CPU time of this process per step instead of wall time (steadier on a loaded machine; at one
// thread it is the step's time, at more it is the sum over threads)
const cpuClock = process.argv.includes("--cpu");
const now = () => {
  if (!cpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
torch.setNumThreads(threads);

type Case = { name: string; step: () => void };

function trainCase(name: string, model: torch.nn.Module, x: Tensor, y: Tensor, adam: boolean): Case {
  const opt = adam
    ? new optim.Adam(model.parameters(), { lr: 1e-3 })
    : new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  return {
    name,
    step() {
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x) as Tensor, y);
      loss.backward();
      opt.step();
    },
  };
}

torch.manualSeed(0);
const xm = torch.randn([128, 784]);
const ym = torch.randint(0, 10, [128]);
const xc = torch.randn([64, 1, 28, 28]);
const yc = torch.randint(0, 10, [64]);
const xv = torch.randn([32, 1, 28, 28]);
const w1 = torch.randn([32, 1, 3, 3]).requiresGrad_(true);
const b1 = torch.randn([32]).requiresGrad_(true);
const w2 = torch.randn([64, 32, 3, 3]).requiresGrad_(true);
const b2 = torch.randn([64]).requiresGrad_(true);

const cases: Case[] = [
  trainCase("mlp-sgd", makeMlp(), xm, ym, false),
  trainCase("mlp-adam", makeMlp(), xm, ym, true),
  trainCase("cnn-sgd", makeCnn(), xc, yc, false),
  trainCase("cnn-adam", makeCnn(), xc, yc, true),
  {
    name: "conv",
    step() {
      F.conv2d(F.conv2d(xv, w1, b1).relu(), w2, b2)
        .sum()
        .backward();
    },
  },
].filter((c) => !only || c.name === only);

function time(step: () => void): { min: number; median: number } {
  for (let i = 0; i < 3; i++) step();
  const ms: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = now();
    step();
    ms.push(now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { min: ms[0]!, median: ms[ms.length >> 1]! };
}

const PY = `
import sys, time, json, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(int(sys.argv[1])); iters = int(sys.argv[2])
clock = time.process_time if sys.argv[3] == "cpu" else time.perf_counter
torch.manual_seed(0)
def mlp(): return nn.Sequential(nn.Linear(784,256), nn.ReLU(), nn.Linear(256,256), nn.ReLU(), nn.Linear(256,10))
def cnn(): return nn.Sequential(nn.Conv2d(1,16,3,padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16,32,3,padding=1),
    nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32*7*7,10))
def train(model, x, y, adam):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3) if adam else torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    def step():
        opt.zero_grad(); F.cross_entropy(model(x), y).backward(); opt.step()
    return step
xm, ym = torch.randn(128, 784), torch.randint(0, 10, (128,))
xc, yc = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
xv = torch.randn(32, 1, 28, 28)
w1, b1 = torch.randn(32, 1, 3, 3, requires_grad=True), torch.randn(32, requires_grad=True)
w2, b2 = torch.randn(64, 32, 3, 3, requires_grad=True), torch.randn(64, requires_grad=True)
def conv(): F.conv2d(F.conv2d(xv, w1, b1).relu(), w2, b2).sum().backward()
cases = {"mlp-sgd": train(mlp(), xm, ym, False), "mlp-adam": train(mlp(), xm, ym, True),
    "cnn-sgd": train(cnn(), xc, yc, False), "cnn-adam": train(cnn(), xc, yc, True), "conv": conv}
out = {}
for name, step in cases.items():
    for _ in range(3): step()
    ms = []
    for _ in range(iters):
        t0 = clock(); step(); ms.append((clock() - t0) * 1e3)
    ms.sort(); out[name] = {"min": ms[0], "median": ms[len(ms) // 2]}
print(json.dumps(out))
`;

// Debian's PyTorch uses whatever libblas.so.3 the system selects; where that is the slow reference BLAS,
// TORCH_BLAS_DIR=<dir with OpenBLAS's libblas.so.3> (e.g. from `apt-get download libopenblas0-pthread`
// and `dpkg -x`) gives PyTorch OpenBLAS (set OPENBLAS_CORETYPE=SkylakeX where it misdetects the CPU).
const blasDir = process.env.TORCH_BLAS_DIR;
let ref: Record<string, { min: number; median: number }> = {};
if (!process.argv.includes("--no-torch")) {
  const r = spawnSync("/usr/bin/python3", ["-c", PY, String(threads), String(iters), cpuClock ? "cpu" : "wall"], {
    encoding: "utf8",
    env: {
      ...process.env,
      OPENBLAS_NUM_THREADS: String(threads),
      OMP_NUM_THREADS: String(threads),
      ...(blasDir ? { LD_LIBRARY_PATH: blasDir } : {}),
    },
  });
  if (r.status === 0) ref = JSON.parse(r.stdout) as typeof ref;
  else console.warn(`PyTorch reference unavailable: ${r.stderr.split("\n").slice(-3).join(" ")}`);
}

console.log(`threads ${threads}, kernels ${cpuKernelInfo().kernels} (${cpuKernelInfo().isa}), ${iters} steps`);
for (const c of cases) {
  const t = time(c.step);
  const p = ref[c.name];
  const ratio = p ? `  ratio min ${(t.min / p.min).toFixed(2)} median ${(t.median / p.median).toFixed(2)}` : "";
  const pt = p ? `  torch ${p.min.toFixed(2)} / ${p.median.toFixed(2)}` : "";
  console.log(`${c.name.padEnd(9)} torchts ${t.min.toFixed(2)} / ${t.median.toFixed(2)} ms${pt}${ratio}`);
}
