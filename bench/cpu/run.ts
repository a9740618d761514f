// The side-by-side CPU benchmark of issue 4 ("Fast CPU"): torchts (native addon and TS kernels),
// PyTorch CPU, TensorFlow.js cpu and wasm on every case of bench/cpu/cases.ts, then the training memory
// check (bench/cpu/memory_flat.ts). Every contender runs each case in its own process; rounds
// interleave the contenders (their order rotates per round); warm-up is excluded; the table shows
// medians and per-round time ratios against PyTorch, and goes into bench/RESULTS.md between
// `<!-- cpu-bench:start -->` and `<!-- cpu-bench:end -->` (memory: `cpu-memory`).
//
//   npm run bench [-- options]        (bench/run.sh: puts OpenBLAS in front of PyTorch, then this)
//   --cases a,b       groups (matmul conv train chain add infer epoch memory) or case ids; default all
//   --contenders ...  torch,native,ts,tfjs-cpu,tfjs-wasm (default all)
//   --threads 1,2     thread counts (ts and TF.js always run one thread: measured at 1 only)
//   --rounds N        rounds (default 3; 1 with --quick); the epoch runs in the first round only
//   --quick           tiny sizes and few repetitions: a smoke run, not a measurement (no RESULTS.md
//                     unless --write)
//   --epoch-images N  cap the epoch's images; --memory-steps N (default 2000); --timeout S per process
//   --results PATH    markdown file to update (default bench/RESULTS.md); --no-write / --write

import { spawnSync } from "node:child_process";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildCases, selectCases, type BenchCase } from "./cases.js";
import { epochData } from "./fashion_data.js";
import { blasLine, loadAverage, machineLine, tfjsVersion } from "./machine.js";
import type { MemoryReport } from "./memory_flat.js";
import { formatMarkdown, writeSection } from "./results_file.js";
import {
  CONTENDERS,
  ONE_THREAD,
  cellKey,
  renderTables,
  type Cell,
  type Contender,
  type Measurements,
} from "./table.js";
import { FULL_PROTOCOL, QUICK_PROTOCOL, type Protocol } from "./timing.js";
import type { WorkerRequest, WorkerResult } from "./worker.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const argv = process.argv.slice(2);

function flag(name: string): boolean {
  return argv.includes(`--${name}`);
}
function option(name: string, def: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
}
function list(name: string, def: string): string[] {
  return option(name, def)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

const quick = flag("quick");
const caseNames = list("cases", "");
const threadList = list("threads", "1,2").map(Number);
const rounds = Number(option("rounds", quick ? "1" : "3"));
const timeoutS = Number(option("timeout", "900"));
const memorySteps = Number(option("memory-steps", quick ? "20" : "2000"));
const resultsPath = option("results", join(root, "bench/RESULTS.md"));
const write = flag("write") || (!quick && !flag("no-write"));
const protocol: Protocol = quick ? QUICK_PROTOCOL : FULL_PROTOCOL;
const contenders = list("contenders", CONTENDERS.join(",")) as Contender[];
for (const c of contenders)
  if (!CONTENDERS.includes(c)) throw new Error(`bench: unknown contender ${c}; known: ${CONTENDERS.join(", ")}`);
if (threadList.some((t) => !Number.isInteger(t) || t < 1))
  throw new Error(`bench: bad --threads ${threadList.join(",")}`);

const data = epochData();
const epochImages = Number(option("epoch-images", String(data.images)));
const withMemory = caseNames.length === 0 || caseNames.includes("memory");
const allCases = buildCases(quick, { ...data, images: Math.min(epochImages, data.images) });
const benchNames = caseNames.filter((n) => n !== "memory");
const cases = caseNames.length > 0 && benchNames.length === 0 ? [] : selectCases(allCases, benchNames);

/** Command line and environment of one contender's process. */
function command(c: Contender, req: WorkerRequest): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const json = JSON.stringify(req);
  const t = String(req.threads);
  if (c === "torch")
    return {
      cmd: "/usr/bin/python3",
      args: [join(here, "torch_cases.py"), json],
      env: { OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, OPENBLAS_VERBOSE: "2" },
    };
  const worker = join(here, "worker.ts");
  const node = (name: string) => ["--import", "tsx", worker, name, json];
  if (c === "native") return { cmd: process.execPath, args: node("torchts"), env: { TORCHTS_KERNELS: "native" } };
  if (c === "ts") return { cmd: process.execPath, args: node("torchts"), env: { TORCHTS_KERNELS: "ts" } };
  return { cmd: process.execPath, args: node(c), env: {} };
}

const measurements: Measurements = new Map();
const setups = new Map<string, Record<string, unknown>>();
let blasCore: string | undefined;

/** Runs one contender on one case in a fresh process and records its times (or its error). */
function runOne(c: Contender, bc: BenchCase, threads: number, round: number): void {
  const req: WorkerRequest = { spec: bc.spec, protocol, threads, single: bc.single ?? false };
  const { cmd, args, env } = command(c, req);
  const r = spawnSync(cmd, args, {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 1 << 26,
    timeout: timeoutS * 1000,
    killSignal: "SIGKILL",
  });
  const key = cellKey(c, bc.id, threads);
  const cell: Cell = measurements.get(key) ?? { rounds: [] };
  measurements.set(key, cell);
  const line = r.stdout
    ?.split("\n")
    .reverse()
    .find((l) => l.startsWith("{"));
  let result: WorkerResult | undefined;
  try {
    result = line ? (JSON.parse(line) as WorkerResult) : undefined;
  } catch {
    result = undefined;
  }
  if (result?.setup) setups.set(c, result.setup);
  blasCore ??= /Core: (\w+)/.exec(r.stderr ?? "")?.[1];
  if (result?.times_ms) cell.rounds[round] = result.times_ms;
  else if (r.error && /ETIMEDOUT/.test(String(r.error))) cell.error = `timed out after ${timeoutS} s`;
  else if (result?.error) cell.error = result.error;
  else {
    const tail = (r.stderr ?? "").trim().split("\n").slice(-3).join(" ");
    cell.error = `exited with ${r.status ?? r.signal}: ${tail}`;
  }
  const shown = result?.times_ms?.length ? `${result.times_ms.length} reps` : (cell.error ?? "");
  process.stderr.write(`  round ${round + 1} ${bc.id} t=${threads} ${c}: ${shown.slice(0, 120)}\n`);
}

/** All rounds: each case, each thread count, the contenders in an order that rotates per round. */
function runCases(): void {
  for (let round = 0; round < rounds; round++) {
    for (const bc of cases) {
      if (bc.single && round > 0) continue;
      for (const t of threadList) {
        const active = contenders.filter((c) => t === 1 || !ONE_THREAD.has(c));
        for (let k = 0; k < active.length; k++) runOne(active[(k + round) % active.length]!, bc, t, round);
      }
    }
  }
}

/** Runs bench/cpu/memory_flat.ts with the native kernels at 1 thread. */
function runMemory(): MemoryReport | string {
  const args = ["--import", "tsx", join(here, "memory_flat.ts"), "--json", "--steps", String(memorySteps)];
  if (quick) args.push("--warmup", "5");
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: "utf8",
    timeout: timeoutS * 1000 * 2,
    killSignal: "SIGKILL",
    env: { ...process.env, TORCHTS_KERNELS: process.env.TORCHTS_KERNELS ?? "native" },
  });
  const line = r.stdout
    ?.trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .pop();
  if (r.status === 0 && line) return JSON.parse(line) as MemoryReport;
  return `memory_flat failed (${r.status ?? r.signal}): ${(r.stderr ?? "").trim().split("\n").slice(-3).join(" ")}`;
}

function memoryMarkdown(m: MemoryReport | string, date: string): string {
  if (typeof m === "string") return `### Training memory (${date})\n\n${m}\n`;
  const rows = m.samples.map((s) => `| ${s.step} | ${s.rssMB} | ${s.heapUsedMB} | ${s.arrayBuffersMB} |`);
  return [
    `### Training memory, README CNN (${date})`,
    "",
    `Command: \`npx tsx bench/cpu/memory_flat.ts --steps ${m.steps}\` (run by \`npm run bench\`): ${m.warmup} warm-up steps, ` +
      `then ${m.steps} Adam steps at batch ${m.batch}, ${m.kernels} kernels, ${m.threads} thread, in ${m.seconds} s.`,
    "",
    `Resident memory after warm-up ${m.rssAfterWarmupMB} MB, at the end ${m.rssEndMB} MB: growth **${m.growthMB} MB** ` +
      `(goal: < 50 MB over 2,000 steps${m.steps === 2000 ? `: ${m.growthMB < 50 ? "met" : "missed"}` : "; this run is shorter"}).`,
    "",
    "| step after warm-up | rss MB | JS heap used MB | ArrayBuffers MB |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const started = new Date();
  const date = `${started.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const load0 = loadAverage();
  process.stderr.write(
    `bench: ${cases.length} cases x ${contenders.join(",")} x threads ${threadList.join(",")}, ${rounds} round(s)\n`,
  );
  runCases();
  const memory = withMemory ? runMemory() : undefined;
  const load1 = loadAverage();
  const cmdline = `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`;
  const torchSetup = setups.get("torch");
  const nativeSetup = setups.get("native");
  const header = [
    `### CPU benchmark (${date})${quick ? ": --quick smoke sizes, not a measurement" : ""}`,
    "",
    `Command: \`${cmdline}\`. Machine: ${machineLine()}; load average ${load0} at the start, ${load1} at the end ` +
      "(the machine's cores are shared with other work, so timings are noisy).",
    `Node ${process.version}; torchts native kernels: ${nativeSetup ? String(nativeSetup.isa) : "not run"}; ` +
      `PyTorch ${torchSetup ? String(torchSetup.torch) : "not run"} (Debian python3-torch, /usr/bin/python3, ` +
      `torch.set_num_threads and OPENBLAS_NUM_THREADS = the thread count), BLAS: ${blasLine(blasCore)}; ` +
      `TF.js ${tfjsVersion()} (tfjs-core without tf.layers; wasm backend with SIMD, one thread: Node has no ` +
      "threaded wasm backend, WASM_HAS_MULTITHREAD_SUPPORT is false).",
    `Epoch data: ${data.name}. Protocol: each contender runs each case in its own process, ${rounds} round(s), ` +
      `contender order rotating per round; warm-up calls (>= ${protocol.warmupMs} ms) excluded; then ` +
      `${protocol.minReps}-${protocol.maxReps} timed calls (>= ${protocol.budgetMs} ms). Times are medians over all ` +
      "timed calls; ratios are medians over rounds of per-round ratios (below 1: faster than PyTorch). The TS " +
      "kernels and TF.js run one thread, so they are measured at 1 thread only.",
    "",
  ].join("\n");
  const tables = cases.length ? renderTables(cases, threadList, contenders, measurements) : "";
  const report = `${header}\n${tables}`;
  console.log(report);
  const mem = memory ? memoryMarkdown(memory, date) : "";
  if (mem) console.log(mem);
  if (write) {
    if (cases.length) writeSection(resultsPath, "cpu-bench", await formatMarkdown(report, resultsPath));
    if (mem) writeSection(resultsPath, "cpu-memory", await formatMarkdown(mem, resultsPath));
    process.stderr.write(`bench: wrote ${relative(process.cwd(), resultsPath)}\n`);
  }
}

await main();
