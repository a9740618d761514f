// nn.functional pooling: maxPool1d/2d/3d, avgPool1d/2d/3d, adaptiveAvgPool1d/2d, adaptiveMaxPool1d/2d,
// as compositions of existing ops. Windows are strided views of the padded input (asStrided).
// Max pooling finds the index of each window's maximum in the input plane with the backend's
// `maxPoolIndices` kernel (one pass, no graph: ./max_pool_indices.ts) and gathers the values from the
// input: the gradient then flows to the single maximum of each window, as in PyTorch (a max over the
// window would split it among ties). Where neither a gradient nor the indices are wanted (inference),
// a backend's `maxPoolValues` kernel gives the values in one pass.
// Not here: the pooling layers (nn/layers/pooling.ts).

import { fmtShape, numel } from "../../shape.js";
import type { Tensor } from "../../tensor.js";
import { div, dtypeCName, ne, sub, toDtype, where } from "../../ops/elementwise.js";
import { any, argmax, mean, sum } from "../../ops/reduce.js";
import {
  asStrided,
  contiguous,
  expand,
  narrow,
  reshape,
  squeeze,
  transpose,
  unsqueeze,
  view,
} from "../../ops/views.js";
import { cat, flip, pad } from "../../ops/shape_ops.js";
import { gather } from "../../ops/indexing.js";
import { matmul } from "../../ops/linalg.js";
import { arange, full, tensor } from "../../ops/creation.js";
import { isGradEnabled, noGrad } from "../../autograd/gradmode.js";
import { expandArg, type IntOrList } from "./conv.js";
import { maxPoolIndices, maxPoolValues } from "./max_pool_indices.js";

/** Options of maxPool1d/2d/3d (PyTorch's arguments after `kernel_size`). */
export interface MaxPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: IntOrList | null;
  /** Implicit -inf padding on both sides (at most half the kernel size). */
  padding?: IntOrList;
  /** Spacing between window elements. */
  dilation?: IntOrList;
  /** Use ceil instead of floor for the output size (windows may start in the right padding). */
  ceilMode?: boolean;
}

/** Options of avgPool1d/2d/3d. */
export interface AvgPoolOptions {
  stride?: IntOrList | null;
  /** Implicit zero padding on both sides (at most half the kernel size). */
  padding?: IntOrList;
  ceilMode?: boolean;
  /** Count the zero padding in the averaging divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead of the window size. */
  divisorOverride?: number | null;
}

/** Values and the flat index (over the spatial dims of each plane) of every window's maximum. */
export type ValuesIndices = [Tensor, Tensor];

const DIMS = ["1D", "2D", "3D", "4D", "5D"];

/** The leading (batch, channel) dims of a pooling input, checked: nsp + 1 or nsp + 2 dims. */
function checkInput(op: string, x: Tensor, nsp: number): void {
  if (x.ndim !== nsp + 1 && x.ndim !== nsp + 2)
    throw new RangeError(
      `${op}(): Expected ${DIMS[nsp]} or ${DIMS[nsp + 1]} (batch mode) tensor for input, but got input of size: ${fmtShape(x.shape)}`,
    );
  if (x.shape.slice(x.ndim - nsp).some((s) => s === 0) || (x.ndim === nsp + 2 && x.shape[1] === 0))
    throw new RangeError(
      `${op}(): Expected input's non-batch dimensions to have positive length, but input has a shape of ${fmtShape(x.shape)}`,
    );
}

/** PyTorch's pooling output size (pooling_output_shape). */
function poolOut(L: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let o = Math.floor((L + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= L + p) o--;
  return o;
}

interface Geometry {
  lead: number[];
  sp: number[];
  k: number[];
  s: number[];
  p: number[];
  d: number[];
  out: number[];
}

function poolGeometry(
  op: string,
  x: Tensor,
  nsp: number,
  kernelSize: IntOrList,
  o: { stride?: IntOrList | null; padding?: IntOrList; dilation?: IntOrList; ceilMode?: boolean },
): Geometry {
  checkInput(op, x, nsp);
  const k = expandArg("kernel_size", kernelSize, nsp);
  const s =
    o.stride === undefined || o.stride === null || (Array.isArray(o.stride) && o.stride.length === 0)
      ? k
      : expandArg("stride", o.stride, nsp);
  const p = expandArg("padding", o.padding ?? 0, nsp);
  const d = expandArg("dilation", o.dilation ?? 1, nsp);
  if (k.some((v) => v <= 0))
    throw new RangeError(`${op}(): kernel_size must be greater than zero, but got ${fmtShape(k)}`);
  if (s.some((v) => v <= 0))
    throw new RangeError(`${op}(): stride should be greater than zero, but got ${fmtShape(s)}`);
  if (d.some((v) => v <= 0))
    throw new RangeError(`${op}(): dilation should be greater than zero, but got ${fmtShape(d)}`);
  p.forEach((pv, i) => {
    if (pv < 0 || pv > Math.floor(k[i]! / 2))
      throw new RangeError(`pad should be at most half of kernel size, but got pad=${pv} and kernel_size=${k[i]}`);
  });
  const sp = x.shape.slice(x.ndim - nsp);
  const out = sp.map((L, i) => poolOut(L, k[i]!, s[i]!, p[i]!, d[i]!, o.ceilMode ?? false));
  if (out.some((v) => v < 1)) {
    const lead = x.ndim === nsp + 2 ? x.shape.slice(1, 2) : x.shape.slice(0, 1);
    throw new RangeError(
      `Given input size: (${[...lead, ...sp].join("x")}). Calculated output size: (${[...lead, ...out].join("x")}). Output size is too small`,
    );
  }
  return { lead: x.shape.slice(0, x.ndim - nsp), sp, k, s, p, d, out };
}

/**
 * The windows of x seen as planes (M, *sp): a view (M, *out, *k) of the input padded with `value`
 * (left by p, right as far as the last window reaches).
 */
function windows(x: Tensor, g: Geometry, value: number): Tensor {
  const M = numel(g.lead);
  const xm = reshape(x, [M, ...g.sp]);
  const pads: number[] = [];
  const padded: number[] = [];
  for (let i = g.sp.length - 1; i >= 0; i--) {
    const need = (g.out[i]! - 1) * g.s[i]! + g.d[i]! * (g.k[i]! - 1) + 1;
    const right = Math.max(0, need - g.sp[i]! - g.p[i]!);
    pads.push(g.p[i]!, right);
  }
  const xp = pads.some((v) => v !== 0) ? pad(xm, pads, "constant", value) : contiguous(xm);
  for (let i = 0; i < g.sp.length; i++) padded.push(xp.shape[i + 1]!);
  const st = padded.map((_, i) => numel(padded.slice(i + 1)));
  return asStrided(
    xp,
    [M, ...g.out, ...g.k],
    [numel(padded), ...st.map((v, i) => v * g.s[i]!), ...st.map((v, i) => v * g.d[i]!)],
    xp.offset,
  );
}

function maxPoolNd(
  nsp: number,
  op: string,
  x: Tensor,
  kernelSize: IntOrList,
  opts: MaxPoolOptions & { returnIndices?: boolean },
): Tensor | ValuesIndices {
  const g = poolGeometry(op, x, nsp, kernelSize, opts);
  if (!x.isFloatingPoint()) throw new TypeError(`"${op}" not implemented for '${dtypeCName(x.dtype)}'`);
  const M = numel(g.lead);
  const nOut = numel(g.out);
  const geometry = { kernel: g.k, stride: g.s, padding: g.p, dilation: g.d };
  if (!opts.returnIndices && !(x.requiresGrad && isGradEnabled()) && x.backend.kernels.maxPoolValues)
    return reshape(maxPoolValues(reshape(x, [M, ...g.sp]), geometry, g.out), [...g.lead, ...g.out]);
  const flat = noGrad(() => reshape(maxPoolIndices(reshape(x, [M, ...g.sp]), geometry, g.out), [M, nOut]));
  const values = gather(reshape(x, [M, numel(g.sp)]), 1, flat);
  const out = reshape(values, [...g.lead, ...g.out]);
  return opts.returnIndices ? [out, reshape(flat, [...g.lead, ...g.out])] : out;
}

function avgPoolNd(nsp: number, op: string, x: Tensor, kernelSize: IntOrList, opts: AvgPoolOptions): Tensor {
  const g = poolGeometry(op, x, nsp, kernelSize, { ...opts, dilation: 1 });
  if (!x.isFloatingPoint()) throw new TypeError(`"${op}" not implemented for '${dtypeCName(x.dtype)}'`);
  const taps = g.k.map((_, i) => -(i + 1));
  const sums = sum(windows(x, g, 0), taps); // (M, *out)
  const override = opts.divisorOverride;
  let divisor: Tensor | number;
  if (override !== undefined && override !== null) {
    if (override === 0) throw new RangeError("divisor must be not zero");
    divisor = override;
  } else {
    // per output position: the window clipped to the padded input (countIncludePad) or to the input
    const include = opts.countIncludePad ?? true;
    const per = g.out.map((n, i) => {
      const v = new Float64Array(n);
      for (let o = 0; o < n; o++) {
        const start = o * g.s[i]! - g.p[i]!;
        const end = Math.min(start + g.k[i]!, g.sp[i]! + g.p[i]!);
        v[o] = include ? end - start : Math.min(end, g.sp[i]!) - Math.max(start, 0);
      }
      return v;
    });
    const d = new Float64Array(numel(g.out));
    for (let q = 0; q < d.length; q++) {
      let r = q;
      let prod = 1;
      for (let i = nsp - 1; i >= 0; i--) {
        prod *= per[i]![r % g.out[i]!]!;
        r = Math.floor(r / g.out[i]!);
      }
      d[q] = prod;
    }
    divisor = view(tensor(d, { dtype: x.dtype, device: x.device }), [1, ...g.out]);
  }
  return reshape(div(sums, divisor), [...g.lead, ...g.out]);
}

/** Max pooling options with `returnIndices: true`: the result is [values, indices]. */
export type MaxPoolWithIndices = MaxPoolOptions & { returnIndices: true };
/** Max pooling options without indices. */
export type MaxPoolNoIndices = MaxPoolOptions & { returnIndices?: false };

/**
 * 1-D max pooling over input (N, C, L) or (C, L) (`F.max_pool1d`); with `returnIndices` also the
 * position of each maximum within its row.
 */
export function maxPool1d(input: Tensor, kernelSize: IntOrList, opts: MaxPoolWithIndices): ValuesIndices;
export function maxPool1d(input: Tensor, kernelSize: IntOrList, opts?: MaxPoolNoIndices): Tensor;
export function maxPool1d(
  input: Tensor,
  kernelSize: IntOrList,
  opts: MaxPoolOptions & { returnIndices?: boolean } = {},
): Tensor | ValuesIndices {
  return maxPoolNd(1, "max_pool1d", input, kernelSize, opts);
}
/**
 * 2-D max pooling over input (N, C, H, W) or (C, H, W) (`F.max_pool2d`); with `returnIndices` also the
 * flat index (h * W + w) of each maximum within its plane.
 */
export function maxPool2d(input: Tensor, kernelSize: IntOrList, opts: MaxPoolWithIndices): ValuesIndices;
export function maxPool2d(input: Tensor, kernelSize: IntOrList, opts?: MaxPoolNoIndices): Tensor;
export function maxPool2d(
  input: Tensor,
  kernelSize: IntOrList,
  opts: MaxPoolOptions & { returnIndices?: boolean } = {},
): Tensor | ValuesIndices {
  return maxPoolNd(2, "max_pool2d", input, kernelSize, opts);
}
/** 3-D max pooling over input (N, C, D, H, W) or (C, D, H, W) (`F.max_pool3d`). */
export function maxPool3d(input: Tensor, kernelSize: IntOrList, opts: MaxPoolWithIndices): ValuesIndices;
export function maxPool3d(input: Tensor, kernelSize: IntOrList, opts?: MaxPoolNoIndices): Tensor;
export function maxPool3d(
  input: Tensor,
  kernelSize: IntOrList,
  opts: MaxPoolOptions & { returnIndices?: boolean } = {},
): Tensor | ValuesIndices {
  return maxPoolNd(3, "max_pool3d", input, kernelSize, opts);
}

/** 1-D average pooling over input (N, C, L) or (C, L) (`F.avg_pool1d`). */
export function avgPool1d(input: Tensor, kernelSize: IntOrList, opts: AvgPoolOptions = {}): Tensor {
  return avgPoolNd(1, "avg_pool1d", input, kernelSize, opts);
}
/** 2-D average pooling over input (N, C, H, W) or (C, H, W) (`F.avg_pool2d`). */
export function avgPool2d(input: Tensor, kernelSize: IntOrList, opts: AvgPoolOptions = {}): Tensor {
  return avgPoolNd(2, "avg_pool2d", input, kernelSize, opts);
}
/** 3-D average pooling over input (N, C, D, H, W) or (C, D, H, W) (`F.avg_pool3d`). */
export function avgPool3d(input: Tensor, kernelSize: IntOrList, opts: AvgPoolOptions = {}): Tensor {
  return avgPoolNd(3, "avg_pool3d", input, kernelSize, opts);
}

/** Output size argument of the adaptive pools: an int per dim; null keeps the input size. */
export type AdaptiveSize = number | null | readonly (number | null)[];

/** Start (floor(o * L / O)) and end (ceil((o + 1) * L / O)) of every adaptive window along one dim. */
function adaptiveRanges(L: number, O: number): [number, number][] {
  const r: [number, number][] = [];
  for (let o = 0; o < O; o++) r.push([Math.floor((o * L) / O), Math.ceil(((o + 1) * L) / O)]);
  return r;
}

function adaptiveSizes(op: string, x: Tensor, nsp: number, outputSize: AdaptiveSize): number[] {
  checkInput(op, x, nsp);
  const sp = x.shape.slice(x.ndim - nsp);
  const list = Array.isArray(outputSize) ? outputSize : new Array<number | null>(nsp).fill(outputSize as number | null);
  if (list.length !== nsp)
    throw new RangeError(`${op}(): output_size must be ${nsp}, got ${fmtShape(list.map((v) => v ?? -1))}`);
  const out = list.map((v, i) => (v === null ? sp[i]! : v));
  if (out.some((v) => v < 0 || !Number.isInteger(v)))
    throw new RangeError(
      `${op}(): elements of output_size must be greater than or equal to 0, but got ${fmtShape(out)}`,
    );
  return out;
}

function adaptiveAvgPoolNd(nsp: number, op: string, x: Tensor, outputSize: AdaptiveSize): Tensor {
  const out = adaptiveSizes(op, x, nsp, outputSize);
  if (!x.isFloatingPoint()) throw new TypeError(`"${op}" not implemented for '${dtypeCName(x.dtype)}'`);
  const lead = x.shape.slice(0, x.ndim - nsp);
  const sp = x.shape.slice(x.ndim - nsp);
  const M = numel(lead);
  if (out.every((o, i) => o > 0 && sp[i]! % o === 0)) {
    // equal windows: (M, O0, k0, O1, k1, ...) averaged over the k dims
    const shape = [M, ...out.flatMap((o, i) => [o, sp[i]! / o])];
    const r = mean(
      view(reshape(x, [M, ...sp]), shape),
      out.map((_, i) => 2 + 2 * i),
    );
    return reshape(r, [...lead, ...out]);
  }
  // general windows: average along each dim with an (O, L) matrix of 1 / window-size weights
  let y = reshape(x, [M, ...sp]);
  for (let i = nsp - 1; i >= 0; i--) {
    const [L, O] = [sp[i]!, out[i]!];
    const P = new Float64Array(O * L);
    adaptiveRanges(L, O).forEach(([a, b], o) => P.fill(1 / (b - a), o * L + a, o * L + b));
    const Pt = transpose(view(tensor(P, { dtype: x.dtype, device: x.device }), [O, L]), 0, 1); // (L, O)
    // move dim i last, contract it with P, move it back
    const dim = i + 1;
    const last = y.ndim - 1;
    y = transpose(matmul(transpose(y, dim, last), Pt), dim, last);
  }
  return reshape(y, [...lead, ...out]);
}

/** 1-D adaptive average pooling to `outputSize` positions (`F.adaptive_avg_pool1d`). */
export function adaptiveAvgPool1d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgPoolNd(1, "adaptive_avg_pool1d", input, outputSize);
}
/** 2-D adaptive average pooling to `outputSize` (an int, or [h, w] where null keeps the input size) (`F.adaptive_avg_pool2d`). */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgPoolNd(2, "adaptive_avg_pool2d", input, outputSize);
}

function adaptiveMaxPoolNd(nsp: number, op: string, x: Tensor, outputSize: AdaptiveSize): ValuesIndices {
  const out = adaptiveSizes(op, x, nsp, outputSize);
  const lead = x.shape.slice(0, x.ndim - nsp);
  const sp = x.shape.slice(x.ndim - nsp);
  const M = numel(lead);
  const L = numel(sp);
  const nOut = numel(out);
  const xm = reshape(x, [M, L]);
  if (nOut === 0) {
    const e = reshape(narrow(xm, 1, 0, 0), [...lead, ...out]);
    return [e, reshape(arange(0, { dtype: "int64", device: x.device }), [...lead, ...out])];
  }
  // for every output position, the flat input index of each tap of its (largest-size) window, or L
  // (a -inf sentinel) where the window is smaller
  const ranges = sp.map((Li, i) => adaptiveRanges(Li, out[i]!));
  const kmax = ranges.map((r) => Math.max(...r.map(([a, b]) => b - a)));
  const K = numel(kmax);
  const table = new Float64Array(nOut * K);
  for (let q = 0; q < nOut; q++) {
    const o = unravel(q, out);
    for (let t = 0; t < K; t++) {
      const tap = unravel(t, kmax);
      let flat = 0;
      let inside = true;
      for (let i = 0; i < nsp; i++) {
        const [a, b] = ranges[i]![o[i]!]!;
        const pos = a + tap[i]!;
        if (pos >= b) inside = false;
        flat = flat * sp[i]! + pos;
      }
      table[q * K + t] = inside ? flat : L;
    }
  }
  const idx = view(tensor(table, { dtype: "int64", device: x.device }), [1, nOut * K]);
  const flat = noGrad(() => {
    const xs = cat([xm, full([M, 1], -Infinity, { dtype: x.dtype, device: x.device })], 1);
    const w = view(gather(xs, 1, expand(idx, [M, nOut * K])), [M, nOut, K]);
    // PyTorch 1.13's CPU loop takes every NaN it meets: a window with NaNs points at its last one
    const nan = ne(w, w);
    const lastNan = sub(K - 1, argmax(flip(toDtype(nan, "int32"), [-1]), -1));
    const t = unsqueeze(where(any(nan, -1), lastNan, argmax(w, -1)), -1); // (M, nOut, 1)
    return squeeze(gather(expand(view(idx, [1, nOut, K]), [M, nOut, K]), 2, t), -1);
  });
  const values = gather(xm, 1, flat);
  return [reshape(values, [...lead, ...out]), reshape(flat, [...lead, ...out])];
}

function unravel(q: number, shape: readonly number[]): number[] {
  const r = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    r[i] = q % shape[i]!;
    q = Math.floor(q / shape[i]!);
  }
  return r;
}

/** 1-D adaptive max pooling (`F.adaptive_max_pool1d`); `returnIndices` also gives each maximum's position. */
export function adaptiveMaxPool1d(
  input: Tensor,
  outputSize: AdaptiveSize,
  opts: { returnIndices: true },
): ValuesIndices;
export function adaptiveMaxPool1d(input: Tensor, outputSize: AdaptiveSize, opts?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool1d(
  input: Tensor,
  outputSize: AdaptiveSize,
  opts: { returnIndices?: boolean } = {},
): Tensor | ValuesIndices {
  const r = adaptiveMaxPoolNd(1, "adaptive_max_pool1d", input, outputSize);
  return opts.returnIndices ? r : r[0];
}
/** 2-D adaptive max pooling (`F.adaptive_max_pool2d`); `returnIndices` also gives each maximum's flat index (h * W + w). */
export function adaptiveMaxPool2d(
  input: Tensor,
  outputSize: AdaptiveSize,
  opts: { returnIndices: true },
): ValuesIndices;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, opts?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(
  input: Tensor,
  outputSize: AdaptiveSize,
  opts: { returnIndices?: boolean } = {},
): Tensor | ValuesIndices {
  const r = adaptiveMaxPoolNd(2, "adaptive_max_pool2d", input, outputSize);
  return opts.returnIndices ? r : r[0];
}
