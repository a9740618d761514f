// The backend contract: storage on a device plus the kernels the op table dispatches to.
// Backends know nothing about autograd, nn or Tensor objects: kernels see plain strided views.

import type { DType, StorageArray } from "./dtype.js";
import type { Shape } from "./shape.js";

/** Device memory holding the elements of one or more tensors (views share it). */
export interface Storage {
  readonly device: string;
  readonly dtype: DType;
  readonly numel: number;
  /** In-place writes bump this; autograd compares it with the value seen when a tensor was saved. */
  version: number;
  /**
   * Live holders (tensor handles and autograd's saved references), counted by `src/memory/refs.ts`:
   * `free` runs when the last one is released. Undefined until the first tensor views the storage.
   */
  refs?: number;
}

/** A strided window onto a storage: what a kernel reads or writes. */
export interface View {
  readonly storage: Storage;
  readonly shape: Shape;
  readonly strides: Shape;
  readonly offset: number;
  readonly dtype: DType;
}

/**
 * An elementwise expression, rendered by each backend. In `js`, inputs are `a`, `b`, `c`, scalar
 * parameters `p0`, `p1`, ..., and helpers (erf, rounding, ...) are reached as `H.name(...)`.
 */
export interface Expr {
  readonly js: string;
  /**
   * Per input, a conversion applied when the value is read (`"Math.fround"`, `"H.f16"`), or null:
   * inputs are converted to the op's computation dtype first, as PyTorch does.
   */
  readonly reads?: readonly (string | null)[];
  /**
   * For float32 operands: the same result computed on the IEEE bit patterns (int32 values a, b, ...,
   * giving the output's bits), without branches. The TS kernels use it where the plain form's branch
   * mispredicts on mixed signs (relu: 9 -> 2 ns per element).
   */
  readonly bits?: string;
  /** The same expression in WGSL, for the webgpu backend (helpers from backends/webgpu/wgsl.ts). */
  readonly wgsl?: string;
  /** The dtype the expression computes in (inputs are converted to it); by default the first input's. */
  readonly compute?: DType;
  /** The op's name, for error messages. */
  readonly name?: string;
}

/** A reduction in WGSL: initial accumulator, `step` of `acc` and element `v`, `combine` of two partials `a` and `b`. */
export interface WgslReduce {
  readonly init: string;
  readonly step: string;
  readonly combine: string;
}

/** How a reduction combines elements (the table is src/ops/reduce_exprs.ts). */
export interface ReduceExpr {
  readonly init: string; // js expression
  readonly step: string; // js expression of `acc` and `v`, the new acc
  /** WGSL forms by accumulator type (f32: floating inputs; i32: integers and bool); a missing one is not implemented on webgpu. */
  readonly wgsl?: { readonly f32?: WgslReduce; readonly i32?: WgslReduce };
}

export type ScatterReduce = "none" | "sum" | "prod" | "mean" | "amax" | "amin";

/** Geometry of a convolution, one entry per spatial dim (see the `convolution` primitive). */
export interface ConvGeometry {
  readonly stride: readonly number[];
  /** Zeros before the first input element (negative crops). */
  readonly padding: readonly number[];
  /** Spacing of the kernel taps. */
  readonly dilation: readonly number[];
  /** Spacing of the input elements (`inputDilation - 1` zeros between them): transposed convolution. */
  readonly inputDilation: readonly number[];
  readonly groups: number;
}

/** What the NLL kernels need besides their operands (see the `nll_loss` primitive). */
export interface NllGeometry {
  /** Target value that contributes nothing. */
  readonly ignoreIndex: number;
  readonly reduction: "none" | "sum" | "mean";
  /** The op the user called, named in the out-of-bounds error. */
  readonly op: string;
}

/** How the `norm` kernels group x (N, C, S) for their statistics (see the `norm` primitive). */
export interface NormGeometry {
  /**
   * "group": statistics per (sample, group of C / groups channels) over its channels and positions
   * (layer, group and instance norm); "batch": per channel over the samples and positions (batch norm).
   */
  readonly mode: "group" | "batch";
  readonly groups: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
}

/** Geometry of a max pooling, one entry per spatial dim (padding on both sides). */
export interface PoolGeometry {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
}

/** Kernel arguments and results: one entry per kernel every backend must provide. */
export interface Kernels {
  /** out[i] = expr(inputs[0][i], inputs[1][i], ...); inputs are already broadcast to out.shape. */
  map(expr: Expr, inputs: readonly View[], out: View, scalars: readonly number[]): void;
  /** Reduce the trailing `nReduce` dims of x (already permuted there) into contiguous out. */
  reduce(expr: ReduceExpr, x: View, nReduce: number, out: View): void;
  /** Index of the first max/min along the last dim of x (NaN counts as the max/min). */
  argReduce(kind: "max" | "min", x: View, out: View): void;
  /** Inclusive scan along the last dim into `out`; for max/min also the index of the running extreme. */
  scan(kind: "sum" | "prod" | "max" | "min", x: View, out: View | null, indices: View | null): void;
  /**
   * Softmax (or, with `log`, log-softmax) along the last dim of floating x into out (same shape): per
   * row, the max (NaN if any element is NaN), the sum of exp(x - max), then exp(x - max) / sum or
   * x - max - log(sum).
   */
  softmax(x: View, out: View, log: boolean): void;
  /** Batched matmul: a (..., M, K) @ b (..., K, N) -> out (..., M, N); batch dims already broadcast. */
  matmul(a: View, b: View, out: View): void;
  /** out = x.gather(dim, index) */
  gather(x: View, dim: number, index: View, out: View): void;
  /** out (a copy of self) receives src along dim at index with the given reduction. */
  scatter(out: View, dim: number, index: View, src: View, reduce: ScatterReduce, includeSelf: boolean): void;
  /** Stable sort along the last dim: writes the sorting permutation into `indices`. */
  sort(x: View, descending: boolean, indices: View): void;
  /** out (N, O, *outSizes), contiguous = convolution of x (N, C, *in) with w (O, C / groups, *k). */
  conv(x: View, w: View, out: View, geometry: ConvGeometry): void;
  /** out[view positions] += src: scatters a view-shaped gradient back into its base. */
  stridedAccumulate(src: View, out: View, viewShape: Shape, viewStrides: Shape, viewOffset: number): void;
  /**
   * The weight gradient of `conv(x, w)` (float32 / float64) into `out` (w's shape, contiguous), given
   * the output's gradient `gy` (its spatial dims one unit-stride run) and the forward's geometry.
   * Optional: without it the op layer forms the weight gradient as a convolution of x with gy.
   */
  convWeightGrad?(gy: View, x: View, out: View, geometry: ConvGeometry): void;
  /**
   * The input gradient of `conv(x, w)` (float32 / float64, input dilation 1) into `out` (x's shape,
   * contiguous), given the output's gradient `gy` (its spatial dims one unit-stride run). Optional:
   * without it the op layer forms it as a convolution of gy with the flipped kernel.
   */
  convInputGrad?(gy: View, w: View, out: View, geometry: ConvGeometry): void;
  /**
   * Max pooling's argmax: for floating x (M, *spatial) and every window, the flat index over the
   * spatial dims of its first maximum in row-major tap order (any NaN beats a number, so the last NaN
   * wins, as in PyTorch 1.13's CPU kernel; padding taps are skipped; an all -inf window points at its
   * first real element) into out (M, *outSpatial), int64, contiguous.
   */
  maxPoolIndices(x: View, out: View, geometry: PoolGeometry): void;
  /**
   * Max pooling's values: each window's maximum (NaN where the window holds one), for planes x
   * (M, *spatial) into out (M, *outSpatial), x's dtype, contiguous; the windows as for maxPoolIndices.
   * Optional: without it the op layer gathers the values at maxPoolIndices (as it does wherever a
   * gradient or the indices are wanted).
   */
  maxPoolValues?(x: View, out: View, geometry: PoolGeometry): void;
  /**
   * Deferred value check, for devices that cannot read values synchronously: where `flags` (bool) is
   * set, `message` is raised at the next readback (like CUDA's device-side asserts), with `{0}`, `{1}`
   * replaced by the elements of `values` (same shape as flags) at the first flagged position found.
   * Absent on backends that read synchronously: the op layer checks on the host there.
   */
  assertNone?(flags: View, values: readonly View[], message: string): void;
  /**
   * Negative log-likelihood of class indices: for logp (..., C) (class dim last) and integer target
   * (...), per element -weight[t] * logp[..., t] (0 where t is ignoreIndex) into out shaped like
   * target ("none"), or their sum, or their sum over the summed weights ("mean") into a 0-dim out. A
   * target outside [0, C) raises `<op>(): Target <t> is out of bounds.`. Optional: the op layer
   * otherwise composes gather and reductions.
   */
  nllLoss?(logp: View, target: View, weight: View | null, out: View, p: NllGeometry): void;
  /**
   * The gradient of `nllLoss` wrt logp into out (..., C), contiguous and zero-filled: -weight[t] * g at
   * each target (g shaped like target for "none", else 0-dim; divided by the summed weights for
   * "mean"). Present exactly where `nllLoss` is.
   */
  nllLossGrad?(g: View, target: View, weight: View | null, out: View, p: NllGeometry): void;
  /**
   * Normalization of contiguous x (N, C, S): per statistics group (`p`), the mean and the biased
   * variance into stats (2, K) (K = N * groups, or C in "batch" mode), and
   * out = (x - mean) / sqrt(var + eps) * weight[c] + bias[c] (weight, bias: (C) or null). Optional: the
   * op layer otherwise composes reductions and elementwise ops.
   */
  norm?(x: View, weight: View | null, bias: View | null, out: View, stats: View, p: NormGeometry): void;
  /**
   * The gradients of `norm` given the output's gradient g (N, C, S), contiguous, and the forward's x
   * (whose statistics it computes again), into out: dx (N * C * S elements), then the weight's and the
   * bias's gradients (C each). Present exactly where `norm` is.
   */
  normGrad?(g: View, x: View, weight: View | null, out: View, p: NormGeometry): void;
  /**
   * The gradient of softmax (y * (g - sum(g * y))) or, with `log`, of log-softmax (g - exp(y) * sum(g))
   * along the last dim, given the output y and its gradient g (same shape), into out (contiguous).
   * Optional: the op layer otherwise composes it.
   */
  softmaxGrad?(y: View, g: View, out: View, log: boolean): void;
  /**
   * Insertion points of `values` (..., m) in rows of `seq` (..., n) (sorted along its last dim; leading
   * dims already broadcast, NaN sorting last): the first (or, with `right`, the last) position keeping
   * the row sorted. Optional: the op layer searches on the host where the backend reads synchronously.
   */
  searchsorted?(seq: View, values: View, right: boolean, out: View): void;
}

/** A device implementation. */
export interface Backend {
  readonly device: string;
  readonly kernels: Kernels;
  /** A zero-filled storage. */
  alloc(dtype: DType, numel: number): Storage;
  /**
   * A storage whose contents are unspecified, for outputs a kernel overwrites entirely (skips the
   * zero fill, and may reuse cached memory); absent where `alloc` is as cheap.
   */
  allocUninit?(dtype: DType, numel: number): Storage;
  /** A storage that takes ownership of `data` (already in the dtype's storage representation). */
  fromArray(dtype: DType, data: StorageArray): Storage;
  /** The elements of a storage, in the dtype's storage representation. */
  read(s: Storage): Promise<StorageArray>;
  /** Synchronous read; backends that cannot do it throw an error telling to use `await x.data()`. */
  readSync(s: Storage): StorageArray;
  /** True when `readSync` always throws (webgpu): ops that need values use device checks or async forms. */
  readonly asyncOnly?: boolean;
  /** Free a storage now (`tensor.dispose()`); absent where the garbage collector frees memory. */
  free?(s: Storage): void;
}

const backends = new Map<string, Backend>();

/** Register a backend for a device type (`"cpu"`, `"webgpu"`). */
export function registerBackend(b: Backend): void {
  backends.set(b.device, b);
}

/** Normalise a device spec (`"cpu"`, `"cpu:0"`) to its type. */
export function deviceType(device: string): string {
  const i = device.indexOf(":");
  return i < 0 ? device : device.slice(0, i);
}

/** The backend for a device, or a clear error when the device is unknown or unavailable. */
export function getBackend(device: string): Backend {
  const b = backends.get(deviceType(device));
  if (!b)
    throw new Error(
      `Expected one of the available devices (${[...backends.keys()].join(", ")}) but got device '${device}'`,
    );
  return b;
}
