// The CPU backend with the TypeScript reference kernels: the living definition of every primitive.
// Storage is a plain typed array, so the garbage collector frees it; large arrays freed explicitly
// are cached for reuse (./pool.ts).

import { allocArray, type DType, type StorageArray } from "../../dtype.js";
import type { Backend, Kernels, Storage, View } from "../../backend.js";
import type { Shape } from "../../shape.js";
import { arr, runMap, runReduce } from "./codegen.js";
import { H, rounder } from "./mathfns.js";
import { convKernel } from "./conv.js";
import { matmulKernel } from "./matmul.js";
import { nllLoss, nllLossGrad, softmaxGrad } from "./loss.js";
import { norm, normGrad } from "./norm.js";
import { maxPoolIndices, maxPoolValues } from "./max_pool.js";
import { withNativeKernels } from "./native.js";
import { recycleArray, uninitArray, zeroedArray } from "./pool.js";
import { walk } from "./walk.js";

/** CPU storage: a typed array in the dtype's storage representation. */
export class CpuStorage implements Storage {
  readonly device = "cpu";
  version = 0;
  /** Set by `free`: the array went back to the cache and `data` is empty. */
  freed = false;
  constructor(
    readonly dtype: DType,
    public data: StorageArray,
  ) {}
  get numel(): number {
    return this.data.length;
  }
}

function readable(s: Storage): StorageArray {
  const c = s as CpuStorage;
  if (c.freed) throw new Error("Cannot read a tensor whose storage was freed (dispose() or torch.tidy released it)");
  return c.data;
}

/** Walk all dims but the last, handing over the offsets of each row. */
function walkRows(views: readonly View[], fn: (pos: number[]) => void): void {
  const v0 = views[0]!;
  const nd = v0.shape.length;
  walk(
    v0.shape.slice(0, nd - 1),
    views.map((v) => v.strides.slice(0, nd - 1)),
    views.map((v) => v.offset),
    fn,
  );
}

const last = (s: Shape) => s[s.length - 1]!;

const kernels: Kernels = {
  map: runMap,
  reduce: runReduce,

  argReduce(kind, x, out) {
    const X = arr(x);
    const O = arr(out);
    const n = last(x.shape);
    const s = last(x.strides);
    let o = out.offset;
    walkRows([x], ([p]) => {
      let best = X[p!]!;
      let bi = 0;
      for (let i = 1; i < n && best === best; i++) {
        const v = X[p! + i * s]!;
        if (v !== v || (kind === "max" ? v > best : v < best)) {
          best = v;
          bi = i;
        }
      }
      O[o++] = bi;
    });
  },

  scan(kind, x, out, indices) {
    const X = arr(x);
    const O = out ? arr(out) : null;
    const I = indices ? arr(indices) : null;
    const n = last(x.shape);
    const s = last(x.strides);
    const so = out ? last(out.strides) : 0;
    const si = indices ? last(indices.strides) : 0;
    const r = rounder(out ? out.dtype : x.dtype);
    const views = [x, out ?? x, indices ?? x];
    walkRows(views, ([px, po, pi]) => {
      let acc = 0;
      let ai = 0;
      for (let i = 0; i < n; i++) {
        const v = X[px! + i * s]!;
        if (i === 0) acc = v;
        else if (kind === "sum") acc = r(acc + v);
        else if (kind === "prod") acc = r(acc * v);
        else if (v !== v || (acc === acc && (kind === "max" ? v >= acc : v <= acc))) {
          // cummax/cummin as PyTorch's CPU kernel: a tie moves the index forward, and so does every
          // NaN (the value stays NaN once one is seen)
          acc = v;
          ai = i;
        }
        if (O) O[po! + i * so] = acc;
        if (I) I[pi! + i * si] = ai;
      }
    });
  },

  softmax(x, out, log) {
    // per row, in float64: the max (NaN if any element is), the sum of exp(x - max), then each output
    const X = arr(x);
    const O = arr(out);
    const n = last(x.shape);
    const [sx, so] = [last(x.strides), last(out.strides)];
    const r = rounder(out.dtype);
    walkRows([x, out], ([px, po]) => {
      let m = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = X[px! + i * sx]!;
        if (v > m || v !== v) m = v;
        if (v !== v) break;
      }
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.exp(X[px! + i * sx]! - m);
      if (log) {
        const ls = Math.log(s);
        for (let i = 0; i < n; i++) O[po! + i * so] = r(X[px! + i * sx]! - m - ls);
      } else for (let i = 0; i < n; i++) O[po! + i * so] = r(Math.exp(X[px! + i * sx]! - m) / s);
    });
  },

  softmaxGrad,
  nllLoss,
  nllLossGrad,
  norm,
  normGrad,
  maxPoolIndices,
  maxPoolValues,

  matmul(a, b, out) {
    matmulKernel(a, b, out, [arr(a), arr(b), arr(out)], rounder(out.dtype));
  },

  gather(x, dim, index, out) {
    const X = arr(x);
    const I = arr(index);
    const O = arr(out);
    const n = x.shape[dim]!;
    const sd = x.strides[dim]!;
    const xs = x.strides.map((s, d) => (d === dim ? 0 : s));
    // the walk covers all dims but the last, which a plain loop runs (no call per element)
    const last = out.shape.length - 1;
    const inner = last >= 0 ? out.shape[last]! : 1;
    const [sx, si, so] = last >= 0 ? [xs[last]!, index.strides[last]!, out.strides[last]!] : [0, 0, 0];
    const outer = [xs, index.strides, out.strides].map((st) => st.slice(0, Math.max(last, 0)));
    walk(out.shape.slice(0, Math.max(last, 0)), outer, [x.offset, index.offset, out.offset], ([px, pi, po]) => {
      for (let t = 0; t < inner; t++) {
        const j = I[pi! + t * si]!;
        if (j < 0 || j >= n)
          throw new RangeError(`gather(): index ${j} is out of bounds for dimension ${dim} with size ${n}`);
        O[po! + t * so] = X[px! + t * sx + j * sd]!;
      }
    });
  },

  scatter(out, dim, index, src, reduce, includeSelf) {
    const O = arr(out);
    const I = arr(index);
    const S = arr(src);
    const n = out.shape[dim]!;
    const sd = out.strides[dim]!;
    const os = out.strides.map((s, d) => (d === dim ? 0 : s));
    const r = rounder(out.dtype);
    const isInt =
      out.dtype !== "float32" && out.dtype !== "float64" && out.dtype !== "float16" && out.dtype !== "bfloat16";
    // positions touched get their reduction started from scratch when !includeSelf; counts for mean
    const counts = new Map<number, number>();
    walk(index.shape, [os, index.strides, src.strides], [out.offset, index.offset, src.offset], ([po, pi, ps]) => {
      const j = I[pi!]!;
      if (j < 0 || j >= n)
        throw new RangeError(`scatter(): index ${j} is out of bounds for dimension ${dim} with size ${n}`);
      const p = po! + j * sd;
      const v = S[ps!]!;
      const seen = counts.get(p);
      counts.set(p, (seen ?? (includeSelf ? 1 : 0)) + 1);
      if (reduce === "none") O[p] = v;
      else if (seen === undefined && !includeSelf) O[p] = v;
      else if (reduce === "sum" || reduce === "mean") O[p] = r(O[p]! + v);
      else if (reduce === "prod") O[p] = r(O[p]! * v);
      else if (reduce === "amax") O[p] = H.maximum(O[p]!, v);
      else if (reduce === "amin") O[p] = H.minimum(O[p]!, v);
    });
    if (reduce === "mean") for (const [p, c] of counts) O[p] = isInt ? Math.floor(O[p]! / c) : r(O[p]! / c);
  },

  sort(x, descending, indices) {
    const X = arr(x);
    const I = arr(indices);
    const n = last(x.shape);
    const s = last(x.strides);
    const si = last(indices.strides);
    const order = new Array<number>(n);
    // NaN sorts as the largest value, as in PyTorch
    const key = (v: number) => (v !== v ? Infinity : v);
    walkRows([x, indices], ([px, pi]) => {
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort((i, j) => {
        const a = X[px! + i * s]!;
        const b = X[px! + j * s]!;
        const ka = key(a);
        const kb = key(b);
        let c = ka < kb ? -1 : ka > kb ? 1 : 0;
        if (c === 0 && ka === Infinity) c = (a !== a ? 1 : 0) - (b !== b ? 1 : 0);
        return (descending ? -c : c) || i - j;
      });
      for (let i = 0; i < n; i++) I[pi! + i * si] = order[i]!;
    });
  },

  conv(x, w, out, geometry) {
    // the GEMM runs through this kernel set's matmul: the native addon's when it wraps these kernels
    convKernel(x, w, out, geometry, (a, b, o) => this.matmul(a, b, o));
  },

  stridedAccumulate(src, out, viewShape, viewStrides, viewOffset) {
    const S = arr(src);
    const O = arr(out);
    const r = rounder(out.dtype);
    walk(viewShape, [src.strides, viewStrides], [src.offset, out.offset + viewOffset], ([ps, po]) => {
      O[po!] = r(O[po!]! + S[ps!]!);
    });
  },
};

/** The CPU backend: the TS reference kernels, behind the native addon's where it is in use (./native.ts). */
export const cpuBackend: Backend = {
  device: "cpu",
  kernels: withNativeKernels(kernels),
  alloc: (dtype, n) => new CpuStorage(dtype, zeroedArray(dtype, n)),
  allocUninit: (dtype, n) => new CpuStorage(dtype, uninitArray(dtype, n)),
  fromArray: (dtype, data) => new CpuStorage(dtype, data),
  read: (s) => Promise.resolve(readable(s)),
  readSync: readable,
  free(s) {
    // only called once no live tensor views `s` (views share it): its memory may serve the next tensor
    const c = s as CpuStorage;
    if (c.freed) return;
    c.freed = true;
    const data = c.data;
    c.data = allocArray(c.dtype, 0);
    recycleArray(data);
  },
};
