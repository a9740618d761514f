// PyTorch-style printing of tensors: `tensor([[ 1.0000, -2.5000]], requires_grad=True)`.
// A port of torch/_tensor_str.py (PyTorch 1.13, default print options): the same choice of fixed,
// integer or scientific notation, the same column widths, summarisation with "...", line wrapping at
// 80 columns and suffixes. Numbers are formatted exactly, rounding half to even as Python does.

import { getDefaultDtype, isFloating } from "./dtype.js";
import type { Tensor } from "./tensor.js";

/** PyTorch's default print options (`torch.set_printoptions`). */
const PRINT = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 };

// ---- exact decimal formatting (Python's '{:.Nf}' and '{:.Ne}') ----------------------------------

const view = new DataView(new ArrayBuffer(8));

/** A finite positive double as m * 2^e with integer m. */
function decompose(x: number): { m: bigint; e: number } {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return biased === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: biased - 1075 };
}

/** round(m * 2^e * 10^p) to an integer, ties to even. */
function scaledRound(m: bigint, e: number, p: number): bigint {
  let num = m;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  if (p >= 0) num *= 10n ** BigInt(p);
  else den *= 10n ** BigInt(-p);
  const q = num / den;
  const twice = 2n * (num % den);
  return twice > den || (twice === den && q % 2n === 1n) ? q + 1n : q;
}

function nonFinite(x: number): string {
  return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

/** Python's `'{:.<digits>f}'.format(x)`. */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  let s = "0";
  if (x !== 0) {
    const { m, e } = decompose(Math.abs(x));
    s = scaledRound(m, e, digits).toString();
  }
  if (digits === 0) return sign + s;
  s = s.padStart(digits + 1, "0");
  return `${sign}${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
}

/** Python's `'{:.<digits>e}'.format(x)`. */
export function formatSci(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  let k = 0;
  let s = "0".repeat(digits + 1);
  if (x !== 0) {
    const { m, e } = decompose(Math.abs(x));
    k = Math.floor(Math.log10(Math.abs(x)));
    // fix the estimate so that the rounded mantissa has exactly digits + 1 digits
    for (;;) {
      const n = scaledRound(m, e, digits - k);
      const len = n.toString().length;
      if (len > digits + 1) k++;
      else if (len < digits + 1) k--;
      else {
        s = n.toString();
        break;
      }
    }
  }
  const mant = digits === 0 ? s : `${s[0]}.${s.slice(1)}`;
  const exp = `${k < 0 ? "-" : "+"}${String(Math.abs(k)).padStart(2, "0")}`;
  return `${sign}${mant}e${exp}`;
}

// ---- the element formatter (_Formatter) ---------------------------------------------------------

interface Formatter {
  width: number;
  format(v: number): string;
}

/** Decide the notation and width from the values that will be shown, as PyTorch's _Formatter does. */
function makeFormatter(values: readonly number[], floating: boolean, bool: boolean): Formatter {
  let width = 1;
  const pad = (s: string) => (s.length < width ? " ".repeat(width - s.length) + s : s);
  if (!floating) {
    const str = bool ? (v: number) => (v ? "True" : "False") : (v: number) => String(v);
    for (const v of values) width = Math.max(width, str(v).length);
    return { width, format: (v) => pad(str(v)) };
  }
  const finite = values.filter((v) => Number.isFinite(v) && v !== 0);
  let intMode = true;
  let sciMode = false;
  if (finite.length > 0) {
    const abs = finite.map(Math.abs);
    const max = Math.max(...abs);
    const min = Math.min(...abs);
    intMode = finite.every((v) => Number.isInteger(v));
    if (intMode) {
      if (max / min > 1000 || max > 1e8) {
        sciMode = true;
        for (const v of finite) width = Math.max(width, formatSci(v, PRINT.precision).length);
      } else for (const v of finite) width = Math.max(width, formatFixed(v, 0).length + 1);
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      sciMode = true;
      for (const v of finite) width = Math.max(width, formatSci(v, PRINT.precision).length);
    } else for (const v of finite) width = Math.max(width, formatFixed(v, PRINT.precision).length);
  }
  const format = (v: number): string => {
    if (sciMode) return pad(formatSci(v, PRINT.precision));
    if (intMode) return pad(Number.isFinite(v) ? formatFixed(v, 0) + "." : nonFinite(v));
    return pad(formatFixed(v, PRINT.precision));
  };
  return { width, format };
}

// ---- layout (_tensor_str_with_formatter, _vector_str) ------------------------------------------

/** The indices of a dim that are shown: all, or the edge items when summarising. */
function shownIndices(size: number, summarize: boolean): { idx: number[]; cut: boolean } {
  const all = [...Array(size).keys()];
  if (!summarize || size <= 2 * PRINT.edgeitems) return { idx: all, cut: false };
  return { idx: [...all.slice(0, PRINT.edgeitems), ...all.slice(size - PRINT.edgeitems)], cut: true };
}

/** The values PyTorch's formatter looks at: every element, or the edges when summarising. */
function shownValues(data: ArrayLike<number>, shape: readonly number[], summarize: boolean): number[] {
  const out: number[] = [];
  const walk = (dim: number, start: number) => {
    if (dim === shape.length) {
      out.push(data[start]!);
      return;
    }
    const step = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    for (const i of shownIndices(shape[dim]!, summarize).idx) walk(dim + 1, start + i * step);
  };
  walk(0, 0);
  return out;
}

function tensorStr(data: ArrayLike<number>, shape: readonly number[], fmt: Formatter, summarize: boolean): string {
  const nd = shape.length;
  const inner = (dim: number, start: number, indent: number): string => {
    const { idx, cut } = shownIndices(shape[dim]!, summarize);
    if (dim === nd - 1) {
      const items = idx.map((i) => fmt.format(data[start + i]!));
      if (cut) items.splice(PRINT.edgeitems, 0, " ...");
      const perLine = Math.max(1, Math.floor((PRINT.linewidth - indent) / (fmt.width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
      return `[${lines.join(",\n" + " ".repeat(indent + 1))}]`;
    }
    const step = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const rows = idx.map((i) => inner(dim + 1, start + i * step, indent + 1));
    if (cut) rows.splice(PRINT.edgeitems, 0, "...");
    return `[${rows.join("," + "\n".repeat(nd - dim - 1) + " ".repeat(indent + 1))}]`;
  };
  return nd === 0 ? fmt.format(data[0]!) : inner(0, 0, "tensor(".length);
}

/** Append `, suffix` items, starting a new line where a line would pass the line width. */
function addSuffixes(str: string, suffixes: string[], indent: number): string {
  const parts = [str];
  let lastLineLen = str.length - str.lastIndexOf("\n") + 1;
  for (const s of suffixes) {
    if (lastLineLen + s.length + 2 > PRINT.linewidth) {
      parts.push(",\n" + " ".repeat(indent) + s);
      lastLineLen = indent + s.length;
    } else {
      parts.push(", " + s);
      lastLineLen += s.length + 2;
    }
  }
  parts.push(")");
  return parts.join("");
}

/** The repr of a tensor, as `print(x)` shows it in PyTorch. */
export function formatTensor(t: Tensor): string {
  const prefix = "tensor(";
  const indent = prefix.length;
  const suffixes: string[] = [];
  if (t.device !== "cpu") suffixes.push(`device='${t.device}'`);
  let body: string;
  if (t.numel() === 0) {
    if (t.ndim !== 1) suffixes.push(`size=(${t.shape.join(", ")})`);
    if (t.dtype !== getDefaultDtype()) suffixes.push(`dtype=torch.${t.dtype}`);
    body = "[]";
  } else {
    const implicit = t.dtype === getDefaultDtype() || t.dtype === "int64" || t.dtype === "bool";
    if (!implicit) suffixes.push(`dtype=torch.${t.dtype}`);
    const data = t.dataSync();
    const summarize = t.numel() > PRINT.threshold;
    const fmt = makeFormatter(shownValues(data, t.shape, summarize), isFloating(t.dtype), t.dtype === "bool");
    body = tensorStr(data, t.shape, fmt, summarize);
  }
  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn.name()}>`);
  else if (t.requiresGrad) suffixes.push("requires_grad=True");
  return addSuffixes(prefix + body, suffixes, indent);
}
