// WebGPU benchmark: torchts's webgpu device beside TensorFlow.js's webgpu backend, in one process on
// the same WebGPU adapter (both take their GPU from one `navigator.gpu`: the npm `webgpu` package's
// Dawn in Node). Cases: square float32 matmul, conv 1->32->64 3x3 forward + backward, the MLP
// 784-256-256-10 and the README CNN training steps with SGD, and per-op dispatch of a 16-element add.
// Each contender is warmed up (shaders compiled), then timed over rounds that alternate the two; a
// timing covers `reps` calls followed by waiting for the GPU to finish them (torchts:
// torch.webgpu.synchronize(); TF.js: submit its queue, then queue.onSubmittedWorkDone()). Prints a
// markdown table of median ms per call (min–max over rounds) and the time ratio torchts / TF.js.
//   npx tsx bench/webgpu.ts [--full] [--sizes 128,256,512] [--rounds 5] [--only matmul,conv,mlp,cnn,add16]
//                           [--conv-batch 4] [--mlp-batch 128] [--cnn-batch 8] [--budget-ms 300] [--json out.json]
// Defaults are small enough for lavapipe (CPU Vulkan); --full uses the sizes (matmul 256..4096,
// conv and CNN at batch 32 and 64) for a real GPU.

import { writeFileSync } from "node:fs";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { makeCnn, makeMlp } from "./models.js";

// ---- options ------------------------------------------------------------------------------------

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}
const full = process.argv.includes("--full");
const sizes = arg("sizes", full ? "256,512,1024,2048,4096" : "128,256,512")
  .split(",")
  .map(Number);
const rounds = Number(arg("rounds", "5"));
const only = arg("only", "")
  .split(",")
  .filter((s) => s);
const convBatch = Number(arg("conv-batch", full ? "32" : "4"));
const mlpBatch = Number(arg("mlp-batch", "128"));
const cnnBatch = Number(arg("cnn-batch", full ? "64" : "8"));
const budgetMs = Number(arg("budget-ms", full ? "200" : "300"));
const jsonPath = arg("json", "");
const withTfjs = !process.argv.includes("--no-tfjs");

// ---- one GPU for both ---------------------------------------------------------------------------

// the npm `webgpu` package (Dawn): its GPU object as navigator.gpu, its GPU* constants as globals
// (TF.js reads GPUBufferUsage etc.); torchts's gpu.ts picks navigator.gpu up when it is set
const pkg = "webgpu";
const dawn = (await import(pkg)) as { create(flags: string[]): GPU; globals: Record<string, unknown> };
Object.assign(globalThis, dawn.globals);
Object.defineProperty(globalThis, "navigator", { value: { gpu: dawn.create([]) }, configurable: true });

const info = await torch.webgpu.init();
const tf = await import("@tensorflow/tfjs-core");
type TfTensor = import("@tensorflow/tfjs-core").Tensor;
type TfBackend = {
  device: GPUDevice;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  adapterInfo?: unknown;
};
let tfBackend: TfBackend | null = null;
if (withTfjs) {
  await import("@tensorflow/tfjs-core/dist/register_all_gradients.js");
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) throw new Error("TensorFlow.js: the webgpu backend failed to initialise");
  // TF.js computes ops on tensors under 128 elements whose data is still on the CPU on the CPU; every
  // case here measures GPU work (torchts keeps webgpu tensors on the GPU), so that hand-off is off
  tf.env().set("WEBGPU_CPU_FORWARD", false);
  tfBackend = tf.backend() as unknown as TfBackend;
}

// ---- timing -------------------------------------------------------------------------------------

/** One contender of a case: `run` queues one call (its results disposed), `sync` waits for the GPU. */
interface Contender {
  run(): void;
  sync(): Promise<void>;
  /** Frees what setup made. */
  dispose(): void;
}

const torchSync = () => torch.webgpu.synchronize();
async function tfSync(): Promise<void> {
  // as TF.js's own readback does: close the open compute pass, submit, then wait
  tfBackend!.ensureCommandEncoderReady();
  tfBackend!.endComputePassEncoder();
  tfBackend!.submitQueue();
  await tfBackend!.device.queue.onSubmittedWorkDone();
}

/** ms per call over `reps` calls, GPU completion included. */
async function timeReps(c: Contender, reps: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) c.run();
  await c.sync();
  return (performance.now() - t0) / reps;
}

/**
 * Warm up (compiles shaders), then pick repetitions so a timing takes about `budgetMs`: the reps grow
 * fourfold while a timing is short, as a single call's time is mostly the wait for the GPU.
 */
async function calibrate(c: Contender, maxReps: number): Promise<number> {
  await timeReps(c, 2);
  let reps = 1;
  for (;;) {
    const total = (await timeReps(c, reps)) * reps;
    if (total >= budgetMs / 4 || reps >= maxReps) break;
    reps = Math.min(maxReps, reps * 4);
  }
  return reps;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

interface Row {
  /** The case's key, shared with bench/gpu/torch_cuda.py's JSON. */
  key: string;
  name: string;
  flop: number;
  torchts: number[];
  tfjs: number[];
  reps: [number, number];
}

/** Time the contenders of one case in alternating rounds. */
async function runCase(
  key: string,
  name: string,
  flop: number,
  make: () => Contender,
  makeTf: () => Contender,
  maxReps = 50,
): Promise<Row> {
  console.error(`${name}: warming up`);
  const a = make();
  const b = withTfjs ? makeTf() : null;
  const ra = await calibrate(a, maxReps);
  const rb = b ? await calibrate(b, maxReps) : 0;
  const row: Row = { key, name, flop, torchts: [], tfjs: [], reps: [ra, rb] };
  for (let r = 0; r < rounds; r++) {
    row.torchts.push(await timeReps(a, ra));
    if (b) row.tfjs.push(await timeReps(b, rb));
  }
  a.dispose();
  b?.dispose();
  console.error(
    `${name}: torchts ${median(row.torchts).toFixed(3)} ms, TF.js ${b ? median(row.tfjs).toFixed(3) : "-"} ms`,
  );
  return row;
}

// ---- cases: torchts -----------------------------------------------------------------------------

const dev = "webgpu";
const { nn, optim } = torch;
const F = nn.functional;

function torchMatmul(n: number): Contender {
  const a = torch.randn([n, n], { device: dev });
  const b = torch.randn([n, n], { device: dev });
  return {
    run: () => torch.matmul(a, b).dispose(),
    sync: torchSync,
    dispose: () => torch.dispose([a, b]),
  };
}

function torchConv(batch: number): Contender {
  const x = torch.randn([batch, 1, 28, 28], { device: dev });
  const w1 = torch.randn([32, 1, 3, 3], { device: dev }).mul(0.3).requiresGrad_();
  const b1 = torch.zeros([32], { device: dev, requiresGrad: true });
  const w2 = torch.randn([64, 32, 3, 3], { device: dev }).mul(0.06).requiresGrad_();
  const b2 = torch.zeros([64], { device: dev, requiresGrad: true });
  const params = [w1, b1, w2, b2];
  return {
    run: () =>
      torch.tidy(() => {
        for (const p of params) p.grad = null;
        F.conv2d(F.conv2d(x, w1, b1).relu(), w2, b2)
          .sum()
          .backward();
      }),
    sync: torchSync,
    dispose: () => torch.dispose([x, ...params]),
  };
}

function torchTrain(model: torch.nn.Module, x: Tensor, y: Tensor): Contender {
  model.to(dev);
  const xd = x.to(dev);
  const yd = y.to(dev);
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  return {
    run: () =>
      torch.tidy(() => {
        opt.zeroGrad();
        F.crossEntropy(model.forward(xd) as Tensor, yd).backward();
        opt.step();
      }),
    sync: torchSync,
    dispose: () => torch.dispose([xd, yd, ...model.parameters()]),
  };
}

function torchAdd16(): Contender {
  const a = torch.randn([16], { device: dev });
  const b = torch.randn([16], { device: dev });
  return { run: () => a.add(b).dispose(), sync: torchSync, dispose: () => torch.dispose([a, b]) };
}

// ---- cases: TensorFlow.js (its native NHWC layout for images) -------------------------------------

function tfMatmul(n: number): Contender {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  return { run: () => tf.matMul(a, b).dispose(), sync: tfSync, dispose: () => tf.dispose([a, b]) };
}

function tfConv(batch: number): Contender {
  const x = tf.randomNormal([batch, 28, 28, 1]);
  const vars = [
    tf.variable(tf.randomNormal([3, 3, 1, 32], 0, 0.3)),
    tf.variable(tf.zeros([32])),
    tf.variable(tf.randomNormal([3, 3, 32, 64], 0, 0.06)),
    tf.variable(tf.zeros([64])),
  ];
  const [w1, b1, w2, b2] = vars as unknown as [TfTensor, TfTensor, TfTensor, TfTensor];
  const f = () => {
    const h = tf.relu(tf.add(tf.conv2d(x as never, w1 as never, 1, "valid"), b1));
    return tf.sum(tf.add(tf.conv2d(h as never, w2 as never, 1, "valid"), b2)) as import("@tensorflow/tfjs-core").Scalar;
  };
  return {
    run: () =>
      tf.tidy(() => {
        tf.variableGrads(f);
      }),
    sync: tfSync,
    dispose: () => tf.dispose([x, ...vars]),
  };
}

/** A dense layer's variables, initialised like nn.Linear (uniform in +-1/sqrt(fanIn)). */
function tfDense(fanIn: number, fanOut: number): [TfTensor, TfTensor] {
  const k = 1 / Math.sqrt(fanIn);
  return [tf.variable(tf.randomUniform([fanIn, fanOut], -k, k)), tf.variable(tf.randomUniform([fanOut], -k, k))];
}

function tfTrain(forward: (x: TfTensor) => TfTensor, vars: TfTensor[], x: TfTensor, labels: number[]): Contender {
  const y = tf.oneHot(tf.tensor1d(labels, "int32"), 10);
  const opt = tf.train.sgd(0.01);
  return {
    run: () =>
      tf.tidy(() => {
        opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)) as import("@tensorflow/tfjs-core").Scalar);
      }),
    sync: tfSync,
    dispose: () => {
      tf.dispose([x, y, ...vars]);
      opt.dispose();
    },
  };
}

function tfMlp(batch: number, labels: number[]): Contender {
  const layers = [tfDense(784, 256), tfDense(256, 256), tfDense(256, 10)];
  const forward = (x: TfTensor) =>
    layers.reduce((h, [w, b], i) => {
      const z = tf.add(tf.matMul(h, w), b);
      return i < layers.length - 1 ? tf.relu(z) : z;
    }, x);
  return tfTrain(forward, layers.flat(), tf.randomNormal([batch, 784]), labels);
}

function tfCnn(batch: number, labels: number[]): Contender {
  const conv = (cin: number, cout: number): [TfTensor, TfTensor] => {
    const k = 1 / Math.sqrt(cin * 9);
    return [tf.variable(tf.randomUniform([3, 3, cin, cout], -k, k)), tf.variable(tf.randomUniform([cout], -k, k))];
  };
  const [c1, c2, fc] = [conv(1, 16), conv(16, 32), tfDense(32 * 7 * 7, 10)];
  const block = (h: TfTensor, [w, b]: [TfTensor, TfTensor]) =>
    tf.maxPool(tf.relu(tf.add(tf.conv2d(h as never, w as never, 1, "same"), b)) as never, 2, 2, "valid");
  const forward = (x: TfTensor) =>
    tf.add(tf.matMul(tf.reshape(block(block(x, c1), c2), [x.shape[0]!, 32 * 7 * 7]), fc[0]), fc[1]);
  return tfTrain(forward, [...c1, ...c2, ...fc], tf.randomNormal([batch, 28, 28, 1]), labels);
}

function tfAdd16(): Contender {
  const a = tf.randomNormal([16]);
  const b = tf.randomNormal([16]);
  return { run: () => tf.add(a, b).dispose(), sync: tfSync, dispose: () => tf.dispose([a, b]) };
}

// ---- run ----------------------------------------------------------------------------------------

const want = (c: string) => only.length === 0 || only.includes(c);
torch.manualSeed(0);
const labels = (n: number) => Array.from({ length: n }, (_, i) => (i * 7) % 10);
const rows: Row[] = [];
const started = new Date();

if (want("matmul"))
  for (const n of sizes)
    rows.push(
      await runCase(
        `matmul-${n}`,
        `matmul ${n}x${n}`,
        2 * n ** 3,
        () => torchMatmul(n),
        () => tfMatmul(n),
      ),
    );
if (want("conv")) {
  // flops of the forward pass (both convs), times 3 for forward + both backward products
  const fwd = 2 * convBatch * (32 * 9 * 26 * 26 + 64 * 32 * 9 * 24 * 24);
  rows.push(
    await runCase(
      "conv",
      `conv 1->32->64 3x3 fwd+bwd, batch ${convBatch}`,
      3 * fwd,
      () => torchConv(convBatch),
      () => tfConv(convBatch),
    ),
  );
}
if (want("mlp")) {
  const fwd = 2 * mlpBatch * (784 * 256 + 256 * 256 + 256 * 10);
  rows.push(
    await runCase(
      "mlp",
      `MLP 784-256-256-10 SGD step, batch ${mlpBatch}`,
      3 * fwd,
      () => torchTrain(makeMlp(), torch.randn([mlpBatch, 784]), torch.tensor(labels(mlpBatch))),
      () => tfMlp(mlpBatch, labels(mlpBatch)),
    ),
  );
}
if (want("cnn")) {
  const fwd = 2 * cnnBatch * (16 * 9 * 28 * 28 + 32 * 16 * 9 * 14 * 14 + 32 * 7 * 7 * 10);
  rows.push(
    await runCase(
      "cnn",
      `CNN (README) SGD step, batch ${cnnBatch}`,
      3 * fwd,
      () => torchTrain(makeCnn(), torch.randn([cnnBatch, 1, 28, 28]), torch.tensor(labels(cnnBatch))),
      () => tfCnn(cnnBatch, labels(cnnBatch)),
    ),
  );
}
if (want("add16"))
  rows.push(await runCase("add16", "add, 16 elements (per-op dispatch)", 16, torchAdd16, tfAdd16, 2000));

// ---- report -------------------------------------------------------------------------------------

const fmt = (ms: number) =>
  ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 0.1 ? ms.toFixed(2) : ms.toFixed(4);
const cell = (xs: number[]) =>
  xs.length ? `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})` : "–";
const gflops = (flop: number, xs: number[]) => (xs.length && flop > 1e6 ? (flop / median(xs) / 1e6).toFixed(1) : "–");
const tfInfo = tfBackend?.adapterInfo as { vendor?: string; architecture?: string; description?: string } | undefined;
console.log(
  `date: ${started.toISOString()}; node ${process.version}; torchts adapter: ${info.adapter}; ` +
    `TF.js ${tf.version_core} webgpu adapter: ${tfInfo ? [tfInfo.vendor, tfInfo.architecture, tfInfo.description].filter((s) => s).join(" ") : "–"}; ` +
    `rounds: ${rounds}`,
);
console.log("");
console.log("| case | torchts ms (min–max) | TF.js ms (min–max) | torchts / TF.js | GFLOP/s torchts, TF.js | reps |");
console.log("| ---- | -------------------- | ------------------ | --------------- | ---------------------- | ---- |");
for (const r of rows) {
  const ratio = r.tfjs.length ? (median(r.torchts) / median(r.tfjs)).toFixed(2) : "–";
  console.log(
    `| ${r.name} | ${cell(r.torchts)} | ${cell(r.tfjs)} | ${ratio} | ${gflops(r.flop, r.torchts)}, ${gflops(r.flop, r.tfjs)} | ${r.reps.join(", ")} |`,
  );
}
if (jsonPath)
  writeFileSync(
    jsonPath,
    JSON.stringify(
      {
        date: started.toISOString(),
        adapter: info.adapter,
        tfjsAdapter: tfInfo ?? null,
        rows: rows.map((r) => ({
          ...r,
          torchtsMs: r.torchts.length ? median(r.torchts) : null,
          tfjsMs: r.tfjs.length ? median(r.tfjs) : null,
        })),
      },
      null,
      1,
    ),
  );
torch.webgpu.destroy();
tfBackend?.device.destroy();
