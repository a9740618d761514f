// Runs inside Chromium for test/browser.test.ts: the same seeded tiny CNN trained for three SGD steps on
// "cpu" and on "webgpu" in one page, plus the adapter found and the webgpu readback rules. torchts comes
// in as an argument (the page imports the browser bundle), so this module only imports its types.

import type * as Torch from "../../src/index.js";

type TorchModule = typeof Torch;

/** One training run: losses per step, the updated state dict (flattened) and where the tensors lived. */
export interface TrainRun {
  losses: number[];
  params: Record<string, number[]>;
  labels: number[];
  /** Devices of the parameters, their gradients and the momentum buffers after training. */
  devices: string[];
  ms: number;
}

/** Everything the test asserts on. */
export interface PageResult {
  crossOriginIsolated: boolean;
  /** What `navigator.gpu.requestAdapter()` returned, read directly (null: no adapter). */
  adapter: { vendor: string; architecture: string; isFallbackAdapter: boolean | null } | null;
  /** `torch.webgpu.init()`'s description of the adapter it opened. */
  torchAdapter: string;
  cpu: TrainRun;
  webgpu: TrainRun;
  /** Compute pipelines torchts compiled and GPU bytes held by live tensors after training. */
  pipelines: number;
  bytesInUse: number;
  /** The message of `dataSync()` on a webgpu tensor ("" if it did not throw). */
  syncReadError: string;
  /** `await x.data()` of the same tensor. */
  asyncRead: number[];
  /** The error of reading a webgpu cross-entropy whose target is out of range ("" if none). */
  badTargetError: string;
}

const STEPS = 3;

async function train(torch: TorchModule, device: string): Promise<TrainRun> {
  const { nn, optim } = torch;
  const t0 = performance.now();
  torch.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(4 * 4 * 4, 16),
    new nn.ReLU(),
    new nn.Linear(16, 3),
  ).to(device);
  const x = torch.randn([6, 1, 8, 8]).to(device);
  const y = torch.randint(0, 3, [6]).to(device);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const losses: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const loss = nn.functional.crossEntropy(model.forward(x) as Torch.Tensor, y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(await loss.itemAsync());
  }
  const params: Record<string, number[]> = {};
  for (const [k, v] of model.stateDict()) params[k] = Array.from(await v.data());
  const devices = [x.device, y.device];
  for (const p of model.parameters()) {
    devices.push(p.device, p.grad?.device ?? "no grad");
    const buf = opt.state.get(p)?.momentum_buffer;
    devices.push(buf instanceof torch.Tensor ? buf.device : "no momentum buffer");
  }
  return { losses, params, labels: Array.from(await y.data()), devices, ms: performance.now() - t0 };
}

async function probeAdapter(): Promise<PageResult["adapter"]> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const a = await gpu?.requestAdapter();
  if (!a) return null;
  const info = a.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  return { vendor: info.vendor, architecture: info.architecture, isFallbackAdapter: info.isFallbackAdapter ?? null };
}

/** The whole check, run by the test through `page.evaluate`. */
export async function run(torch: TorchModule): Promise<PageResult> {
  const adapter = await probeAdapter();
  const info = await torch.webgpu.init();
  const cpu = await train(torch, "cpu");
  const webgpu = await train(torch, "webgpu");
  const stats = torch.webgpu.memoryStats();

  const t = torch.tensor([1.5, -2, 3], { device: "webgpu" }).mul(2);
  let syncReadError = "";
  try {
    t.dataSync();
  } catch (e) {
    syncReadError = (e as Error).message;
  }
  const asyncRead = Array.from(await t.data());

  // a target out of range cannot be checked on the host without a sync read: the kernel reports it
  let badTargetError = "";
  const logits = torch.zeros([2, 3], { device: "webgpu" });
  try {
    await torch.nn.functional.crossEntropy(logits, torch.tensor([0, 3], { device: "webgpu" })).data();
  } catch (e) {
    badTargetError = (e as Error).message;
  }

  return {
    crossOriginIsolated: globalThis.crossOriginIsolated,
    adapter,
    torchAdapter: info.adapter,
    cpu,
    webgpu,
    pipelines: stats.pipelines,
    bytesInUse: stats.bytesInUse,
    syncReadError,
    asyncRead,
    badTargetError,
  };
}
