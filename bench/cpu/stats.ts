// Small statistics and number formatting for the CPU benchmark's tables.

/** Median of `xs` (NaN when empty). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length ? (s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2) : NaN;
}

/** Three significant digits, no exponent. */
function sig3(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** A time given in milliseconds with a readable unit: "1.23 us", "45.6 ms", "12.3 s". */
export function formatMs(ms: number): string {
  if (Number.isNaN(ms)) return "–";
  if (ms < 0.1) return `${sig3(ms * 1e3)} us`;
  if (ms < 1000) return `${sig3(ms)} ms`;
  return `${sig3(ms / 1e3)} s`;
}

/** A ratio with two decimals ("–" when unknown). */
export function formatRatio(x: number): string {
  return Number.isNaN(x) ? "–" : x >= 100 ? x.toFixed(0) : x.toFixed(2);
}
