// Side-by-side float32 matmul benchmark: torchts with the native kernels, torchts with the TS kernels,
// and PyTorch (bench/matmul_torch.py under /usr/bin/python3), each in its own process, in alternating
// rounds, at 1 and 2 threads. Prints a markdown table of median times and time ratios.
//   npx tsx bench/matmul.ts [--sizes 128,256,512,1024,2048] [--threads 1,2] [--rounds 3] [--no-ts]
// bench/run.sh sets up PyTorch's BLAS (see there) and runs this.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}
const sizes = arg("sizes", "128,256,512,1024,2048").split(",").map(Number);
const threadList = arg("threads", "1,2").split(",").map(Number);
const rounds = Number(arg("rounds", "3"));
const withTs = !process.argv.includes("--no-ts");

/** Repetitions per size and round: more for small sizes, fewer for slow contenders. */
function reps(n: number, slow: boolean): number {
  const flops = 2 * n ** 3;
  return Math.max(slow ? 1 : 2, Math.min(20, Math.round((slow ? 2e9 : 8e9) / flops)));
}

// ---- worker: time torchts in this process ---------------------------------------------------------

async function worker(): Promise<void> {
  const torch = await import("../src/index.js");
  const { cpuKernelInfo } = await import("../src/backends/cpu/native.js");
  const { cpuBackend } = await import("../src/backends/cpu/index.js");
  const threads = Number(arg("threads", "1"));
  torch.setNumThreads(threads);
  torch.manualSeed(0);
  const info = cpuKernelInfo();
  console.log(JSON.stringify({ setup: { ...info, threads: torch.getNumThreads() } }));
  for (const n of sizes) {
    const a = torch.randn([n, n]);
    const b = torch.randn([n, n]);
    const out = torch.matmul(a, b);
    const times: number[] = [];
    const kernel: number[] = [];
    for (let r = 0; r < reps(n, info.kernels === "ts"); r++) {
      const t0 = performance.now();
      torch.matmul(a, b);
      times.push(performance.now() - t0);
      if (info.kernels === "ts") continue;
      // the kernel alone, into a preallocated output: no allocation, no op dispatch
      const t1 = performance.now();
      cpuBackend.kernels.matmul(a, b, out);
      kernel.push(performance.now() - t1);
    }
    console.log(JSON.stringify({ n, times_ms: times, kernel_ms: kernel }));
  }
}

// ---- driver ---------------------------------------------------------------------------------------

// times[`${contender}|${threads}|${n}|${round}`]: milliseconds of each repetition
const times = new Map<string, number[]>();
const setups = new Map<string, unknown>();

function run(contender: string, threads: number, round: number, cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${contender} failed (${r.status}):\n${r.stderr}`);
  for (const line of r.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const rec = JSON.parse(line) as { setup?: unknown; n?: number; times_ms?: number[]; kernel_ms?: number[] };
    if (rec.setup) setups.set(`${contender}|${threads}`, rec.setup);
    else {
      times.set(`${contender}|${threads}|${rec.n}|${round}`, rec.times_ms!);
      if (rec.kernel_ms?.length) times.set(`${contender}-kernel|${threads}|${rec.n}|${round}`, rec.kernel_ms);
    }
  }
  const core = /Core: (\w+)/.exec(r.stderr ?? "");
  if (core) setups.set(`${contender}|${threads}|blas-core`, core[1]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length ? (s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2) : NaN;
}

/**
 * The contenders run one size at a time, one after another, in every round, so the two timings a
 * ratio compares are taken seconds apart; the table's ratios are medians over rounds of per-round
 * ratios (robust to the load of a shared machine drifting), its times medians over all repetitions.
 */
function driver(): void {
  const self = fileURLToPath(import.meta.url);
  for (let round = 0; round < rounds; round++) {
    for (const n of sizes)
      for (const t of threadList) {
        const node = ["--import", "tsx", self, "--worker", "--threads", String(t), "--sizes", String(n)];
        run("native", t, round, process.execPath, node, { TORCHTS_KERNELS: "native" });
        if (withTs && t === 1) run("ts", t, round, process.execPath, node, { TORCHTS_KERNELS: "ts" });
        run("torch", t, round, "/usr/bin/python3", [join(here, "matmul_torch.py"), `threads=${t}`, `sizes=${n}`], {
          OPENBLAS_NUM_THREADS: String(t),
          OPENBLAS_VERBOSE: "2",
        });
      }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
  const all = (c: string, t: number, n: number) =>
    Array.from({ length: rounds }, (_, r) => times.get(`${c}|${t}|${n}|${r}`) ?? []).flat();
  const ratio = (c: string, t: number, n: number) =>
    median(
      Array.from({ length: rounds }, (_, r) => {
        const x = times.get(`${c}|${t}|${n}|${r}`);
        const y = times.get(`torch|${t}|${n}|${r}`);
        return x?.length && y?.length ? median(x) / median(y) : NaN;
      }).filter((v) => !Number.isNaN(v)),
    );
  const fmt = (x: number) => (Number.isNaN(x) ? "–" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const spread = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? ` (${fmt(s[0]!)}–${fmt(s[s.length - 1]!)})` : "";
  };
  const r2 = (x: number) => (Number.isNaN(x) ? "–" : x.toFixed(2));
  console.log(`setup: ${JSON.stringify(Object.fromEntries(setups))}\n`);
  console.log(
    "| n | threads | PyTorch ms (min–max) | torchts native ms (min–max) | native / PyTorch | native kernel only ms | kernel / PyTorch | torchts TS ms | TS / PyTorch | GFLOP/s PyTorch, native, kernel |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const t of threadList)
    for (const n of sizes) {
      const [pt, nat, ker, ts] = ["torch", "native", "native-kernel", "ts"].map((c) => all(c, t, n)) as number[][];
      const gf = (xs: number[]) => ((2 * n ** 3) / median(xs) / 1e6).toFixed(0);
      console.log(
        `| ${n} | ${t} | ${fmt(median(pt!))}${spread(pt!)} | ${fmt(median(nat!))}${spread(nat!)} | ${r2(ratio("native", t, n))} | ` +
          `${fmt(median(ker!))} | ${r2(ratio("native-kernel", t, n))} | ${fmt(median(ts!))} | ${r2(ratio("ts", t, n))} | ` +
          `${gf(pt!)}, ${gf(nat!)}, ${gf(ker!)} |`,
      );
    }
  const count = (n: number) => all("native", threadList[0]!, n).length;
  console.log(
    `\nrepetitions per cell over ${rounds} rounds: native ${count(sizes[0]!)} (n=${sizes[0]}) to ` +
      `${count(sizes[sizes.length - 1]!)} (n=${sizes[sizes.length - 1]})`,
  );
}

if (process.argv.includes("--worker")) await worker();
else driver();
