// PyTorch-style printing of tensors: `tensor([[ 1.0000, -2.5000]], requires_grad=True)`.

import { getDefaultDtype, isFloating } from "./dtype.js";
import type { Tensor } from "./tensor.js";

const PRECISION = 4;
const SUMMARIZE_OVER = 1000;
const EDGE_ITEMS = 3;

/** Decide how to print every element of a float tensor, from its finite nonzero magnitudes. */
function floatFormatter(values: ArrayLike<number>): (v: number) => string {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v) && v !== 0) finite.push(Math.abs(v));
  }
  const special = (v: number) => (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
  if (finite.length === 0 || finite.every((v) => Number.isInteger(v))) {
    const max = finite.length ? Math.max(...finite) : 0;
    if (max > 1e8)
      return (v) => (Number.isFinite(v) ? v.toExponential(PRECISION).replace(/e([+-])(\d)$/, "e$10$2") : special(v));
    return (v) => (Number.isFinite(v) ? `${Object.is(v, -0) ? "-0" : v.toFixed(0)}.` : special(v));
  }
  const max = Math.max(...finite);
  const min = Math.min(...finite);
  if (max / min > 1000 || max > 1e8 || min < 1e-4)
    return (v) => (Number.isFinite(v) ? v.toExponential(PRECISION).replace(/e([+-])(\d)$/, "e$10$2") : special(v));
  return (v) => (Number.isFinite(v) ? v.toFixed(PRECISION) : special(v));
}

function suffixes(t: Tensor): string[] {
  const out: string[] = [];
  if (t.device !== "cpu") out.push(`device='${t.device}'`);
  const implicit = t.dtype === getDefaultDtype() || t.dtype === "int64" || t.dtype === "bool";
  if (!implicit || (t.numel() === 0 && t.dtype !== getDefaultDtype())) out.push(`dtype=torch.${t.dtype}`);
  if (t.gradFn) out.push(`grad_fn=<${t.gradFn.name()}>`);
  else if (t.requiresGrad) out.push("requires_grad=True");
  return out;
}

/** The repr of a tensor, as `print(x)` shows it in PyTorch. */
export function formatTensor(t: Tensor): string {
  const data = t.dataSync();
  const extra = suffixes(t);
  if (t.numel() === 0) {
    const size = t.ndim === 1 ? "" : `, size=(${t.shape.join(", ")}${t.ndim === 1 ? "," : ""})`;
    return `tensor([]${size}${extra.map((s) => ", " + s).join("")})`;
  }
  const summarize = t.numel() > SUMMARIZE_OVER;
  const fmt: (v: number) => string = isFloating(t.dtype)
    ? floatFormatter(data)
    : t.dtype === "bool"
      ? (v) => (v ? "True" : "False")
      : (v) => String(v);
  const strs = Array.from(data, (v) => fmt(v));
  const width = Math.max(...strs.map((s) => s.length));
  const pad = (s: string) => s.padStart(width);
  const inner = (dim: number, start: number, indent: number): string => {
    const size = t.shape[dim]!;
    const step = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    let idx = [...Array(size).keys()];
    let cut = -1;
    if (summarize && size > 2 * EDGE_ITEMS) {
      idx = [...idx.slice(0, EDGE_ITEMS), ...idx.slice(size - EDGE_ITEMS)];
      cut = EDGE_ITEMS;
    }
    if (dim === t.ndim - 1) {
      const items = idx.map((i) => pad(strs[start + i]!));
      if (cut >= 0) items.splice(cut, 0, "...");
      return `[${items.join(", ")}]`;
    }
    const sep = "," + "\n".repeat(t.ndim - dim - 1) + " ".repeat(indent + 1);
    const rows = idx.map((i) => inner(dim + 1, start + i * step, indent + 1));
    if (cut >= 0) rows.splice(cut, 0, "...");
    return `[${rows.join(sep)}]`;
  };
  const body = t.ndim === 0 ? strs[0]! : inner(0, 0, "tensor(".length);
  return `tensor(${body}${extra.map((s) => ", " + s).join("")})`;
}
