// Forward + backward of the README CNN's convolutions (conv 1->32 and 32->64, 3x3, ReLU between) on a
// batch of 32 28x28 images: the `convolution` primitive against the composite it replaced (one
// as_strided window view + reshape + matmul, whose backward scatters the im2col matrix back through
// the view), and against PyTorch CPU (Debian's python3-torch, 1 thread) when it is installed.
// Run: npx tsx bench/conv2d.ts [iterations]

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";

const F = torch.nn.functional;
const iters = Number(process.argv[2] ?? 5);

function rand(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return torch.tensor(a).reshape(shape);
}

/** The composite reference: windows of x as a view, copied into the im2col matrix, times the weight. */
function conv2dComposite(x: Tensor, w: Tensor, b: Tensor): Tensor {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, , kh, kw] = w.shape as [number, number, number, number];
  const [OH, OW] = [H - kh + 1, W - kw + 1];
  const xc = torch.contiguous(x);
  const win = torch.asStrided(xc, [N, OH, OW, C, kh, kw], [C * H * W, W, 1, H * W, W, 1], xc.offset);
  const out = torch.matmul(win.reshape(N * OH * OW, C * kh * kw), w.reshape(O, -1).t()).add(b);
  return out.reshape(N, OH, OW, O).permute(0, 3, 1, 2);
}

type Conv = (x: Tensor, w: Tensor, b: Tensor) => Tensor;

/** Fastest and median milliseconds of forward + backward through both convolutions (the fastest is the
 * least disturbed by other processes on a shared machine). */
function time(conv: Conv, n: number): { min: number; median: number } {
  const x = rand([32, 1, 28, 28]);
  const w1 = rand([32, 1, 3, 3]).requiresGrad_(true);
  const b1 = rand([32]).requiresGrad_(true);
  const w2 = rand([64, 32, 3, 3]).requiresGrad_(true);
  const b2 = rand([64]).requiresGrad_(true);
  const ms: number[] = [];
  for (let i = 0; i < n + 1; i++) {
    const t0 = performance.now();
    conv(conv(x, w1, b1).relu(), w2, b2)
      .sum()
      .backward();
    if (i > 0) ms.push(performance.now() - t0);
  }
  ms.sort((p, q) => p - q);
  return { min: ms[0]!, median: ms[Math.floor(ms.length / 2)]! };
}

const PY = `
import time, torch, torch.nn.functional as F
torch.set_num_threads(1)
x = torch.rand(32, 1, 28, 28) - 0.5
w1 = (torch.rand(32, 1, 3, 3) - 0.5).requires_grad_(); b1 = (torch.rand(32) - 0.5).requires_grad_()
w2 = (torch.rand(64, 32, 3, 3) - 0.5).requires_grad_(); b2 = (torch.rand(64) - 0.5).requires_grad_()
ts = []
for i in range(${iters} + 1):
    t0 = time.perf_counter()
    F.conv2d(F.conv2d(x, w1, b1).relu(), w2, b2).sum().backward()
    ts.append((time.perf_counter() - t0) * 1000)
print(min(ts[1:]))
`;

const fmt = (r: { min: number; median: number }) => `${r.min.toFixed(0)} ms (median ${r.median.toFixed(0)} ms)`;
const prim = time((x, w, b) => F.conv2d(x, w, b), iters);
console.log(`convolution primitive: ${fmt(prim)} over ${iters} runs`);
const comp = time(conv2dComposite, iters);
console.log(`composite (as_strided + matmul): ${fmt(comp)}`);
if (existsSync("/usr/bin/python3")) {
  const r = spawnSync("/usr/bin/python3", ["-c", PY], { encoding: "utf8" });
  if (r.status === 0) {
    const ms = Number(r.stdout.trim());
    console.log(`PyTorch CPU, 1 thread: ${ms.toFixed(1)} ms (primitive / PyTorch: ${(prim.min / ms).toFixed(0)}x)`);
  } else console.log(`PyTorch not run: ${r.stderr.trim().split("\n").pop()}`);
}
