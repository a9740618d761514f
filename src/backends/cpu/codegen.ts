// Generates the TS elementwise and reduction loops from op expressions, one cached function per
// expression, so each loop is monomorphic and V8 inlines the arithmetic.

import type { DType, StorageArray } from "../../dtype.js";
import type { Expr, ReduceExpr, View } from "../../backend.js";
import type { Shape } from "../../shape.js";
import { H } from "./mathfns.js";

/** The CPU storage array behind a view. */
export function arr(v: View): StorageArray {
  return (v.storage as unknown as { data: StorageArray }).data;
}

/** Wrap a computed value for the output dtype's storage (rounding for 16-bit floats, int64 truncation). */
export function storeWrap(dtype: DType, v: string): string {
  switch (dtype) {
    case "float16":
      return `H.f16(${v})`;
    case "bfloat16":
      return `H.bf16(${v})`;
    case "bool":
      return `((${v}) !== 0 ? 1 : 0)`;
    case "int64":
      return `((${v}) + 0)`; // int64 lives in a Float64Array: no -0 (0 * -1 is 0, not -0)
    default:
      return v;
  }
}

/**
 * Merge dims that every operand walks contiguously, and drop size-1 dims, so most loops become 1-D.
 * Returns the new shape and one stride list per operand.
 */
export function coalesce(shape: Shape, strides: readonly Shape[]): { shape: number[]; strides: number[][] } {
  const flat = coalesceContiguous(shape, strides);
  if (flat) return flat;
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((st, k) => outStrides[k]![last] === st[d]! * size)) {
      outShape[last] = outShape[last]! * size;
      strides.forEach((st, k) => (outStrides[k]![last] = st[d]!));
    } else {
      outShape.push(size);
      strides.forEach((st, k) => outStrides[k]!.push(st[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * The common case of `coalesce`: every operand walks row-major memory without gaps (size-1 dims
 * aside), so the whole loop is one dim of unit stride. Null otherwise (or when there is nothing to walk).
 */
function coalesceContiguous(shape: Shape, strides: readonly Shape[]): { shape: number[]; strides: number[][] } | null {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    if (size !== 1) for (let k = 0; k < strides.length; k++) if (strides[k]![d] !== expected) return null;
    expected *= size;
  }
  if (expected <= 1) return null;
  const unit: number[][] = new Array<number[]>(strides.length);
  for (let k = 0; k < strides.length; k++) unit[k] = [1];
  return { shape: [expected], strides: unit };
}

type MapFn = (
  out: StorageArray,
  ins: StorageArray[],
  offsets: number[],
  strides: number[][],
  shape: number[],
  P: readonly number[],
  H: unknown,
) => void;

/** A compiled loop and what it was compiled for (besides its expression, the cache's key). */
interface MapEntry {
  nIn: number;
  outDtype: DType;
  reads: readonly (string | null)[];
  fn: MapFn;
}
/** Compiled loops by expression; the few variants of one expression are told apart by a linear scan. */
const mapCache = new Map<string, MapEntry[]>();
const names = ["a", "b", "c", "d"];
const NO_READS: readonly (string | null)[] = [];

function sameReads(a: readonly (string | null)[], b: readonly (string | null)[], n: number): boolean {
  for (let i = 0; i < n; i++) if ((a[i] ?? null) !== (b[i] ?? null)) return false;
  return true;
}

function compileMap(js: string, nIn: number, outDtype: DType, reads: readonly (string | null)[]): MapFn {
  let entries = mapCache.get(js);
  if (entries) {
    for (const e of entries)
      if (e.nIn === nIn && e.outDtype === outDtype && sameReads(e.reads, reads, nIn)) return e.fn;
  } else {
    entries = [];
    mapCache.set(js, entries);
  }
  const ops = [...Array(nIn).keys()];
  // operand 0 is the output, operands 1.. the inputs
  const all = [0, ...ops.map((i) => i + 1)];
  const decl = [
    "const nd = shape.length;",
    ...ops.map((i) => `const I${i} = ins[${i}];`),
    ...all.map((k) => `const s${k} = nd ? strides[${k}][nd - 1] : 0; let q${k} = offsets[${k}];`),
    "const inner = nd ? shape[nd - 1] : 1;",
    "let outer = 1; for (let d = 0; d < nd - 1; d++) outer *= shape[d];",
    "const p0 = P[0], p1 = P[1], p2 = P[2];",
    "const idx = new Array(Math.max(nd - 1, 0)).fill(0);",
  ];
  // Every operand contiguous (the common case after coalescing): one flat loop without stride steps.
  const flat = `
if (nd === 1 && ${all.map((k) => `s${k} === 1`).join(" && ")}) {
  for (let j = 0; j < inner; j++) {
    ${ops.map((i) => `const ${names[i]} = ${reads[i] ? `${reads[i]}(I${i}[q${i + 1} + j])` : `I${i}[q${i + 1} + j]`};`).join(" ")}
    out[q0 + j] = ${storeWrap(outDtype, js)};
  }
  return;
}`;
  const body = `
for (let it = 0; it < outer; it++) {
  ${all.map((k) => `let r${k} = q${k};`).join(" ")}
  for (let j = 0; j < inner; j++) {
    ${ops.map((i) => `const ${names[i]} = ${reads[i] ? `${reads[i]}(I${i}[r${i + 1}])` : `I${i}[r${i + 1}]`};`).join(" ")}
    out[r0] = ${storeWrap(outDtype, js)};
    ${all.map((k) => `r${k} += s${k};`).join(" ")}
  }
  for (let d = nd - 2; d >= 0; d--) {
    idx[d]++;
    ${all.map((k) => `q${k} += strides[${k}][d];`).join(" ")}
    if (idx[d] < shape[d]) break;
    ${all.map((k) => `q${k} -= strides[${k}][d] * shape[d];`).join(" ")}
    idx[d] = 0;
  }
}`;
  const fn = new Function(
    "out",
    "ins",
    "offsets",
    "strides",
    "shape",
    "P",
    "H",
    [...decl, flat, body].join("\n"),
  ) as MapFn;
  entries.push({ nIn, outDtype, reads: [...reads], fn });
  return fn;
}

/** An Int32Array over the same memory as a Float32Array (strides and offsets carry over). */
const bitsOf = (a: StorageArray): Int32Array => new Int32Array(a.buffer, a.byteOffset, a.length);

/** Run an elementwise expression over inputs already broadcast to out.shape. */
export function runMap(expr: Expr, inputs: readonly View[], out: View, scalars: readonly number[]): void {
  const nIn = inputs.length;
  for (const d of out.shape) if (d === 0) return;
  const ins = new Array<StorageArray>(nIn);
  const strides = new Array<Shape>(nIn + 1);
  const offsets = new Array<number>(nIn + 1);
  strides[0] = out.strides;
  offsets[0] = out.offset;
  let allFloat32 = out.dtype === "float32";
  for (let i = 0; i < nIn; i++) {
    const v = inputs[i]!;
    ins[i] = arr(v);
    allFloat32 &&= ins[i] instanceof Float32Array;
    strides[i + 1] = v.strides;
    offsets[i + 1] = v.offset;
  }
  const c = coalesce(out.shape, strides);
  if (expr.bits && allFloat32) {
    // the branch-free form on the same memory viewed as int32
    const fn = compileMap(expr.bits, nIn, "int32", NO_READS);
    fn(bitsOf(arr(out)), ins.map(bitsOf), offsets, c.strides, c.shape, scalars, H);
  } else {
    const fn = compileMap(expr.js, nIn, out.dtype, expr.reads ?? NO_READS);
    fn(arr(out), ins, offsets, c.strides, c.shape, scalars, H);
  }
}

type ReduceFn = (
  out: StorageArray,
  outOff: number,
  x: StorageArray,
  xOff: number,
  outerShape: number[],
  outerStrides: number[],
  innerShape: number[],
  innerStrides: number[],
  H: unknown,
) => void;
const reduceCache = new Map<string, ReduceFn>();

function compileReduce(e: ReduceExpr, outDtype: DType): ReduceFn {
  const key = `${outDtype}|${e.init}|${e.step}`;
  let fn = reduceCache.get(key);
  if (fn) return fn;
  const src = `
let outer = 1; for (const d of outerShape) outer *= d;
let inner = 1; for (const d of innerShape) inner *= d;
const no = outerShape.length, ni = innerShape.length;
const oidx = new Array(no).fill(0), iidx = new Array(ni).fill(0);
let base = xOff;
for (let o = 0; o < outer; o++) {
  let acc = ${e.init};
  let p = base;
  iidx.fill(0);
  for (let i = 0; i < inner; i++) {
    const v = x[p];
    acc = ${e.step};
    for (let d = ni - 1; d >= 0; d--) {
      iidx[d]++; p += innerStrides[d];
      if (iidx[d] < innerShape[d]) break;
      p -= innerStrides[d] * innerShape[d]; iidx[d] = 0;
    }
  }
  out[outOff + o] = ${storeWrap(outDtype, "acc")};
  for (let d = no - 1; d >= 0; d--) {
    oidx[d]++; base += outerStrides[d];
    if (oidx[d] < outerShape[d]) break;
    base -= outerStrides[d] * outerShape[d]; oidx[d] = 0;
  }
}`;
  fn = new Function(
    "out",
    "outOff",
    "x",
    "xOff",
    "outerShape",
    "outerStrides",
    "innerShape",
    "innerStrides",
    "H",
    src,
  ) as ReduceFn;
  reduceCache.set(key, fn);
  return fn;
}

/** Reduce the trailing nReduce dims of x into the contiguous out. */
export function runReduce(e: ReduceExpr, x: View, nReduce: number, out: View): void {
  const k = x.shape.length - nReduce;
  const fn = compileReduce(e, out.dtype);
  fn(
    arr(out),
    out.offset,
    arr(x),
    x.offset,
    x.shape.slice(0, k),
    x.strides.slice(0, k),
    x.shape.slice(k),
    x.strides.slice(k),
    H,
  );
}
