// Float32 operand preparation for the native elementwise paths, and the native comparisons / where
// (native/src/select_kernels.cc) that form masks and the ReLU gradient.
// A broadcast scalar of another dtype (a wrapped JS number, an int64 zero, a float64 0-dim tensor) that
// the op reads as float32 anyway (`Math.fround`, see readCast in src/ops/elementwise.ts) becomes a
// one-element Float32Array, so float32 ops with scalars stay native.

import type { Expr, View } from "../../backend.js";
import type { StorageArray } from "../../dtype.js";
import { arr, coalesce } from "./codegen.js";
import { metaArray } from "./native_meta.js";

/** The addon's select entry point (absent from older builds). */
export interface SelectAddon {
  select?(
    op: number,
    out: StorageArray,
    a: StorageArray,
    b: StorageArray,
    c: StorageArray | null,
    meta: Float64Array,
  ): void;
}

/** A float32 operand: its array, offset and (broadcast) strides. */
export interface F32Operand {
  data: Float32Array;
  offset: number;
  strides: readonly number[];
}

/**
 * Input k of a map as a float32 operand: a float32 view as is, or a broadcast scalar of another dtype
 * that the expression reads as float32 (`asStored`: the value is only stored into float32, as where's
 * branches are). Null when neither.
 */
export function float32Operand(expr: Expr, v: View, k: number, asStored = false): F32Operand | null {
  const data = arr(v);
  if (v.dtype === "float32") {
    const read = expr.reads?.[k];
    return data instanceof Float32Array && !read ? { data, offset: v.offset, strides: v.strides } : null;
  }
  if (!v.strides.every((s) => s === 0) || !(asStored || expr.reads?.[k] === "Math.fround")) return null;
  return { data: Float32Array.of(data[v.offset]!), offset: 0, strides: v.strides.map(() => 0) };
}

const CMP = new Map<string, number>([
  ["a <= b ? 1 : 0", 0],
  ["a < b ? 1 : 0", 1],
  ["a >= b ? 1 : 0", 2],
  ["a > b ? 1 : 0", 3],
  ["a === b ? 1 : 0", 4],
  ["a !== b ? 1 : 0", 5],
]);
const WHERE = 6;
const WHERE_JS = "a !== 0 ? b : c";

/** Below this many elements the TS loop is cheaper than a call into the addon. */
const SELECT_MIN = 512;

/** out = a <cmp> b (float32 operands, bool out) or out = cond ? b : c (bool cond, float32 out) natively. */
export function trySelect(a: SelectAddon, expr: Expr, inputs: readonly View[], out: View): boolean {
  if (!a.select) return false;
  const where = expr.js === WHERE_JS && inputs.length === 3;
  const op = where ? WHERE : CMP.get(expr.js);
  if (op === undefined || (!where && inputs.length !== 2)) return false;
  if (out.shape.reduce((p, q) => p * q, 1) < SELECT_MIN) return false;
  const outArr = arr(out);
  let ops: (F32Operand | { data: Uint8Array; offset: number; strides: readonly number[] } | null)[];
  if (where) {
    const cond = inputs[0]!;
    const c = arr(cond);
    if (out.dtype !== "float32" || !(outArr instanceof Float32Array)) return false;
    if ((cond.dtype !== "bool" && cond.dtype !== "uint8") || !(c instanceof Uint8Array)) return false;
    ops = [
      { data: c, offset: cond.offset, strides: cond.strides },
      float32Operand(expr, inputs[1]!, 1, true),
      float32Operand(expr, inputs[2]!, 2, true),
    ];
  } else {
    if (out.dtype !== "bool" || !(outArr instanceof Uint8Array)) return false;
    ops = [float32Operand(expr, inputs[0]!, 0), float32Operand(expr, inputs[1]!, 1)];
  }
  if (ops.some((o) => o === null || o.data === outArr)) return false;
  const operands = ops as { data: Float32Array | Uint8Array; offset: number; strides: readonly number[] }[];
  const c = coalesce(out.shape, [out.strides, ...operands.map((o) => o.strides)]);
  const nd = c.shape.length;
  if (nd > 16) return false;
  if (nd > 0) {
    if (c.strides[0]![nd - 1] !== 1) return false;
    for (let k = 1; k <= operands.length; k++) {
      const s = c.strides[k]![nd - 1]!;
      if (s !== 0 && s !== 1) return false;
    }
  }
  const meta = metaArray(5 + 5 * nd);
  meta[0] = nd;
  meta[1] = out.offset;
  operands.forEach((o, k) => (meta[2 + k] = o.offset));
  for (let d = 0; d < nd; d++) {
    meta[5 + d] = c.shape[d]!;
    for (let k = 0; k < 4; k++) meta[5 + (k + 1) * nd + d] = c.strides[k]?.[d] ?? 0;
  }
  a.select(op, outArr, operands[0]!.data, operands[1]!.data, operands[2]?.data ?? null, meta);
  return true;
}
