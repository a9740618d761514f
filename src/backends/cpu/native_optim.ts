// Fused optimizer steps: SGD and Adam/AdamW update every parameter of a group in one native call
// (native/src/optim_kernels.cc), or without the addon in one TS loop per float32 parameter
// (./optim_loops.ts), with PyTorch 1.13's per-op arithmetic. Each `fused*` returns false (touching
// nothing) unless every tensor is a contiguous CPU tensor of one dtype, float32 (or float64 with the
// addon); the optimizer then runs its tensor-op loop.

import type { StorageArray } from "../../dtype.js";
import type { Tensor } from "../../tensor.js";
import { nativeOptimAddon } from "./native.js";
import { metaArray } from "./native_meta.js";
import { adamLoop, sgdLoop } from "./optim_loops.js";

/** The addon's fused optimizer entry points (absent from an addon built before they existed). */
export interface OptimAddon {
  sgdStep?(arrays: StorageArray[], meta: Float64Array): void;
  adamStep?(arrays: StorageArray[], meta: Float64Array): void;
}

/** The storage array of a tensor the fused kernels can take, or null. */
function dataOf(t: Tensor, dtype: string): Float32Array | Float64Array | null {
  if (t.device !== "cpu" || t.dtype !== dtype || !t.isContiguous()) return null;
  const a = (t.storage as unknown as { data?: StorageArray }).data;
  return a instanceof Float32Array || a instanceof Float64Array ? a : null;
}

/**
 * Arrays of `tensors` (null entries stand for `fill`), or null when one is not eligible: each must
 * have `fill`'s dtype (float32, or float64 where `float64`) and its group's element count (groups of
 * `per` tensors, the first the parameter).
 */
function arraysOf(
  tensors: readonly (Tensor | null)[],
  fill: Tensor,
  per: number,
  float64: boolean,
): StorageArray[] | null {
  const dtype = fill.dtype;
  if (dtype !== "float32" && (dtype !== "float64" || !float64)) return null;
  const out: StorageArray[] = [];
  let n = 0;
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i] ?? fill;
    if (i % per === 0) n = t.numel();
    else if (tensors[i] && t.numel() !== n) return null;
    const a = dataOf(t, dtype);
    if (!a) return null;
    out.push(a);
  }
  return out;
}

/** One parameter of a fused SGD step. */
export interface SgdItem {
  p: Tensor;
  grad: Tensor;
  /** The momentum buffer (same shape as p), or null without momentum. */
  buf: Tensor | null;
  /** The buffer is new: it takes this step's direction instead of being decayed. */
  init: boolean;
}

/** SGD's hyperparameters, as in `torch.optim.SGD`. */
export interface SgdHyper {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** The SGD step of every item in one native call or TS loop; false when the fused kernels cannot take them. */
export function fusedSgd(items: readonly SgdItem[], h: SgdHyper): boolean {
  if (items.length === 0) return false;
  const a = nativeOptimAddon();
  const fill = items[0]!.p;
  const arrays = arraysOf(
    items.flatMap((it) => [it.p, it.grad, it.buf]),
    fill,
    3,
    a?.sgdStep !== undefined,
  );
  if (!arrays) return false;
  if (a?.sgdStep) {
    const meta = metaArray(7 + 5 * items.length);
    meta.set([items.length, h.lr, h.momentum, h.dampening, h.weightDecay, +h.nesterov, +h.maximize]);
    items.forEach((it, k) => {
      meta.set([it.p.numel(), it.p.offset, it.grad.offset, it.buf?.offset ?? 0, +it.init], 7 + 5 * k);
    });
    a.sgdStep(arrays, meta);
  } else {
    const f32 = arrays as Float32Array[];
    items.forEach((it, k) => {
      const [P, G, B] = f32.slice(3 * k, 3 * k + 3) as [Float32Array, Float32Array, Float32Array];
      const off = [it.p, it.grad, it.buf].map((t) => t?.offset ?? 0);
      sgdLoop(it.p.numel(), { P, G, B: it.buf ? B : null, off }, it.init, h);
    });
  }
  for (const it of items) {
    it.p.storage.version++;
    if (it.buf) it.buf.storage.version++;
  }
  return true;
}

/** One parameter of a fused Adam step. */
export interface AdamItem {
  p: Tensor;
  grad: Tensor;
  expAvg: Tensor;
  expAvgSq: Tensor;
  /** AMSGrad's running maximum of expAvgSq, or null. */
  maxExpAvgSq: Tensor | null;
  /** The step count including this step. */
  step: number;
}

/** Adam's hyperparameters; `decoupled` is AdamW's weight decay. */
export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  decoupled: boolean;
}

/** The Adam (or AdamW) step of every item in one native call or TS loop; false when the fused kernels cannot take them. */
export function fusedAdam(items: readonly AdamItem[], h: AdamHyper): boolean {
  if (items.length === 0 || (h.amsgrad && items.some((it) => !it.maxExpAvgSq))) return false;
  const a = nativeOptimAddon();
  const fill = items[0]!.p;
  const arrays = arraysOf(
    items.flatMap((it) => [it.p, it.grad, it.expAvg, it.expAvgSq, it.maxExpAvgSq]),
    fill,
    5,
    a?.adamStep !== undefined,
  );
  if (!arrays) return false;
  if (a?.adamStep) {
    const meta = metaArray(9 + 7 * items.length);
    meta.set([items.length, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, +h.amsgrad, +h.maximize, +h.decoupled]);
    items.forEach((it, k) => {
      const mx = it.maxExpAvgSq?.offset ?? 0;
      meta.set(
        [it.p.numel(), it.p.offset, it.grad.offset, it.expAvg.offset, it.expAvgSq.offset, mx, it.step],
        9 + 7 * k,
      );
    });
    a.adamStep(arrays, meta);
  } else {
    const f32 = arrays as Float32Array[];
    items.forEach((it, k) => {
      const [P, G, M, V, MX] = f32.slice(5 * k, 5 * k + 5) as [
        Float32Array,
        Float32Array,
        Float32Array,
        Float32Array,
        Float32Array,
      ];
      const off = [it.p, it.grad, it.expAvg, it.expAvgSq, it.maxExpAvgSq].map((t) => t?.offset ?? 0);
      adamLoop(it.p.numel(), { P, G, M, V, MX: it.maxExpAvgSq ? MX : null, off }, it.step, h);
    });
  }
  for (const it of items) for (const t of [it.p, it.expAvg, it.expAvgSq, it.maxExpAvgSq]) if (t) t.storage.version++;
  return true;
}
