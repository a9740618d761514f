// The webgpu kernel set: each kernel of the backend contract as a WGSL compute shader generated from
// the view's dtypes (and, for `map`, the op's WGSL expression), cached by a key, with shapes, strides
// and scalars passed in a metadata buffer so one pipeline serves every shape. Written for correctness
// first (lavapipe runs them on the CPU); the tuned templates of issue 5 come later.
// Inputs that share a buffer with the output are read from a snapshot copy.

import type { ConvGeometry, Expr, Kernels, ReduceExpr, ScatterReduce, View, WgslReduce } from "../../backend.js";
import type { DType } from "../../dtype.js";
import { numel, type Shape } from "../../shape.js";
import { coalesce } from "../cpu/codegen.js";
import { SUM } from "../../ops/reduce_exprs.js";
import { dispatch, grid, pipeline, setErrorDecoder, snapshot, type BindKind } from "./gpu.js";
import { convIm2col, convWeightGradIm2col, im2colApplies } from "./conv_im2col.js";
import { tunedMatmul, tunedMatmulApplies } from "./matmul.js";
import { maxPoolIndices } from "./pool.js";
import { allocStorage, bufferOf, freeStorage } from "./storage.js";
import {
  computeType,
  jsToWgsl,
  LINEAR_INDEX,
  MAIN_ARGS,
  offsetsFn,
  offsetsMeta,
  prelude,
  storeExpr,
  storeType,
  valueType,
  to3,
  type StoreType,
} from "./wgsl.js";

/** The error every kernel without a webgpu implementation raises. */
export function notImplemented(op: string, detail = ""): never {
  throw new Error(`op ${op} is not implemented on webgpu yet${detail ? ` (${detail})` : ""}`);
}

// ---- shared plumbing --------------------------------------------------------------------------

/** Buffers for one dispatch: outputs first, then inputs (snapshotted when they alias an output). */
function buffers(op: string, outs: readonly View[], ins: readonly View[]): GPUBuffer[] {
  const o = outs.map((v) => bufferOf(v.storage, op));
  const i = ins.map((v) => {
    const b = bufferOf(v.storage, op);
    return o.includes(b) ? snapshot(b) : b;
  });
  return [...o, ...i];
}

const f32Scratch = new Float32Array(1);
const i32OfF32 = new Int32Array(f32Scratch.buffer);
/** The bits of `v` as an f32, for a metadata word. */
function f32Bits(v: number): number {
  f32Scratch[0] = v;
  return i32OfF32[0]!;
}
/** A JS number as an i32 metadata word (saturating; NaN gives 0). */
function i32Of(v: number): number {
  if (v !== v) return 0;
  return v >= 2147483647 ? 2147483647 : v <= -2147483648 ? -2147483648 : Math.trunc(v);
}

/** WGSL declarations of bindings: `names[i]` bound at i as read ("r") or read-write ("w") arrays. */
function decls(binds: readonly [string, BindKind, string][]): string {
  return binds
    .map(
      ([name, kind, type], i) =>
        `@group(0) @binding(${i}) var<storage, ${kind === "w" ? "read_write" : "read"}> ${name}: array<${type}>;`,
    )
    .join("\n");
}

/** Error codes kernels write into the error buffer: 1 and 2 bad indices of gather/scatter, 3 a registered message. */
const ERR_OPS: Record<number, string> = { 1: "gather", 2: "scatter" };
const MSG_CODE = 3;

/** Messages of deferred checks (assertNone), by id; the types say how to decode the reported values. */
const messages: { text: string; types: StoreType[] }[] = [];
const messageIds = new Map<string, number>();

/** The id of a message (registered once per distinct text and value types). */
function messageId(text: string, types: readonly StoreType[]): number {
  const key = `${types.join(",")}|${text}`;
  let id = messageIds.get(key);
  if (id === undefined) {
    id = messages.length;
    messages.push({ text, types: [...types] });
    messageIds.set(key, id);
  }
  return id;
}

/** A reported value (an i32 word of the error buffer) as text, by the type it was stored as. */
function formatWord(w: number, t: StoreType | undefined): string {
  if (t === "f32") {
    i32OfF32[0] = w;
    return String(f32Scratch[0]);
  }
  if (t === "u32") return w ? "True" : "False";
  return String(w);
}

setErrorDecoder((w) => {
  if (w[1] === MSG_CODE) {
    const m = messages[w[2]!];
    if (!m) return null;
    return new RangeError(
      m.text.replace(/\{(\d)\}/g, (_, k: string) => formatWord(w[3 + Number(k)]!, m.types[Number(k)])),
    );
  }
  const op = ERR_OPS[w[1]!] ?? "index";
  return new RangeError(`${op}(): index ${w[2]} is out of bounds for dimension ${w[4]} with size ${w[3]}`);
});
/** WGSL of the error buffer binding at `binding` and the `report` functions kernels call on a bad value. */
function errorDecl(binding: number): string {
  return `
@group(0) @binding(${binding}) var<storage, read_write> err: array<atomic<i32>, 8>;
fn report(code: i32, j: i32, n: i32, dim: i32) {
  let r = atomicCompareExchangeWeak(&err[0], 0, 1);
  if (r.exchanged) {
    atomicStore(&err[1], code);
    atomicStore(&err[2], j);
    atomicStore(&err[3], n);
    atomicStore(&err[4], dim);
  }
}
fn report_msg(id: i32, v0: i32, v1: i32) { report(${MSG_CODE}, id, v0, v1); }`;
}

const isFloatType = (d: DType) => computeType(d) === "f32";
const last = (s: Shape) => s[s.length - 1]!;

/** The WGSL conversion of an input read (Expr.reads): rounding to float16/bfloat16, else none. */
function readConv(js: string | null | undefined): string {
  return js === "H.f16" ? "round_f16" : js === "H.bf16" ? "round_bf16" : "";
}

// ---- map --------------------------------------------------------------------------------------

function map(expr: Expr, inputs: readonly View[], out: View, scalars: readonly number[]): void {
  const op = expr.name ?? "map";
  const bufs = buffers(op, [out], inputs);
  const n = numel(out.shape);
  if (n === 0) return;
  const compute = expr.compute ?? inputs[0]?.dtype ?? out.dtype;
  const C = computeType(compute);
  const body = expr.wgsl ?? jsToWgsl(expr.js, C);
  if (body === null) notImplemented(op, `no WGSL form of the expression '${expr.js}'`);
  // float -> bool: NaN is true (an ordered `!=` would say false)
  const wgsl = out.dtype === "bool" && C === "f32" && body === "a" ? "!(a == 0.0)" : body;
  const views = [out, ...inputs];
  const co = coalesce(
    out.shape,
    views.map((v) => v.strides),
  );
  const inTypes = inputs.map((v) => storeType(v.dtype));
  const reads = inputs.map((_, i) => readConv(expr.reads?.[i])).join(",");
  const key = `map|${C}|${out.dtype}|${inTypes.join(",")}|${reads}|${wgsl}`;
  const binds: [string, BindKind, string][] = [
    ["dst", "w", storeType(out.dtype)],
    ...inTypes.map((t, i): [string, BindKind, string] => [`x${i}`, "r", t]),
    ["md", "m", "i32"],
  ];
  const k = views.length;
  const kernel = pipeline(
    key,
    binds.map((b) => b[1]),
    () => `${prelude()}
alias C = ${C};
${decls(binds)}
${offsetsFn(k)}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  let idx = ${LINEAR_INDEX};
  if (idx >= md[3]) { return; }
  let o = offsets_${k}(idx, 4);
  ${inputs.map((_, i) => `let ${"abc"[i]} = ${readConv(expr.reads?.[i])}(C(x${i}[o[${i + 1}]]));`).join("\n  ")}
  ${[0, 1, 2].map((i) => `let p${i} = ${C === "f32" ? `bitcast<f32>(md[${i}])` : `md[${i}]`};`).join("\n  ")}
  let r = ${wgsl};
  dst[o[0]] = ${storeExpr(out.dtype, "r", C === "f32")};
}`,
  );
  const p = [0, 1, 2].map((i) => scalars[i] ?? 0).map((v) => (C === "f32" ? f32Bits(v) : i32Of(v)));
  const meta = Int32Array.from([
    ...p,
    n,
    ...offsetsMeta(
      co.shape,
      views.map((v, i) => ({ offset: v.offset, strides: co.strides[i]! })),
    ),
  ]);
  dispatch(kernel, bufs, meta, grid(Math.ceil(n / 64)));
}

// ---- reduce -----------------------------------------------------------------------------------

/**
 * Reduce the trailing `nReduce` dims of x into out. One workgroup reduces one output's elements (a
 * strided loop per invocation, then a tree in workgroup memory); when there are few outputs with many
 * elements each (a full sum, a bias gradient), each output's range is split over P workgroups writing
 * partial results, and a second pass combines the P partials, so the GPU is not left with a handful
 * of workgroups walking millions of elements.
 */
function reduce(e: ReduceExpr, x: View, nReduce: number, out: View): void {
  const op = "reduce";
  const bufs = buffers(op, [out], [x]);
  const A = computeType(x.dtype);
  const r = e.wgsl?.[A];
  if (!r) notImplemented(`reduce with step '${e.step}'`, `for ${x.dtype}`);
  const k = x.shape.length - nReduce;
  const outer = x.shape.slice(0, k);
  const inner = x.shape.slice(k);
  const M = numel(outer);
  if (M === 0) return;
  const n = numel(inner);
  const P = Math.max(1, Math.min(Math.ceil(n / SPLIT_MIN_CHUNK), Math.ceil(SPLIT_TARGET_GROUPS / M)));
  const xGeometry = (dstOffset: number, parts: number) =>
    reduceMeta(outer, x.strides.slice(0, k), x.offset, inner, x.strides.slice(k), dstOffset, parts);
  if (n <= ROW_PER_INVOCATION_MAX && M >= 64) {
    // many short rows: one invocation per output walks its row
    dispatch(reduceKernel(r, A, x.dtype, out.dtype, true), bufs, xGeometry(out.offset, 1), grid(Math.ceil(M / 64)));
    return;
  }
  if (P === 1) {
    dispatch(reduceKernel(r, A, x.dtype, out.dtype), bufs, xGeometry(out.offset, 1), grid(M));
    return;
  }
  // pass 1: partial[o, p] over the p-th chunk of output o's elements; pass 2: combine the P partials
  const partialType = A === "f32" ? "float32" : "int32";
  const partials = allocStorage(partialType, M * P, false);
  dispatch(reduceKernel(r, A, x.dtype, partialType), [partials.buffer!, bufs[1]!], xGeometry(0, P), grid(M * P));
  const combine: WgslReduce = { ...r, step: r.combine.replace(/\ba\b/g, "acc").replace(/\bb\b/g, "v") };
  const second = reduceMeta([M], [P], 0, [P], [1], out.offset, 1);
  dispatch(reduceKernel(combine, A, partialType, out.dtype), [bufs[0]!, partials.buffer!], second, grid(M));
  freeStorage(partials);
}

/** The words of `reduceKernel`'s md for outputs `outer` (x strides, offset) over elements `inner`. */
function reduceMeta(
  outer: readonly number[],
  outerStrides: readonly number[],
  xOffset: number,
  inner: readonly number[],
  innerStrides: readonly number[],
  dstOffset: number,
  parts: number,
): Int32Array {
  const outerMeta = offsetsMeta(outer, [{ offset: xOffset, strides: outerStrides }]);
  const innerMeta = offsetsMeta(inner, [{ offset: 0, strides: innerStrides }]);
  const n = numel(inner);
  return Int32Array.from([
    numel(outer) * parts,
    n,
    dstOffset,
    6 + outerMeta.length,
    parts,
    Math.ceil(n / parts),
    ...outerMeta,
    ...innerMeta,
  ]);
}

/** Outputs with fewer than this many workgroups in total get their ranges split (see `reduce`). */
const SPLIT_TARGET_GROUPS = 1024;
/** Fewest elements a split-off chunk reduces. */
const SPLIT_MIN_CHUNK = 1024;
/** Rows up to this long are reduced by one invocation each (a workgroup per row would idle). */
const ROW_PER_INVOCATION_MAX = 64;

/**
 * The reduction kernel. Workgroup w reduces chunk w % P (of md[5] elements) of output w / P and stores
 * at dst[md[2] + w]. md: [workgroups, elements per output, dst offset, where the inner offsets start,
 * P, chunk, outer offsets..., inner offsets...]. With `perInvocation`, invocation w reduces all of
 * output w's elements alone (md[0] is then the number of outputs, P 1).
 */
function reduceKernel(r: WgslReduce, A: "f32" | "i32", xType: DType, outType: DType, perInvocation = false) {
  const key = `reduce|${perInvocation ? "rows" : "tree"}|${A}|${storeType(xType)}|${outType}|${r.init}|${r.step}|${r.combine}`;
  const binds: [string, BindKind, string][] = [
    ["dst", "w", storeType(outType)],
    ["x", "r", storeType(xType)],
    ["md", "m", "i32"],
  ];
  const store = storeExpr(outType, "acc", A === "f32");
  if (perInvocation)
    return pipeline(
      key,
      binds.map((b) => b[1]),
      () => `${prelude()}
alias A = ${A};
${decls(binds)}
${offsetsFn(1)}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  let o = ${LINEAR_INDEX};
  if (o >= md[0]) { return; }
  let base = offsets_1(o, 6)[0];
  var acc: A = ${r.init};
  for (var i = 0; i < md[1]; i++) {
    let v = A(x[base + offsets_1(i, md[3])[0]]);
    acc = ${r.step};
  }
  dst[md[2] + o] = ${store};
}`,
    );
  return pipeline(
    key,
    binds.map((b) => b[1]),
    () => `${prelude()}
alias A = ${A};
${decls(binds)}
${offsetsFn(1)}
var<workgroup> sh: array<A, 64>;
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  let w = i32(wg.y * nw.x + wg.x);
  if (w >= md[0]) { return; }
  let o = w / md[4];
  let start = (w % md[4]) * md[5];
  let end = min(start + md[5], md[1]);
  let base = offsets_1(o, 6)[0];
  var acc: A = ${r.init};
  for (var i = start + i32(li); i < end; i += 64) {
    let v = A(x[base + offsets_1(i, md[3])[0]]);
    acc = ${r.step};
  }
  sh[li] = acc;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (li < s) {
      let a = sh[li];
      let b = sh[li + s];
      sh[li] = ${r.combine};
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    let r = sh[0];
    dst[md[2] + w] = ${storeExpr(outType, "r", A === "f32")};
  }
}`,
  );
}

/**
 * The start of a row kernel's WGSL: helpers, bindings, and `main` up to `p`, the offsets of row `r`
 * in each of `k` operands (md[0] rows of md[1] elements; the rows' offset metadata from word `base`).
 */
function rowKernelHead(binds: readonly [string, BindKind, string][], k: number, base: number): string {
  return `${prelude()}
${decls(binds)}
${offsetsFn(k)}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  let r = ${LINEAR_INDEX};
  if (r >= md[0]) { return; }
  let n = md[1];
  let p = offsets_${k}(r, ${base});`;
}

/** `offsetsMeta` of the rows of views whose last dim each kernel invocation walks itself. */
function rowOffsetsMeta(rows: Shape, views: readonly View[]): number[] {
  return offsetsMeta(
    rows,
    views.map((v) => ({ offset: v.offset, strides: v.strides.slice(0, -1) })),
  );
}

/** WGSL `cmp(a, b)`: -1, 0 or 1 in sort order, NaN after every number (as PyTorch sorts). */
function cmpFn(T: "f32" | "i32"): string {
  const nan =
    T === "f32"
      ? `let na = isnan_f(a);
  let nb = isnan_f(b);
  if (na || nb) { return select(0, 1, na) - select(0, 1, nb); }`
      : "";
  return `fn cmp(a: ${T}, b: ${T}) -> i32 {
  ${nan}
  return select(select(0, 1, a > b), -1, a < b);
}`;
}

// ---- argReduce, scan, sort: one invocation per row (or per element of a row) ---------------------

function argReduce(kind: "max" | "min", x: View, out: View): void {
  const op = `arg${kind}`;
  const bufs = buffers(op, [out], [x]);
  const rows = x.shape.slice(0, -1);
  const R = numel(rows);
  if (R === 0) return;
  const A = computeType(x.dtype);
  const nan = (v: string) => (A === "f32" ? `isnan_f(${v})` : "false");
  const binds: [string, BindKind, string][] = [
    ["dst", "w", storeType(out.dtype)],
    ["x", "r", storeType(x.dtype)],
    ["md", "m", "i32"],
  ];
  const kernel = pipeline(
    `argReduce|${kind}|${A}|${storeType(x.dtype)}|${out.dtype}`,
    binds.map((b) => b[1]),
    () => `${rowKernelHead(binds, 1, 4)}
  let s = md[2];
  var best = ${A}(x[p[0]]);
  var bi = 0;
  for (var i = 1; i < n; i++) {
    if (${nan("best")}) { break; }
    let v = ${A}(x[p[0] + i * s]);
    if (${nan("v")} || v ${kind === "max" ? ">" : "<"} best) {
      best = v;
      bi = i;
    }
  }
  dst[md[3] + r] = ${storeExpr(out.dtype, "bi", false)};
}`,
  );
  const meta = Int32Array.from([R, last(x.shape), last(x.strides), out.offset, ...rowOffsetsMeta(rows, [x])]);
  dispatch(kernel, bufs, meta, grid(Math.ceil(R / 64)));
}

function scan(kind: "sum" | "prod" | "max" | "min", x: View, out: View | null, indices: View | null): void {
  const op = `cum${kind}`;
  const outs = [out, indices].filter((v): v is View => v !== null);
  const bufs = buffers(op, outs, [x]);
  const rows = x.shape.slice(0, -1);
  const R = numel(rows);
  const n = last(x.shape);
  if (R === 0 || n === 0) return;
  const A = computeType(x.dtype);
  const f = A === "f32";
  const binds: [string, BindKind, string][] = [
    ...(out ? [["dst", "w", storeType(out.dtype)] as [string, BindKind, string]] : []),
    ...(indices ? [["ind", "w", storeType(indices.dtype)] as [string, BindKind, string]] : []),
    ["x", "r", storeType(x.dtype)],
    ["md", "m", "i32"],
  ];
  let step: string;
  if (kind === "sum")
    // compensated (Kahan) summation: the CPU kernels accumulate in float64
    step = f ? "let y = v - comp; let t = acc + y; comp = (t - acc) - y; acc = t;" : "acc = acc + v;";
  else if (kind === "prod") step = "acc = acc * v;";
  else {
    const cmp = kind === "max" ? ">=" : "<=";
    step = f
      ? `if (isnan_f(v) || (!isnan_f(acc) && v ${cmp} acc)) { acc = v; ai = i; }`
      : `if (v ${cmp} acc) { acc = v; ai = i; }`;
  }
  const kernel = pipeline(
    `scan|${kind}|${A}|${storeType(x.dtype)}|${out?.dtype}|${indices?.dtype}`,
    binds.map((b) => b[1]),
    () => `${rowKernelHead(binds, 3, 5)}
  var acc: ${A} = ${A}(0);
  var comp: ${A} = ${A}(0);
  var ai = 0;
  for (var i = 0; i < n; i++) {
    let v = ${A}(x[p[0] + i * md[2]]);
    if (i == 0) { acc = v; } else { ${step} }
    ${out ? `dst[p[1] + i * md[3]] = ${storeExpr(out.dtype, "acc", f)};` : ""}
    ${indices ? `ind[p[2] + i * md[4]] = ${storeExpr(indices.dtype, "ai", false)};` : ""}
  }
}`,
  );
  const views = [x, out ?? x, indices ?? x];
  const meta = Int32Array.from([
    R,
    n,
    last(x.strides),
    out ? last(out.strides) : 0,
    indices ? last(indices.strides) : 0,
    ...rowOffsetsMeta(rows, views),
  ]);
  dispatch(kernel, bufs, meta, grid(Math.ceil(R / 64)));
}

/** Softmax / log-softmax along the last dim: one invocation per row makes three passes over it. */
function softmax(x: View, out: View, log: boolean): void {
  const op = log ? "log_softmax" : "softmax";
  const bufs = buffers(op, [out], [x]);
  const rows = x.shape.slice(0, -1);
  const R = numel(rows);
  if (R === 0) return;
  if (!isFloatType(x.dtype)) notImplemented(op, `for ${x.dtype}`);
  const binds: [string, BindKind, string][] = [
    ["dst", "w", storeType(out.dtype)],
    ["x", "r", storeType(x.dtype)],
    ["md", "m", "i32"],
  ];
  const result = log ? "v - m - ls" : "exp_f(v - m) / s";
  const kernel = pipeline(
    `softmax|${log}|${storeType(x.dtype)}|${out.dtype}`,
    binds.map((b) => b[1]),
    () => `${rowKernelHead(binds, 2, 4)}
  var m = -inf_f();
  for (var i = 0; i < n; i++) {
    let v = f32(x[p[0] + i * md[2]]);
    if (isnan_f(v)) { m = v; break; }
    m = max(m, v);
  }
  if (!isfinite_f(m)) {
    // a NaN, an Inf or only -Inf in the row: every output is NaN (as inf - inf would give)
    for (var i = 0; i < n; i++) { dst[p[1] + i * md[3]] = ${storeExpr(out.dtype, "nan_f()", true)}; }
    return;
  }
  var s = 0.0;
  for (var i = 0; i < n; i++) { s += exp_f(f32(x[p[0] + i * md[2]]) - m); }
  let ls = log(s);
  for (var i = 0; i < n; i++) {
    let v = f32(x[p[0] + i * md[2]]);
    dst[p[1] + i * md[3]] = ${storeExpr(out.dtype, result, true)};
  }
}`,
  );
  const meta = Int32Array.from([
    R,
    last(x.shape),
    last(x.strides),
    last(out.strides),
    ...rowOffsetsMeta(rows, [x, out]),
  ]);
  dispatch(kernel, bufs, meta, grid(Math.ceil(R / 64)));
}

function sort(x: View, descending: boolean, indices: View): void {
  const op = "sort";
  const bufs = buffers(op, [indices], [x]);
  const rows = x.shape.slice(0, -1);
  const n = last(x.shape);
  const total = numel(rows) * n;
  if (total === 0) return;
  const A = computeType(x.dtype);
  const binds: [string, BindKind, string][] = [
    ["ind", "w", storeType(indices.dtype)],
    ["x", "r", storeType(x.dtype)],
    ["md", "m", "i32"],
  ];
  // rank of element i in its row = how many elements sort before it (ties keep index order: stable)
  const kernel = pipeline(
    `sort|${A}|${storeType(x.dtype)}|${indices.dtype}`,
    binds.map((b) => b[1]),
    () => `${prelude()}
${decls(binds)}
${offsetsFn(2)}
${cmpFn(A)}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  let idx = ${LINEAR_INDEX};
  if (idx >= md[0]) { return; }
  let n = md[1];
  let r = idx / n;
  let i = idx % n;
  let p = offsets_2(r, 5);
  let xi = ${A}(x[p[0] + i * md[2]]);
  var rank = 0;
  for (var j = 0; j < n; j++) {
    var c = cmp(${A}(x[p[0] + j * md[2]]), xi);
    if (md[4] != 0) { c = -c; }
    if (c < 0 || (c == 0 && j < i)) { rank++; }
  }
  ind[p[1] + rank * md[3]] = ${storeExpr(indices.dtype, "i", false)};
}`,
  );
  const meta = Int32Array.from([
    total,
    n,
    last(x.strides),
    last(indices.strides),
    descending ? 1 : 0,
    ...rowOffsetsMeta(rows, [x, indices]),
  ]);
  dispatch(kernel, bufs, meta, grid(Math.ceil(total / 64)));
}

// ---- matmul -----------------------------------------------------------------------------------

/** Most batch matrices per dispatch (the z workgroup count limit). */
const MAX_Z = 65535;

function matmul(a: View, b: View, out: View): void {
  const op = "matmul";
  const bufs = buffers(op, [out], [a, b]);
  if (tunedMatmulApplies(a, b, out)) return tunedMatmul(bufs, a, b, out);
  const nd = out.shape.length;
  const M = out.shape[nd - 2]!;
  const N = out.shape[nd - 1]!;
  const K = a.shape[nd - 1]!;
  const batch = out.shape.slice(0, nd - 2);
  const B = numel(batch);
  if (M === 0 || N === 0 || B === 0) return;
  const C = computeType(out.dtype);
  const f = C === "f32";
  const binds: [string, BindKind, string][] = [
    ["dst", "w", storeType(out.dtype)],
    ["xa", "r", storeType(a.dtype)],
    ["xb", "r", storeType(b.dtype)],
    ["md", "m", "i32"],
  ];
  // float: compensated dot product (Ogita-Rump-Oishi Dot2), as the CPU kernels sum exactly in float64
  const acc = f
    ? `let p = x * y;
      let ep = fma(x, y, -p);
      let t = s + p;
      let z = t - s;
      comp += ((s - (t - z)) + (p - z)) + ep;
      s = t;`
    : "s += x * y;";
  const result = f ? "select(s + comp, s, !isfinite_f(s) || isnan_f(comp))" : "s";
  const kernel = pipeline(
    `matmul|${C}|${storeType(a.dtype)}|${storeType(b.dtype)}|${out.dtype}`,
    binds.map((x) => x[1]),
    () => `${prelude()}
alias C = ${C};
${decls(binds)}
${offsetsFn(3)}
var<workgroup> As: array<array<C, 16>, 16>;
var<workgroup> Bs: array<array<C, 16>, 16>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = md[0];
  let N = md[1];
  let K = md[2];
  let off = offsets_3(md[9] + i32(wg.z), 10);
  let row = i32(wg.y) * 16 + i32(lid.y);
  let col = i32(wg.x) * 16 + i32(lid.x);
  var s = C(0);
  var comp = C(0);
  for (var k0 = 0; k0 < K; k0 += 16) {
    let ka = k0 + i32(lid.x);
    var av = C(0);
    if (row < M && ka < K) { av = C(xa[off[0] + row * md[3] + ka * md[4]]); }
    As[lid.y][lid.x] = av;
    let kb = k0 + i32(lid.y);
    var bv = C(0);
    if (kb < K && col < N) { bv = C(xb[off[1] + kb * md[5] + col * md[6]]); }
    Bs[lid.y][lid.x] = bv;
    workgroupBarrier();
    for (var kk = 0; kk < 16; kk++) {
      let x = As[lid.y][kk];
      let y = Bs[kk][lid.x];
      ${acc}
    }
    workgroupBarrier();
  }
  if (row < M && col < N) {
    let r = ${result};
    dst[off[2] + row * md[7] + col * md[8]] = ${storeExpr(out.dtype, "r", f)};
  }
}`,
  );
  const geo = [
    M,
    N,
    K,
    a.strides[nd - 2]!,
    a.strides[nd - 1]!,
    b.strides[nd - 2]!,
    b.strides[nd - 1]!,
    out.strides[nd - 2]!,
    out.strides[nd - 1]!,
  ];
  const batchMeta = offsetsMeta(
    batch,
    [a, b, out].map((v) => ({ offset: v.offset, strides: v.strides.slice(0, nd - 2) })),
  );
  for (let start = 0; start < B; start += MAX_Z) {
    const meta = Int32Array.from([...geo, start, ...batchMeta]);
    dispatch(kernel, bufs, meta, [Math.ceil(N / 16), Math.ceil(M / 16), Math.min(MAX_Z, B - start)]);
  }
}

// ---- gather, scatter, stridedAccumulate ----------------------------------------------------------

function gather(x: View, dim: number, index: View, out: View): void {
  const op = "gather";
  const bufs = buffers(op, [out], [x, index]);
  const n = numel(out.shape);
  if (n === 0) return;
  const binds: [string, BindKind, string][] = [
    ["dst", "w", storeType(out.dtype)],
    ["x", "r", storeType(x.dtype)],
    ["ix", "r", storeType(index.dtype)],
    ["md", "m", "i32"],
  ];
  const kernel = pipeline(
    `gather|${storeType(x.dtype)}|${storeType(index.dtype)}`,
    [...binds.map((b) => b[1]), "e"], // + the error buffer
    () => `${decls(binds)}
${errorDecl(binds.length)}
${offsetsFn(3)}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  let idx = ${LINEAR_INDEX};
  if (idx >= md[0]) { return; }
  let o = offsets_3(idx, 4);
  let j = i32(ix[o[1]]);
  if (j < 0 || j >= md[1]) {
    report(1, j, md[1], md[3]);
    return;
  }
  dst[o[2]] = x[o[0] + j * md[2]];
}`,
  );
  const xs = x.strides.map((s, d) => (d === dim ? 0 : s));
  const meta = Int32Array.from([
    n,
    x.shape[dim]!,
    x.strides[dim]!,
    dim,
    ...offsetsMeta(out.shape, [
      { offset: x.offset, strides: xs },
      { offset: index.offset, strides: index.strides },
      { offset: out.offset, strides: out.strides },
    ]),
  ]);
  dispatch(kernel, bufs, meta, grid(Math.ceil(n / 64)), true);
}

function scatter(out: View, dim: number, index: View, src: View, reduce: ScatterReduce, includeSelf: boolean): void {
  const op = "scatter";
  const bufs = buffers(op, [out], [index, src]);
  const slices = index.shape.map((s, d) => (d === dim ? 1 : s));
  const S = numel(slices);
  if (S === 0 || index.shape[dim] === 0) return;
  const T = valueType(out.dtype);
  const f = T === "f32";
  const store = (v: string) => storeExpr(out.dtype, v, f);
  const combine: Record<ScatterReduce, string> = {
    none: "v",
    sum: "old + v",
    mean: "old + v",
    prod: "old * v",
    amax: f ? "maximum_f(old, v)" : "max(old, v)",
    amin: f ? "minimum_f(old, v)" : "min(old, v)",
  };
  const identity: Record<ScatterReduce, string> = {
    none: "old",
    sum: `${T}(0)`,
    mean: `${T}(0)`,
    prod: `${T}(1)`,
    amax: f ? "-inf_f()" : T === "i32" ? "i32(-2147483647 - 1)" : "0u",
    amin: f ? "inf_f()" : T === "i32" ? "i32(2147483647)" : "1u",
  };
  const restart = !includeSelf && reduce !== "none";
  const divide = f ? "T(dst[p]) / T(cnt)" : "floordiv_i(i32(dst[p]), cnt)";
  const binds: [string, BindKind, string][] = [
    ["dst", "w", storeType(out.dtype)],
    ["ix", "r", storeType(index.dtype)],
    ["sr", "r", storeType(src.dtype)],
    ["md", "m", "i32"],
  ];
  // one invocation per slice (all index positions but the one along dim) walks its entries in order,
  // so repeated targets combine in the same order as on the CPU
  const kernel = pipeline(
    `scatter|${reduce}|${includeSelf}|${out.dtype}|${storeType(index.dtype)}|${storeType(src.dtype)}`,
    [...binds.map((b) => b[1]), "e"], // + the error buffer
    () => `${prelude()}
alias T = ${T};
${decls(binds)}
${errorDecl(binds.length)}
${offsetsFn(3)}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  let idx = ${LINEAR_INDEX};
  if (idx >= md[0]) { return; }
  let m = md[1];
  let n = md[2];
  let o = offsets_3(idx, 8);
  for (var t = 0; t < m; t++) {
    let j = i32(ix[o[1] + t * md[4]]);
    if (j < 0 || j >= n) {
      report(2, j, n, md[6]);
      return;
    }
  }
  ${
    restart
      ? `for (var t = 0; t < m; t++) {
    let p = o[0] + i32(ix[o[1] + t * md[4]]) * md[3];
    let old = T(dst[p]);
    dst[p] = ${store(identity[reduce])};
  }`
      : ""
  }
  for (var t = 0; t < m; t++) {
    let p = o[0] + i32(ix[o[1] + t * md[4]]) * md[3];
    let old = T(dst[p]);
    let v = T(sr[o[2] + t * md[5]]);
    dst[p] = ${store(combine[reduce])};
  }
  ${
    reduce === "mean"
      ? `for (var t = 0; t < m; t++) {
    let j = i32(ix[o[1] + t * md[4]]);
    var first = true;
    var cnt = ${includeSelf ? 1 : 0};
    for (var u = 0; u < m; u++) {
      if (i32(ix[o[1] + u * md[4]]) == j) {
        cnt++;
        if (u < t) { first = false; }
      }
    }
    if (first) {
      let p = o[0] + j * md[3];
      dst[p] = ${store(divide)};
    }
  }`
      : ""
  }
}`,
  );
  const os = out.strides.map((s, d) => (d === dim ? 0 : s));
  const meta = Int32Array.from([
    S,
    index.shape[dim]!,
    out.shape[dim]!,
    out.strides[dim]!,
    index.strides[dim]!,
    src.strides[dim]!,
    dim,
    0,
    ...offsetsMeta(slices, [
      { offset: out.offset, strides: os },
      { offset: index.offset, strides: index.strides },
      { offset: src.offset, strides: src.strides },
    ]),
  ]);
  dispatch(kernel, bufs, meta, grid(Math.ceil(S / 64)), true);
}

/** Whether distinct indices of a strided view always reach distinct elements. */
function nonOverlapping(shape: Shape, strides: Shape): boolean {
  const dims = shape
    .map((s, d) => ({ size: s, stride: Math.abs(strides[d]!) }))
    .filter((d) => d.size > 1)
    .sort((p, q) => p.stride - q.stride);
  let extent = 0; // largest offset reachable by the smaller dims
  for (const d of dims) {
    if (d.stride <= extent) return false;
    extent += d.stride * (d.size - 1);
  }
  return true;
}

function stridedAccumulate(src: View, out: View, viewShape: Shape, viewStrides: Shape, viewOffset: number): void {
  const op = "stridedAccumulate";
  const bufs = buffers(op, [out], [src]);
  const n = numel(viewShape);
  if (n === 0) return;
  // overlapping positions (expand, as_strided) are accumulated by one invocation, in order
  const serial = !nonOverlapping(viewShape, viewStrides);
  const T = valueType(out.dtype);
  const binds: [string, BindKind, string][] = [
    ["dst", "w", storeType(out.dtype)],
    ["sr", "r", storeType(src.dtype)],
    ["md", "m", "i32"],
  ];
  const add = `let o = offsets_2(i, 1);
    dst[o[1]] = ${storeExpr(out.dtype, `${T}(dst[o[1]]) + ${T}(sr[o[0]])`, T === "f32")};`;
  const kernel = pipeline(
    `stridedAccumulate|${serial}|${out.dtype}|${storeType(src.dtype)}`,
    binds.map((b) => b[1]),
    () => `${prelude()}
${decls(binds)}
${offsetsFn(2)}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  let idx = ${LINEAR_INDEX};
  ${
    serial
      ? `if (idx != 0) { return; }
  for (var i = 0; i < md[0]; i++) {
    ${add}
  }`
      : `if (idx >= md[0]) { return; }
  let i = idx;
  ${add}`
  }
}`,
  );
  const meta = Int32Array.from([
    n,
    ...offsetsMeta(viewShape, [
      { offset: src.offset, strides: src.strides },
      { offset: out.offset + viewOffset, strides: viewStrides },
    ]),
  ]);
  dispatch(kernel, bufs, meta, serial ? [1, 1, 1] : grid(Math.ceil(n / 64)));
}

// ---- conv -------------------------------------------------------------------------------------

/** dw = the convolution's weight gradient (see convWeightGradIm2col). */
function convWeightGrad(gy: View, x: View, dw: View, g: ConvGeometry): void {
  const op = "convolution_backward_weight";
  const bufs = buffers(op, [dw], [gy, x]);
  if (dw.dtype !== "float32") notImplemented(op, `for ${dw.dtype}`);
  convWeightGradIm2col(bufs, gy, x, dw, g, (partial, out) => reduce(SUM, partial, 1, out));
}

function conv(x: View, w: View, out: View, g: ConvGeometry): void {
  const op = "convolution";
  const bufs = buffers(op, [out], [x, w]);
  if (!isFloatType(out.dtype)) notImplemented(op, `for ${out.dtype}`);
  if (im2colApplies(x, w, out)) return convIm2col(bufs, x, w, out, g);
  const sd = x.shape.length - 2;
  if (sd < 1 || sd > 3) notImplemented(op, `with ${sd} spatial dims`);
  const n = numel(out.shape);
  if (n === 0) return;
  const binds: [string, BindKind, string][] = [
    ["dst", "w", storeType(out.dtype)],
    ["xi", "r", storeType(x.dtype)],
    ["wt", "r", storeType(w.dtype)],
    ["md", "m", "i32"],
  ];
  // one invocation per output element: out[n, o, p] = sum over c, t of x_e[n, c, p * stride - pad + t * dil] * w[o, c, t],
  // with x_e the input with (inputDilation - 1) zeros between elements; compensated sum as in matmul
  const kernel = pipeline(
    `conv|${out.dtype}|${binds.map((b) => b[2]).join(",")}`,
    binds.map((b) => b[1]),
    () => `${prelude()}
${decls(binds)}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  let idx = ${LINEAR_INDEX};
  if (idx >= md[0]) { return; }
  // md: [n, N, C, O, G, out sizes 3, in sizes 3, k sizes 3, stride 3, pad 3, dil 3, inDil 3,
  //      x offset, x strides (n, c, 3), w offset, w strides (o, c, 3), out offset, out strides (n, o, 3)]
  let O = md[3];
  let G = md[4];
  let Cg = md[2] / G;
  let Og = O / G;
  var rem = idx;
  let q2 = rem % md[7]; rem = rem / md[7];
  let q1 = rem % md[6]; rem = rem / md[6];
  let q0 = rem % md[5]; rem = rem / md[5];
  let o = rem % O;
  let nb = rem / O;
  let q = vec3i(q0, q1, q2);
  let grp = o / Og;
  var s = 0.0;
  var comp = 0.0;
  for (var c = 0; c < Cg; c++) {
    let ci = grp * Cg + c;
    for (var t0 = 0; t0 < md[11]; t0++) {
      for (var t1 = 0; t1 < md[12]; t1++) {
        for (var t2 = 0; t2 < md[13]; t2++) {
          let t = vec3i(t0, t1, t2);
          var xo = md[26] + nb * md[27] + ci * md[28];
          var ok = true;
          for (var d = 0; d < 3; d++) {
            // position in the dilated input
            let e = q[d] * md[14 + d] - md[17 + d] + t[d] * md[20 + d];
            let id = md[23 + d];
            if (e < 0 || e % id != 0 || e / id >= md[8 + d]) { ok = false; }
            xo += (e / id) * md[29 + d];
          }
          if (ok) {
            let x = f32(xi[xo]);
            let y = f32(wt[md[32] + o * md[33] + c * md[34] + t0 * md[35] + t1 * md[36] + t2 * md[37]]);
            let p = x * y;
            let ep = fma(x, y, -p);
            let tt = s + p;
            let z = tt - s;
            comp += ((s - (tt - z)) + (p - z)) + ep;
            s = tt;
          }
        }
      }
    }
  }
  let r = select(s + comp, s, !isfinite_f(s) || isnan_f(comp));
  dst[md[38] + nb * md[39] + o * md[40] + q0 * md[41] + q1 * md[42] + q2 * md[43]] = ${storeExpr(out.dtype, "r", true)};
}`,
  );
  const [N, C] = x.shape as [number, number];
  const O = w.shape[0]!;
  const meta = Int32Array.from([
    n,
    N,
    C,
    O,
    g.groups,
    ...to3(out.shape.slice(2), 1),
    ...to3(x.shape.slice(2), 1),
    ...to3(w.shape.slice(2), 1),
    ...to3(g.stride, 1),
    ...to3(g.padding, 0),
    ...to3(g.dilation, 1),
    ...to3(g.inputDilation, 1),
    x.offset,
    x.strides[0]!,
    x.strides[1]!,
    ...to3(x.strides.slice(2), 0),
    w.offset,
    w.strides[0]!,
    w.strides[1]!,
    ...to3(w.strides.slice(2), 0),
    out.offset,
    out.strides[0]!,
    out.strides[1]!,
    ...to3(out.strides.slice(2), 0),
  ]);
  dispatch(kernel, bufs, meta, grid(Math.ceil(n / 64)));
}

// ---- deferred checks and searchsorted ----------------------------------------------------------

function assertNone(flags: View, values: readonly View[], message: string): void {
  const op = "assert";
  const n = numel(flags.shape);
  if (n === 0) return;
  const vals = values.slice(0, 2);
  const bufs = buffers(op, [], [flags, ...vals]);
  const types = vals.map((v) => valueType(v.dtype));
  const binds: [string, BindKind, string][] = [
    ["fl", "r", storeType(flags.dtype)],
    ...vals.map((v, i): [string, BindKind, string] => [`v${i}`, "r", storeType(v.dtype)]),
    ["md", "m", "i32"],
  ];
  const k = 1 + vals.length;
  const word = (i: number) => (i < vals.length ? `bitcast<i32>(${types[i]}(v${i}[o[${i + 1}]]))` : "0");
  // one invocation per element: the first flagged one to get the error word reports its values
  const kernel = pipeline(
    `assertNone|${binds.map((b) => b[2]).join(",")}`,
    [...binds.map((b) => b[1]), "e"], // + the error buffer
    () => `${decls(binds)}
${errorDecl(binds.length)}
${offsetsFn(k)}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  let idx = ${LINEAR_INDEX};
  if (idx >= md[0]) { return; }
  let o = offsets_${k}(idx, 2);
  if (!(fl[o[0]] == ${storeType(flags.dtype)}(0))) { report_msg(md[1], ${word(0)}, ${word(1)}); }
}`,
  );
  const co = coalesce(
    flags.shape,
    [flags, ...vals].map((v) => v.strides),
  );
  const meta = Int32Array.from([
    n,
    messageId(message, types),
    ...offsetsMeta(
      co.shape,
      [flags, ...vals].map((v, i) => ({ offset: v.offset, strides: co.strides[i]! })),
    ),
  ]);
  dispatch(kernel, bufs, meta, grid(Math.ceil(n / 64)), true);
}

function searchsorted(seq: View, values: View, right: boolean, out: View): void {
  const op = "searchsorted";
  const bufs = buffers(op, [out], [seq, values]);
  const lead = out.shape.slice(0, -1);
  const m = last(out.shape);
  const total = numel(lead) * m;
  if (total === 0) return;
  const n = last(seq.shape);
  const C = computeType(seq.dtype) === "f32" || computeType(values.dtype) === "f32" ? "f32" : "i32";
  const binds: [string, BindKind, string][] = [
    ["dst", "w", storeType(out.dtype)],
    ["sq", "r", storeType(seq.dtype)],
    ["vl", "r", storeType(values.dtype)],
    ["md", "m", "i32"],
  ];
  // one invocation per value: binary search of its row, NaN ordered after every number
  const kernel = pipeline(
    `searchsorted|${right}|${C}|${binds.map((b) => b[2]).join(",")}`,
    binds.map((b) => b[1]),
    () => `${prelude()}
${decls(binds)}
${offsetsFn(3)}
${cmpFn(C)}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  let idx = ${LINEAR_INDEX};
  if (idx >= md[0]) { return; }
  let m = md[1];
  let r = idx / m;
  let j = idx % m;
  let p = offsets_3(r, 6);
  let v = ${C}(vl[p[1] + j * md[4]]);
  var lo = 0;
  var hi = md[2];
  while (lo < hi) {
    let mid = (lo + hi) / 2;
    let c = cmp(${C}(sq[p[0] + mid * md[3]]), v);
    if (c ${right ? "<=" : "<"} 0) { lo = mid + 1; } else { hi = mid; }
  }
  dst[p[2] + j * md[5]] = ${storeExpr(out.dtype, "lo", false)};
}`,
  );
  const meta = Int32Array.from([
    total,
    m,
    n,
    last(seq.strides),
    last(values.strides),
    last(out.strides),
    ...rowOffsetsMeta(lead, [seq, values, out]),
  ]);
  dispatch(kernel, bufs, meta, grid(Math.ceil(total / 64)));
}

/** The webgpu kernel set. */
export const webgpuKernels: Kernels = {
  map,
  reduce,
  argReduce,
  scan,
  matmul,
  gather,
  scatter,
  sort,
  softmax,
  conv,
  convWeightGrad,
  maxPoolIndices,
  stridedAccumulate,
  assertNone,
  searchsorted,
};
