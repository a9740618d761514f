// Memory flatness of training (issue 4): trains the README CNN (examples/fashion_mnist.ts, Adam, batch
// 64) on synthetic batches for `--steps` steps, written as a user writes the loop (no tidy/dispose), and
// reports resident memory (process.memoryUsage().rss) after the warm-up steps and at the end, with
// samples in between. The goal: growth below 50 MB over 2,000 steps after warm-up.
//   npx tsx bench/cpu/memory_flat.ts [--steps 2000] [--warmup 100] [--batch 64] [--threads 1] [--json]
// The last line printed is a JSON record (bench/cpu/run.ts reads it).

import * as torch from "../../src/index.js";
import { makeModel } from "../../examples/fashion_mnist_model.js";

const F = torch.nn.functional;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

/** Memory of this process at one step, in MB. */
export interface MemorySample {
  step: number;
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
  arrayBuffersMB: number;
}

/** What a memory-flatness run reports. */
export interface MemoryReport {
  steps: number;
  warmup: number;
  batch: number;
  threads: number;
  kernels: string;
  seconds: number;
  rssAfterWarmupMB: number;
  rssEndMB: number;
  growthMB: number;
  samples: MemorySample[];
}

function sample(step: number): MemorySample {
  const u = process.memoryUsage();
  const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  return {
    step,
    rssMB: mb(u.rss),
    heapUsedMB: mb(u.heapUsed),
    externalMB: mb(u.external),
    arrayBuffersMB: mb(u.arrayBuffers),
  };
}

async function main(): Promise<void> {
  const steps = arg("steps", 2000);
  const warmup = arg("warmup", 100);
  const batch = arg("batch", 64);
  const threads = arg("threads", 1);
  const json = process.argv.includes("--json");
  torch.setNumThreads(threads);
  torch.manualSeed(0);
  const { cpuKernelInfo } = await import("../../src/backends/cpu/native.js");
  const model = makeModel();
  const opt = new torch.optim.Adam(model.parameters(), { lr: 0.002 });
  // a few distinct synthetic batches, cycled, so the data itself does not grow
  const data = Array.from({ length: 8 }, () => [torch.randn([batch, 1, 28, 28]), torch.randint(0, 10, [batch])]);
  const every = Math.max(1, Math.round(steps / 10));
  const samples: MemorySample[] = [];
  let t0 = 0;
  for (let s = 1; s <= warmup + steps; s++) {
    const [x, y] = data[s % data.length]!;
    const loss = F.crossEntropy(model.forward(x!) as torch.Tensor, y!);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (s === warmup) {
      samples.push(sample(0));
      t0 = performance.now();
    } else if (s > warmup && ((s - warmup) % every === 0 || s === warmup + steps)) {
      samples.push(sample(s - warmup));
      if (!json)
        console.log(`step ${s - warmup}/${steps}: rss ${samples.at(-1)!.rssMB} MB, loss ${loss.item().toFixed(3)}`);
    }
  }
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const report: MemoryReport = {
    steps,
    warmup,
    batch,
    threads,
    kernels: cpuKernelInfo().kernels,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    rssAfterWarmupMB: first.rssMB,
    rssEndMB: last.rssMB,
    growthMB: Math.round((last.rssMB - first.rssMB) * 10) / 10,
    samples,
  };
  console.log(JSON.stringify(report));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
