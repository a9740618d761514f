// One benchmark process for a Node contender: builds one case, times it by the driver's protocol and
// prints one JSON line ({setup, times_ms} or {setup, error}). The driver (bench/cpu/run.ts) starts one
// per contender, case, thread count and round, so a crash or a slow contender touches nothing else.
//   node --import tsx bench/cpu/worker.ts <torchts|tfjs-cpu|tfjs-wasm> '<request JSON>'
// torchts's kernel set (native addon or TS) comes from TORCHTS_KERNELS, which the driver sets.

import type { CaseSpec } from "./cases.js";
import { timeSteps, type Protocol } from "./timing.js";
import type { PreparedCase } from "./torchts_cases.js";

/** What the driver asks a contender's process to measure. */
export interface WorkerRequest {
  readonly spec: CaseSpec;
  readonly protocol: Protocol;
  readonly threads: number;
  readonly single: boolean;
}

/** The one line a contender's process prints. */
export interface WorkerResult {
  readonly setup: Record<string, unknown>;
  readonly times_ms?: number[];
  readonly error?: string;
}

async function prepare(contender: string, req: WorkerRequest, setup: Record<string, unknown>): Promise<PreparedCase> {
  if (contender === "torchts") {
    const torch = await import("../../src/index.js");
    const { cpuKernelInfo } = await import("../../src/backends/cpu/native.js");
    const { prepareTorchts } = await import("./torchts_cases.js");
    torch.setNumThreads(req.threads);
    const info = cpuKernelInfo();
    Object.assign(setup, { kernels: info.kernels, isa: info.isa, threads: torch.getNumThreads() });
    return prepareTorchts(req.spec);
  }
  if (contender === "tfjs-cpu" || contender === "tfjs-wasm") {
    const { prepareTfjs, useTfjsBackend } = await import("./tfjs_cases.js");
    Object.assign(setup, await useTfjsBackend(contender === "tfjs-cpu" ? "cpu" : "wasm"), { threads: 1 });
    return prepareTfjs(req.spec);
  }
  throw new Error(`bench worker: unknown contender ${contender}`);
}

async function main(): Promise<void> {
  const [contender, json] = process.argv.slice(2);
  if (!contender || !json) throw new Error("usage: worker.ts <contender> '<request JSON>'");
  const req = JSON.parse(json) as WorkerRequest;
  const setup: Record<string, unknown> = {};
  let result: WorkerResult;
  try {
    const c = await prepare(contender, req, setup);
    result = { setup, times_ms: await timeSteps(c.step, req.protocol, c.calls, req.single) };
  } catch (e) {
    result = { setup, error: e instanceof Error ? e.message : String(e) };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
