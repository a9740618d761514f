// Turns the CPU benchmark's measurements into markdown: one table per thread count with the median
// time of every contender, the time ratios against PyTorch, the issue's target for each case and
// whether torchts meets it, and footnotes for cells a contender could not run.

import type { BenchCase } from "./cases.js";
import { formatMs, formatRatio, median } from "./stats.js";

/** The contenders, in table order. */
export const CONTENDERS = ["torch", "native", "ts", "tfjs-cpu", "tfjs-wasm"] as const;
export type Contender = (typeof CONTENDERS)[number];

/** Contenders that always run on one thread (measured only at 1 thread). */
export const ONE_THREAD: ReadonlySet<Contender> = new Set(["ts", "tfjs-cpu", "tfjs-wasm"]);

/** Measurements of one contender on one case at one thread count. */
export interface Cell {
  /** Times (ms per operation) of each round, in round order; a failed round has none. */
  readonly rounds: (number[] | undefined)[];
  error?: string;
}

/** All measurements, keyed by `cellKey`. */
export type Measurements = Map<string, Cell>;

/** Key of a contender's cell for a case and thread count. */
export function cellKey(c: Contender, caseId: string, threads: number): string {
  return `${c}|${caseId}|${threads}`;
}

/** Median over all repetitions of all rounds. */
function cellMedian(cell: Cell | undefined): number {
  return median(cell ? cell.rounds.flatMap((r) => r ?? []) : []);
}

/**
 * Median over rounds of the per-round ratio of medians (a/b): the two timings a ratio compares are
 * taken seconds apart, which keeps it meaningful while the load of a shared machine drifts.
 */
export function roundRatio(a: Cell | undefined, b: Cell | undefined): number {
  if (!a || !b) return NaN;
  const rs: number[] = [];
  a.rounds.forEach((ta, i) => {
    const tb = b.rounds[i];
    if (ta?.length && tb?.length) rs.push(median(ta) / median(tb));
  });
  return median(rs);
}

const NAMES: Record<Contender, string> = {
  torch: "PyTorch",
  native: "torchts native",
  ts: "torchts TS kernels",
  "tfjs-cpu": "TF.js cpu",
  "tfjs-wasm": "TF.js wasm",
};

/** Markdown tables (one per thread count) plus footnotes for errors. */
export function renderTables(
  cases: readonly BenchCase[],
  threadList: readonly number[],
  contenders: readonly Contender[],
  m: Measurements,
): string {
  const notes: string[] = [];
  const noteFor = (c: Contender, text: string): string => {
    const full = `${NAMES[c]}: ${text}`;
    let i = notes.indexOf(full);
    if (i < 0) i = notes.push(full) - 1;
    return `[${i + 1}]`;
  };
  const timeCell = (c: Contender, caseId: string, t: number): string => {
    if (!contenders.includes(c)) return "not run";
    if (t > 1 && ONE_THREAD.has(c)) return "(1 thread)";
    const cell = m.get(cellKey(c, caseId, t));
    if (!cell) return "not run";
    const med = cellMedian(cell);
    if (cell.error) {
      const kind = /not registered for backend|n\/a/i.test(cell.error)
        ? "n/a"
        : /timed out/.test(cell.error)
          ? "timeout"
          : "failed";
      return Number.isNaN(med) ? `${kind} ${noteFor(c, cell.error)}` : `${formatMs(med)} ${noteFor(c, cell.error)}`;
    }
    return formatMs(med);
  };
  const out: string[] = [];
  for (const t of threadList) {
    out.push(
      `**${t} thread${t > 1 ? "s" : ""}**\n`,
      "| case | PyTorch | torchts native | native / PyTorch | target | TS kernels | TS / PyTorch | TF.js cpu | TF.js wasm | TF.js cpu / TS (want >= 3) |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const bc of cases) {
      const cell = (c: Contender) => m.get(cellKey(c, bc.id, t));
      const nativeRatio = roundRatio(cell("native"), cell("torch"));
      const tsRatio = t === 1 ? roundRatio(cell("ts"), cell("torch")) : NaN;
      const tfjsOverTs = t === 1 ? roundRatio(cell("tfjs-cpu"), cell("ts")) : NaN;
      let verdict = "";
      const tgt = bc.target;
      if (tgt?.ratio !== undefined && !Number.isNaN(nativeRatio))
        verdict = nativeRatio <= tgt.ratio ? " ok" : " missed";
      const nativeMed = cellMedian(cell("native"));
      if (tgt?.us !== undefined && !Number.isNaN(nativeMed)) verdict = nativeMed * 1e3 <= tgt.us ? " ok" : " missed";
      const speedup = Number.isNaN(tfjsOverTs)
        ? "–"
        : `${formatRatio(tfjsOverTs)}${tfjsOverTs >= 3 ? " ok" : " missed"}`;
      out.push(
        `| ${bc.title} | ${timeCell("torch", bc.id, t)} | ${timeCell("native", bc.id, t)} | ${formatRatio(nativeRatio)} | ` +
          `${tgt ? `${tgt.text}${verdict}` : ""} | ${timeCell("ts", bc.id, t)} | ${formatRatio(tsRatio)} | ` +
          `${timeCell("tfjs-cpu", bc.id, t)} | ${timeCell("tfjs-wasm", bc.id, t)} | ${speedup} |`,
      );
    }
    out.push("");
  }
  if (notes.length) out.push(...notes.map((n, i) => `- [${i + 1}] ${n}`.replace(/\s+/g, " ")), "");
  return out.join("\n");
}
