// Per-op overhead benchmark, torchts beside PyTorch (bench/overhead_torch.py under /usr/bin/python3),
// both on one thread: dispatch of a 16-element add (plain and with autograd recording), the
// elementwise chain relu(x * w + b) at 1e6 and 1e7 float32 elements, inference at batch 1 (MLP
// 784-256-256-10, a small CNN) and an MLP training step at batch 128. Prints median microseconds
// per call and the time ratio torchts / PyTorch.
//   npx tsx bench/overhead.ts [--reps 15] [--only add16,mlp_b1] [--no-torch]
// Set LD_LIBRARY_PATH/OPENBLAS_CORETYPE as bench/run.sh does so PyTorch calls OpenBLAS.

import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../src/index.js";
import { cpuKernelInfo } from "../src/backends/cpu/native.js";
import { makeCnn, makeMlp } from "./models.js";

const here = dirname(fileURLToPath(import.meta.url));
const { nn, optim } = torch;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}
const REPS = Number(arg("reps", "15"));
const only = arg("only", "");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median over REPS batches of the microseconds per call, each batch `inner` calls (after a warm-up). */
function timeIt(fn: () => unknown, inner: number): number {
  for (let i = 0; i < Math.max(1, inner >> 2); i++) fn();
  const ts: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    ts.push(((performance.now() - t0) * 1e3) / inner);
  }
  return median(ts);
}

/** The cases, by the names overhead_torch.py uses. */
const cases: [string, () => number][] = [
  [
    "add16",
    () => {
      const a = torch.randn([16]);
      const b = torch.randn([16]);
      return timeIt(() => torch.add(a, b), 2000);
    },
  ],
  [
    "add16_grad",
    () => {
      const a = torch.randn([16], { requiresGrad: true });
      const b = torch.randn([16], { requiresGrad: true });
      return timeIt(() => torch.add(a, b), 2000);
    },
  ],
  ...(
    [
      [1e6, 20],
      [1e7, 3],
    ] as const
  ).map(([n, inner]): [string, () => number] => [
    `relu_fma_${n.toExponential().replace("e+", "e+0")}`,
    () => {
      const x = torch.randn([n]);
      const w = torch.randn([n]);
      const b = torch.randn([n]);
      return timeIt(() => torch.relu(x.mul(w).add(b)), inner);
    },
  ]),
  [
    "mlp_b1",
    () => {
      const m = makeMlp();
      const x = torch.randn([1, 784]);
      return torch.noGrad(() => timeIt(() => m.forward(x), 200));
    },
  ],
  [
    "cnn_b1",
    () => {
      const m = makeCnn();
      const x = torch.randn([1, 1, 28, 28]);
      return torch.noGrad(() => timeIt(() => m.forward(x), 50));
    },
  ],
  [
    "mlp_train_b128",
    () => {
      const m = makeMlp();
      const opt = new optim.SGD(m.parameters(), { lr: 0.01 });
      const x = torch.randn([128, 784]);
      const y = torch.randint(0, 10, [128]);
      return timeIt(() => {
        opt.zeroGrad();
        const loss = nn.functional.crossEntropy(m.forward(x) as torch.Tensor, y);
        loss.backward();
        opt.step();
      }, 10);
    },
  ],
];

function runTorch(): Record<string, number> | null {
  if (process.argv.includes("--no-torch")) return null;
  const r = spawnSync("/usr/bin/python3", [join(here, "overhead_torch.py"), String(REPS)], {
    encoding: "utf8",
    env: { ...process.env, OPENBLAS_NUM_THREADS: "1" },
  });
  if (r.status !== 0) {
    console.warn(`PyTorch side failed: ${r.stderr}`);
    return null;
  }
  return JSON.parse(r.stdout) as Record<string, number>;
}

const fmt = (us: number) => (us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2));

torch.setNumThreads(1);
torch.manualSeed(0);
const ref = runTorch();
const info = cpuKernelInfo();
console.log(`torchts kernels: ${info.kernels}${info.isa ? ` (${info.isa})` : ""}, 1 thread; ${REPS} batches per case`);
console.log("| case | torchts us | PyTorch us | torchts / PyTorch |");
console.log("| ---- | ---------- | ---------- | ----------------- |");
for (const [name, run] of cases) {
  if (only && !only.split(",").includes(name)) continue;
  const us = run();
  const p = ref?.[name];
  console.log(`| ${name} | ${fmt(us)} | ${p ? fmt(p) : "–"} | ${p ? (us / p).toFixed(2) : "–"} |`);
}
