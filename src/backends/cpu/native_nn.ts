// Fast paths of the native addon for the strided index kernels and the convolution (native/src/
// index_kernels.cc, conv_kernels.cc): each `try*` hands a case the addon serves to it and returns
// false for the rest, which the caller passes to the TS kernels. Out-of-range indices also return
// false, so the TS kernel raises PyTorch's error.

import type { ConvGeometry, NormGeometry, PoolGeometry, View } from "../../backend.js";
import type { StorageArray } from "../../dtype.js";
import type { Shape } from "../../shape.js";
import { arr } from "./codegen.js";
import { metaArray, metaOf } from "./native_meta.js";

/** The addon's NN entry points (absent from an addon built before they existed). */
export interface NnAddon {
  gather?(x: StorageArray, index: StorageArray, out: StorageArray, meta: Float64Array): boolean;
  scatter?(out: StorageArray, index: StorageArray, src: StorageArray, meta: Float64Array, sum: boolean): boolean;
  argReduce?(x: StorageArray, out: StorageArray, max: boolean, meta: Float64Array): void;
  stridedAccumulate?(src: StorageArray, out: StorageArray, meta: Float64Array): void;
  conv?(x: StorageArray, w: StorageArray, out: StorageArray, meta: Float64Array): void;
  convWeightGrad?(gy: StorageArray, x: StorageArray, out: StorageArray, meta: Float64Array): void;
  maxPoolIndices?(x: StorageArray, out: StorageArray, meta: Float64Array): void;
  convInputGrad?(gy: StorageArray, w: StorageArray, out: StorageArray, meta: Float64Array): void;
  softmax?(x: StorageArray, out: StorageArray, meta: Float64Array, log: boolean): void;
  softmaxGrad?(y: StorageArray, g: StorageArray, out: StorageArray, meta: Float64Array, log: boolean): void;
  norm?(
    x: StorageArray,
    w: StorageArray | null,
    b: StorageArray | null,
    out: StorageArray,
    stats: StorageArray,
    meta: Float64Array,
    eps: number,
  ): void;
  normGrad?(
    g: StorageArray,
    x: StorageArray,
    w: StorageArray | null,
    out: StorageArray,
    meta: Float64Array,
    eps: number,
  ): void;
}

const isFloatArray = (a: StorageArray): a is Float32Array | Float64Array =>
  a instanceof Float32Array || a instanceof Float64Array;

/** Whether two arrays share memory (small storages may be views of one slab, ./pool.ts). */
function overlap(a: StorageArray, b: StorageArray): boolean {
  return (
    a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength
  );
}

/** Storage arrays that hold a dtype exactly as the addon reads it (int64 lives in a Float64Array). */
const EXACT = new Set(["float32", "float64", "int64"]);

/** Softmax / log-softmax along the last dim (float32, rows of any strides). */
export function trySoftmax(a: NnAddon, x: View, out: View, log: boolean): boolean {
  if (!a.softmax || x.dtype !== "float32" || out.dtype !== "float32") return false;
  const X = arr(x);
  const O = arr(out);
  if (!(X instanceof Float32Array) || !(O instanceof Float32Array) || overlap(X, O)) return false;
  const nd = x.shape.length;
  if (nd > 16) return false;
  a.softmax(X, O, metaOf([nd, x.offset, out.offset, ...x.shape, ...x.strides, ...out.strides]), log);
  return true;
}

/** The softmax / log-softmax gradient along the last dim (float32, rows of any strides). */
export function trySoftmaxGrad(a: NnAddon, y: View, g: View, out: View, log: boolean): boolean {
  if (!a.softmaxGrad || y.dtype !== "float32" || g.dtype !== "float32" || out.dtype !== "float32") return false;
  const [Y, G, O] = [arr(y), arr(g), arr(out)];
  if (!(Y instanceof Float32Array) || !(G instanceof Float32Array) || !(O instanceof Float32Array)) return false;
  const nd = y.shape.length;
  if (overlap(Y, O) || overlap(G, O) || nd > 16) return false;
  const meta = [nd, y.offset, g.offset, out.offset, ...y.shape, ...y.strides, ...g.strides, ...out.strides];
  a.softmaxGrad(Y, G, O, metaOf(meta), log);
  return true;
}

/** A float32 storage array for the norm kernels: contiguous from its offset (unit stride when 1-D). */
function f32Run(v: View | null): Float32Array | null {
  if (!v || v.dtype !== "float32") return null;
  const a = arr(v);
  if (!(a instanceof Float32Array)) return null;
  let run = 1;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    if (v.shape[d]! > 1 && v.strides[d] !== run) return null;
    run *= v.shape[d]!;
  }
  return a;
}

/** The normalization forward (see `Kernels.norm`): float32, contiguous x, unit-stride weight and bias. */
export function tryNorm(
  a: NnAddon,
  x: View,
  weight: View | null,
  bias: View | null,
  out: View,
  stats: View,
  p: NormGeometry,
): boolean {
  const [X, O, ST, W, B] = [f32Run(x), f32Run(out), f32Run(stats), f32Run(weight), f32Run(bias)];
  if (!a.norm || !X || !O || !ST || (weight && !W) || (bias && !B) || overlap(X, O) || overlap(ST, O)) return false;
  const [N, C, S] = x.shape as [number, number, number];
  const meta = [N, C, S, p.mode === "batch" ? 1 : 0, p.groups, x.offset, weight?.offset ?? 0, bias?.offset ?? 0];
  a.norm(X, W, B, O, ST, metaOf([...meta, out.offset, stats.offset]), p.eps);
  return true;
}

/** The normalization backward (see `Kernels.normGrad`), on the cases `tryNorm` takes. */
export function tryNormGrad(a: NnAddon, g: View, x: View, weight: View | null, out: View, p: NormGeometry): boolean {
  const [G, X, O, W] = [f32Run(g), f32Run(x), f32Run(out), f32Run(weight)];
  if (!a.normGrad || !G || !X || !O || (weight && !W) || overlap(G, O) || overlap(X, O)) return false;
  const [N, C, S] = x.shape as [number, number, number];
  const meta = [N, C, S, p.mode === "batch" ? 1 : 0, p.groups, g.offset, x.offset, weight?.offset ?? 0, out.offset];
  a.normGrad(G, X, W, O, metaOf(meta), p.eps);
  return true;
}

/** out[view positions] += src (float32 / float64). */
export function tryStridedAccumulate(
  a: NnAddon,
  src: View,
  out: View,
  viewShape: Shape,
  viewStrides: Shape,
  viewOffset: number,
): boolean {
  if (!a.stridedAccumulate || src.dtype !== out.dtype || (out.dtype !== "float32" && out.dtype !== "float64"))
    return false;
  const S = arr(src);
  const O = arr(out);
  const nd = viewShape.length;
  if (S === O || !isFloatArray(S) || nd > 16) return false;
  const meta = metaArray(3 + 3 * nd);
  meta[0] = nd;
  meta[1] = src.offset;
  meta[2] = out.offset + viewOffset;
  for (let d = 0; d < nd; d++) {
    meta[3 + d] = viewShape[d]!;
    meta[3 + nd + d] = src.strides[d]!;
    meta[3 + 2 * nd + d] = viewStrides[d]!;
  }
  a.stridedAccumulate(S, O, meta);
  return true;
}

function indexMeta(nd: number, dim: number, A: View, index: View, B: View, n: number): Float64Array {
  const meta = metaArray(6 + 4 * nd);
  meta.set([nd, dim, A.offset, index.offset, B.offset, n]);
  for (let d = 0; d < nd; d++) {
    meta[6 + d] = index.shape[d]!;
    meta[6 + nd + d] = A.strides[d]!;
    meta[6 + 2 * nd + d] = index.strides[d]!;
    meta[6 + 3 * nd + d] = B.strides[d]!;
  }
  return meta;
}

/** out = x.gather(dim, index) for float32 / float64 / int64 x. */
export function tryGather(a: NnAddon, x: View, dim: number, index: View, out: View): boolean {
  const nd = index.shape.length;
  if (!a.gather || x.dtype !== out.dtype || !EXACT.has(x.dtype) || index.dtype !== "int64" || nd < 1 || nd > 16)
    return false;
  const X = arr(x);
  const I = arr(index);
  const O = arr(out);
  if (!isFloatArray(X) || !(I instanceof Float64Array) || X === O || I === O) return false;
  return a.gather(X, I, O, indexMeta(nd, dim, x, index, out, x.shape[dim]!));
}

/** scatter with reduce "none" or "sum" (including self) into float32 / float64 / int64 out. */
export function tryScatter(
  a: NnAddon,
  out: View,
  dim: number,
  index: View,
  src: View,
  reduce: string,
  includeSelf: boolean,
): boolean {
  const nd = index.shape.length;
  const sum = reduce === "sum";
  if (!a.scatter || (reduce !== "none" && !(sum && includeSelf))) return false;
  if (src.dtype !== out.dtype || !EXACT.has(out.dtype) || index.dtype !== "int64" || nd < 1 || nd > 16) return false;
  const O = arr(out);
  const I = arr(index);
  const S = arr(src);
  if (!isFloatArray(O) || !(I instanceof Float64Array) || S === O || I === O) return false;
  return a.scatter(O, I, S, indexMeta(nd, dim, out, index, src, out.shape[dim]!), sum);
}

/** Index of the first max / min along the last dim of a float32 / float64 x into int64 out. */
export function tryArgReduce(a: NnAddon, kind: "max" | "min", x: View, out: View): boolean {
  const nd = x.shape.length;
  if (!a.argReduce || (x.dtype !== "float32" && x.dtype !== "float64") || out.dtype !== "int64") return false;
  if (nd < 1 || nd > 16 || x.shape[nd - 1]! < 1) return false;
  const X = arr(x);
  const O = arr(out);
  if (!isFloatArray(X) || X === O) return false;
  const no = nd - 1;
  const meta = metaArray(5 + 2 * no);
  meta.set([no, x.offset, out.offset, x.shape[no]!, x.strides[no]!]);
  for (let d = 0; d < no; d++) {
    meta[5 + d] = x.shape[d]!;
    meta[5 + no + d] = x.strides[d]!;
  }
  a.argReduce(X, O, kind === "max", meta);
  return true;
}

/** The convolution primitive's kernel (float32 / float64, contiguous out). */
export function tryConv(a: NnAddon, x: View, w: View, out: View, g: ConvGeometry): boolean {
  if (!a.conv || x.dtype !== w.dtype || x.dtype !== out.dtype || (x.dtype !== "float32" && x.dtype !== "float64"))
    return false;
  const X = arr(x);
  const W = arr(w);
  const O = arr(out);
  if (!isFloatArray(X) || O === X || O === W) return false;
  const nd = x.shape.length;
  const nsp = nd - 2;
  const meta = metaArray(5 + 5 * nd + 4 * nsp);
  meta.set([nsp, x.offset, w.offset, out.offset, g.groups]);
  let p = 5;
  for (const list of [
    x.shape,
    x.strides,
    w.shape,
    w.strides,
    out.shape,
    g.stride,
    g.padding,
    g.dilation,
    g.inputDilation,
  ])
    for (const v of list) meta[p++] = v;
  a.conv(X, W, O, meta);
  return true;
}

/** Whether the spatial dims (2 and on) of a view are one unit-stride run. */
function positionsContiguous(v: View): boolean {
  let run = 1;
  for (let d = v.shape.length - 1; d >= 2; d--) {
    if (v.shape[d]! > 1 && v.strides[d] !== run) return false;
    run *= v.shape[d]!;
  }
  return true;
}

/** meta of the convolution gradient kernels: [nsp, offsets (3), groups, then the lists]. */
function gradMeta(offsets: number[], groups: number, lists: readonly (readonly number[])[]): Float64Array {
  const meta = metaArray(5 + lists.reduce((n, l) => n + l.length, 0));
  meta.set([lists[lists.length - 1]!.length, ...offsets, groups]);
  let p = 5;
  for (const list of lists) for (const v of list) meta[p++] = v;
  return meta;
}

/** The weight gradient of a convolution (see `Kernels.convWeightGrad`); false for cases it does not take. */
export function tryConvWeightGrad(a: NnAddon, gy: View, x: View, out: View, g: ConvGeometry): boolean {
  if (!a.convWeightGrad || x.dtype !== gy.dtype || x.dtype !== out.dtype) return false;
  const GY = arr(gy);
  const X = arr(x);
  const O = arr(out);
  if (!isFloatArray(X) || O === X || O === GY || !positionsContiguous(gy)) return false;
  const lists = [x.shape, x.strides, gy.shape, gy.strides, out.shape, g.stride, g.padding, g.dilation, g.inputDilation];
  a.convWeightGrad(GY, X, O, gradMeta([gy.offset, x.offset, out.offset], g.groups, lists));
  return true;
}

/** The input gradient of a convolution (see `Kernels.convInputGrad`); false for cases it does not take. */
export function tryConvInputGrad(a: NnAddon, gy: View, w: View, out: View, g: ConvGeometry): boolean {
  if (!a.convInputGrad || w.dtype !== gy.dtype || w.dtype !== out.dtype) return false;
  const GY = arr(gy);
  const W = arr(w);
  const O = arr(out);
  if (!isFloatArray(W) || O === W || O === GY || !positionsContiguous(gy)) return false;
  if (g.inputDilation.some((e) => e !== 1)) return false;
  const lists = [gy.shape, gy.strides, w.shape, w.strides, out.shape, g.stride, g.padding, g.dilation];
  a.convInputGrad(GY, W, O, gradMeta([gy.offset, w.offset, out.offset], g.groups, lists));
  return true;
}

/** Max pooling's argmax per window (see `Kernels.maxPoolIndices`); false for cases it does not take. */
export function tryMaxPoolIndices(a: NnAddon, x: View, out: View, g: PoolGeometry): boolean {
  const X = arr(x);
  const O = arr(out);
  const nsp = x.shape.length - 1;
  if (!a.maxPoolIndices || !isFloatArray(X) || !(O instanceof Float64Array) || out.dtype !== "int64") return false;
  const meta = metaArray(5 + 7 * nsp);
  meta.set([nsp, x.offset, out.offset, x.shape[0]!, x.strides[0]!]);
  let p = 5;
  for (const list of [
    x.shape.slice(1),
    x.strides.slice(1),
    g.kernel,
    g.stride,
    g.padding,
    g.dilation,
    out.shape.slice(1),
  ])
    for (const v of list) meta[p++] = v;
  a.maxPoolIndices(X, O, meta);
  return true;
}
