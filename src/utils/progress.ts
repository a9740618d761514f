// A tqdm-like progress bar: wraps an (async) iterable, shows count, rate, time left and live values.
// On a terminal it redraws one line; elsewhere (CI logs) it prints a line every `printEvery` seconds.

/** Progress bar options. */
export interface ProgressOptions {
  /** Number of items, when the iterable has no `length`. */
  total?: number;
  /** Label in front of the bar. */
  desc?: string;
  /** Unit of the rate, e.g. "samples"; `unitScale` items per step count toward it. */
  unit?: string;
  /** Where output goes (default: process.stderr when available, else console.log). */
  write?: (s: string) => void;
  /** Redraw in place (default: when writing to a TTY). */
  inPlace?: boolean;
  /** Seconds between printed lines when not redrawing in place. */
  printEvery?: number;
  /** Width of the bar in characters. */
  width?: number;
  /** Clock in milliseconds (default Date.now); lets tests control time. */
  now?: () => number;
}

/** mm:ss, or h:mm:ss from an hour on (tqdm's format); "?" when unknown. */
export function formatTime(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  const t = Math.floor(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  const mmss = `${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** A progress bar you advance by hand: `bar.update(n)`, `bar.setPostfix({ loss })`, `bar.close()`. */
export class ProgressBar {
  private n = 0;
  private units = 0;
  private lastPrint = -Infinity;
  private postfix = "";
  private readonly write: (s: string) => void;
  private readonly inPlace: boolean;
  private readonly now: () => number;
  private readonly start: number;
  constructor(private readonly opts: ProgressOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.start = this.now();
    const proc = (globalThis as { process?: { stderr?: { isTTY?: boolean; write(s: string): void } } }).process;
    this.write =
      opts.write ?? (proc?.stderr ? (s) => proc.stderr!.write(s) : (s) => console.log(s.replace(/[\r\n]+$/, "")));
    this.inPlace = opts.inPlace ?? Boolean(proc?.stderr?.isTTY && !opts.write);
  }
  /** Advance by `steps` items, which count as `units` toward the rate (e.g. samples in a batch). */
  update(steps = 1, units = steps): void {
    this.n += steps;
    this.units += units;
    this.render(false);
  }
  /** Values shown after the bar, e.g. `{ loss: 0.31, acc: "88.2%" }`. */
  setPostfix(values: Record<string, number | string>): void {
    this.postfix = Object.entries(values)
      .map(
        ([k, v]) =>
          `${k}=${typeof v === "number" ? (Math.abs(v) >= 1000 || Math.abs(v) < 1e-3 ? v.toExponential(3) : v.toFixed(4)) : v}`,
      )
      .join(", ");
  }
  /** The current line. */
  line(): string {
    const elapsed = (this.now() - this.start) / 1000;
    const rate = elapsed > 0 ? this.units / elapsed : 0;
    const total = this.opts.total;
    const unit = this.opts.unit ?? "it";
    const desc = this.opts.desc ? `${this.opts.desc}: ` : "";
    let bar = "";
    let left = NaN;
    if (total) {
      const frac = Math.min(this.n / total, 1);
      const w = this.opts.width ?? 24;
      const full = Math.round(frac * w);
      bar = `${String(Math.round(frac * 100)).padStart(3)}%|${"#".repeat(full)}${" ".repeat(w - full)}| ${this.n}/${total} `;
      left = this.n > 0 ? (elapsed / this.n) * (total - this.n) : NaN;
    } else bar = `${this.n} `;
    const timing = `[${formatTime(elapsed)}<${formatTime(left)}, ${rate.toFixed(1)} ${unit}/s]`;
    return `${desc}${bar}${timing}${this.postfix ? " " + this.postfix : ""}`;
  }
  private render(final: boolean): void {
    const now = this.now();
    if (this.inPlace) {
      if (final || now - this.lastPrint > 100) {
        this.write(`\r${this.line()}\x1b[K${final ? "\n" : ""}`);
        this.lastPrint = now;
      }
    } else if (final || now - this.lastPrint >= (this.opts.printEvery ?? 2) * 1000) {
      this.write(`${this.line()}\n`);
      this.lastPrint = now;
    }
  }
  private closed = false;
  /** Print the final state (once). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.render(true);
  }
}

/** Wrap an iterable (sync or async) in a progress bar: `for await (const b of tqdm(loader)) {...}`. */
export async function* tqdm<T>(
  items: Iterable<T> | AsyncIterable<T>,
  opts: ProgressOptions & { bar?: ProgressBar; unitsOf?: (item: T) => number } = {},
): AsyncGenerator<T> {
  let len: unknown;
  try {
    len = (items as { length?: number }).length;
  } catch {
    len = undefined; // e.g. a DataLoader over an IterableDataset has no length
  }
  const bar =
    opts.bar ?? new ProgressBar({ ...opts, total: opts.total ?? (typeof len === "number" ? len : undefined) });
  try {
    for await (const item of items as AsyncIterable<T>) {
      yield item;
      bar.update(1, opts.unitsOf ? opts.unitsOf(item) : 1);
    }
  } finally {
    bar.close();
  }
}
