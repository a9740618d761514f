// nn.functional losses, each a composition of existing ops following PyTorch 1.13's definitions
// (ATen's Loss.cpp / LossNLL.cpp), with PyTorch's `reduction` ("mean" | "sum" | "none") and options.
// CTC lives in ctc.ts. Not here: the loss modules (nn/layers/loss.ts).
//
// Branches picked with `where` feed the unselected branch a harmless value, so an Inf there cannot
// turn a masked gradient into 0 * Inf = NaN.

import type { Tensor } from "../../tensor.js";
import { isFloating } from "../../dtype.js";
import { broadcastShapes, fmtShape, sameShape } from "../../shape.js";
import * as ew from "../../ops/elementwise.js";
import { gather } from "../../ops/indexing.js";
import { mean, sum } from "../../ops/reduce.js";
import { expand, movedim, reshape, squeeze, unsqueeze } from "../../ops/views.js";
import { fusedNll, hasFusedNll } from "../../ops/nll.js";
import { logSoftmax } from "./activation.js";
import { pairwiseDistance } from "./distance.js";
import { noGrad } from "../../autograd/gradmode.js";
import { checkValues } from "../../ops/device_check.js";

/** How a loss combines its per-element values: average, total, or none (one value per element). */
export type Reduction = "mean" | "sum" | "none";

/** Options shared by every loss. */
export interface ReductionOptions {
  /** "mean" (default), "sum" or "none". */
  reduction?: Reduction;
}

/** Apply a reduction; names the op when the reduction is unknown. */
export function applyReduction(loss: Tensor, reduction: Reduction | undefined, op: string): Tensor {
  switch (reduction ?? "mean") {
    case "mean":
      return mean(loss);
    case "sum":
      return sum(loss);
    case "none":
      return loss;
    default:
      throw new RangeError(`${op}(): ${String(reduction)} is not a valid value for reduction`);
  }
}

function checkReduction(reduction: string | undefined, op: string): void {
  if (reduction !== undefined && reduction !== "mean" && reduction !== "sum" && reduction !== "none")
    throw new RangeError(`${op}(): ${reduction} is not a valid value for reduction`);
}

function sizeStr(s: readonly number[]): string {
  return `torch.Size(${fmtShape(s)})`;
}

// ---- regression losses ------------------------------------------------------------------------

/** Mean squared error: (input - target)^2, broadcast as in PyTorch (`F.mse_loss`). */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  return applyReduction(ew.square(ew.sub(input, target)), opts.reduction, "mse_loss");
}

/** Mean absolute error: |input - target| (`F.l1_loss`). */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  return applyReduction(ew.abs(ew.sub(input, target)), opts.reduction, "l1_loss");
}

/** Smooth L1: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (`F.smooth_l1_loss`). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: ReductionOptions & { beta?: number } = {}): Tensor {
  const beta = opts.beta ?? 1;
  if (beta < 0) throw new RangeError("smooth_l1_loss(): smooth_l1_loss does not support negative values for beta.");
  if (beta === 0) return l1Loss(input, target, opts);
  const d = ew.sub(input, target);
  const z = ew.abs(d);
  const inside = ew.logicalNot(ew.ge(z, beta)); // NaN goes inside, so its gradient is NaN as in PyTorch
  const dq = ew.where(inside, d, 0);
  const loss = ew.where(inside, ew.div(ew.mul(ew.mul(dq, dq), 0.5), beta), ew.sub(z, 0.5 * beta));
  return applyReduction(loss, opts.reduction, "smooth_l1_loss");
}

/** Huber: 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta) (`F.huber_loss`). */
export function huberLoss(input: Tensor, target: Tensor, opts: ReductionOptions & { delta?: number } = {}): Tensor {
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new RangeError("huber_loss(): huber_loss does not support non-positive values for delta.");
  const d = ew.sub(input, target);
  const z = ew.abs(d);
  const inside = ew.logicalNot(ew.ge(z, delta));
  const dq = ew.where(inside, d, 0);
  const loss = ew.where(inside, ew.mul(ew.mul(dq, dq), 0.5), ew.mul(ew.sub(z, 0.5 * delta), delta));
  return applyReduction(loss, opts.reduction, "huber_loss");
}

// ---- binary classification -------------------------------------------------------------------

/** Options of binaryCrossEntropy. */
export interface BCEOptions extends ReductionOptions {
  /** Rescaling weight broadcast to the target's shape. */
  weight?: Tensor | null;
}

/**
 * Binary cross entropy of probabilities: -w (t log(x) + (1 - t) log(1 - x)), each log clamped to
 * >= -100 as PyTorch does (`F.binary_cross_entropy`).
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BCEOptions = {}): Tensor {
  checkReduction(opts.reduction, "binary_cross_entropy");
  if (!sameShape(input.shape, target.shape))
    throw new RangeError(
      `binary_cross_entropy(): Using a target size (${sizeStr(target.shape)}) that is different to the input size (${sizeStr(input.shape)}) is deprecated. Please ensure they have the same size.`,
    );
  const outside = (t: Tensor) => ew.logicalNot(ew.logicalAnd(ew.ge(t, 0), ew.le(t, 1)));
  checkValues(outside(input), [], "binary_cross_entropy(): all elements of input should be between 0 and 1");
  checkValues(outside(target), [], "binary_cross_entropy(): all elements of target should be between 0 and 1");
  // (t - 1) * max(log1p(-x), -100) - t * max(log(x), -100), as ATen writes it
  const logX = ew.clampMin(ew.log(input), -100);
  const log1mX = ew.clampMin(ew.log1p(ew.neg(input)), -100);
  let loss = ew.sub(ew.mul(ew.sub(target, 1), log1mX), ew.mul(target, logX));
  if (opts.weight)
    loss = ew.mul(loss, expand(opts.weight, broadcastShapes("binary_cross_entropy", target.shape, opts.weight.shape)));
  return applyReduction(loss, opts.reduction, "binary_cross_entropy");
}

/** Options of binaryCrossEntropyWithLogits. */
export interface BCEWithLogitsOptions extends BCEOptions {
  /** Weight of positive examples, broadcast along the last (class) dim. */
  posWeight?: Tensor | null;
}

/**
 * Binary cross entropy on logits, computed stably:
 * (1 - t) x + (1 + (posWeight - 1) t) * softplus(-x) (`F.binary_cross_entropy_with_logits`).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BCEWithLogitsOptions = {}): Tensor {
  checkReduction(opts.reduction, "binary_cross_entropy_with_logits");
  if (!sameShape(input.shape, target.shape))
    throw new RangeError(
      `binary_cross_entropy_with_logits(): Target size (${sizeStr(target.shape)}) must be the same as input size (${sizeStr(input.shape)})`,
    );
  // ATen: max_val = clamp_min(-x, 0); softplus(-x) = log(exp(-max_val) + exp(-x - max_val)) + max_val
  const m = noGrad(() => ew.clampMin(ew.neg(input), 0));
  const softplusNeg = ew.add(ew.log(ew.add(ew.exp(ew.neg(m)), ew.exp(ew.sub(ew.neg(input), m)))), m);
  const lw = opts.posWeight ? ew.add(ew.mul(ew.sub(opts.posWeight, 1), target), 1) : null;
  let loss = ew.add(ew.mul(ew.rsub(target, 1), input), lw ? ew.mul(lw, softplusNeg) : softplusNeg);
  if (opts.weight) loss = ew.mul(loss, opts.weight);
  return applyReduction(loss, opts.reduction, "binary_cross_entropy_with_logits");
}

// ---- classification ---------------------------------------------------------------------------

/** Options of nllLoss and crossEntropy. */
export interface NLLOptions extends ReductionOptions {
  /** Weight per class, shape (C). */
  weight?: Tensor | null;
  /** Target value that contributes nothing (default -100). */
  ignoreIndex?: number;
}

/** Validate class-index targets and return the class dim and count. */
function checkClassTarget(op: string, input: Tensor, target: Tensor, weight: Tensor | null | undefined): number {
  if (input.ndim < 1) throw new RangeError(`${op}(): input tensor should be 1D or more, got a 0-dim tensor`);
  if (isFloating(target.dtype) || target.dtype === "bool")
    throw new TypeError(`${op}(): expected scalar type Long but found ${target.dtype} (class-index target)`);
  const cdim = input.ndim === 1 ? 0 : 1;
  const C = input.shape[cdim]!;
  if (input.ndim === 1) {
    if (target.ndim !== 0)
      throw new RangeError(
        `${op}(): 0D or 1D target tensor expected, multi-target not supported (input 1-D, target ${fmtShape(target.shape)})`,
      );
  } else {
    if (target.ndim < 1 || target.shape[0] !== input.shape[0])
      throw new RangeError(
        `${op}(): Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0] ?? "none: 0-dim target"}).`,
      );
    const want = [input.shape[0]!, ...input.shape.slice(2)];
    if (!sameShape(target.shape, want))
      throw new RangeError(`${op}(): Expected target size ${fmtShape(want)}, got ${fmtShape(target.shape)}`);
  }
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== C))
    throw new RangeError(
      `${op}(): weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${fmtShape(weight.shape)}`,
    );
  return cdim;
}

/** Per-element negative log likelihood and the weight of each element (0 where ignored). */
function nllParts(
  op: string,
  input: Tensor,
  target: Tensor,
  weight: Tensor | null | undefined,
  ignoreIndex: number,
): { loss: Tensor; w: Tensor; valid: Tensor; cdim: number } {
  const cdim = checkClassTarget(op, input, target, weight);
  const C = input.shape[cdim]!;
  const valid = ew.ne(target, ignoreIndex);
  const safe = ew.where(valid, target, 0);
  // on webgpu a bad target is reported at the next readback (like CUDA's device-side assert)
  checkValues(ew.logicalOr(ew.lt(safe, 0), ew.ge(safe, C)), [safe], `${op}(): Target {0} is out of bounds.`);
  const idx = ew.toDtype(safe, "int64");
  const picked = squeeze(gather(input, cdim, unsqueeze(idx, cdim)), cdim); // shaped like target
  const ones = ew.toDtype(valid, input.dtype);
  const w = weight ? ew.mul(reshape(gather(weight, 0, reshape(idx, [-1])), [...target.shape]), ones) : ones;
  const loss = ew.where(valid, ew.neg(ew.mul(picked, w)), 0);
  return { loss, w, valid, cdim };
}

/** nllLoss through the backend's fused kernel, with the class dim moved last. */
function nllKernel(op: string, logp: Tensor, target: Tensor, opts: NLLOptions): Tensor {
  const cdim = checkClassTarget(op, logp, target, opts.weight);
  const p = { ignoreIndex: opts.ignoreIndex ?? -100, reduction: opts.reduction ?? "mean", op };
  return fusedNll(cdim === logp.ndim - 1 ? logp : movedim(logp, cdim, -1), target, opts.weight, p);
}

/**
 * Negative log likelihood of class indices given log-probabilities (N, C, ...) or (C); "mean" divides
 * by the total weight of the non-ignored targets (`F.nll_loss`).
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NLLOptions = {}): Tensor {
  checkReduction(opts.reduction, "nll_loss");
  if (hasFusedNll(input, opts.weight)) return nllKernel("nll_loss", input, target, opts);
  const { loss, w } = nllParts("nll_loss", input, target, opts.weight, opts.ignoreIndex ?? -100);
  const r = opts.reduction ?? "mean";
  if (r === "none") return loss;
  if (r === "sum") return sum(loss);
  return ew.div(sum(loss), sum(w));
}

/** Options of crossEntropy. */
export interface CrossEntropyOptions extends NLLOptions {
  /** Mix the target with the uniform distribution: (1 - s) target + s / C (default 0). */
  labelSmoothing?: number;
}

/**
 * Cross entropy of logits (N, C, ...) or (C) against class indices (N, ...) or class probabilities
 * shaped like the input: logSoftmax over the class dim, then NLL, with label smoothing
 * (`F.cross_entropy`).
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  checkReduction(opts.reduction, "cross_entropy");
  const ls = opts.labelSmoothing ?? 0;
  if (!(ls >= 0 && ls <= 1))
    throw new RangeError(`cross_entropy(): label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
  if (input.ndim < 1) throw new RangeError("cross_entropy(): input tensor should be 1D or more, got a 0-dim tensor");
  const cdim = input.ndim === 1 ? 0 : 1;
  const C = input.shape[cdim]!;
  const reduction = opts.reduction ?? "mean";
  const weight = opts.weight ?? null;
  const wShape = input.shape.map((_, i) => (i === cdim ? C : 1)); // weight viewed along the class dim
  const logp = logSoftmax(input, cdim);

  if (isFloating(target.dtype) && sameShape(target.shape, input.shape)) {
    // class probabilities
    if ((opts.ignoreIndex ?? -100) >= 0)
      throw new RangeError("cross_entropy(): ignore_index is not supported for floating point target");
    if (weight && (weight.ndim !== 1 || weight.shape[0] !== C))
      throw new RangeError(
        `cross_entropy(): weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${fmtShape(weight.shape)}`,
      );
    const t = ls > 0 ? ew.add(ew.mul(target, 1 - ls), ls / C) : target;
    let prod = ew.mul(logp, t);
    if (weight) prod = ew.mul(prod, reshape(weight, wShape));
    if (reduction === "none") return ew.neg(sum(prod, cdim));
    if (reduction === "sum") return ew.neg(sum(prod));
    return ew.div(ew.neg(sum(prod)), input.numel() / Math.max(C, 1));
  }

  if (ls === 0 && hasFusedNll(logp, weight)) return nllKernel("cross_entropy", logp, target, opts);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const { loss: nll, w, valid } = nllParts("cross_entropy", logp, target, weight, ignoreIndex);
  const reduceNll = (l: Tensor) => (reduction === "none" ? l : reduction === "sum" ? sum(l) : ew.div(sum(l), sum(w)));
  if (ls === 0) return reduceNll(nll);
  // smoothing term: -sum_c w_c logp_c per element, 0 where ignored
  const wl = weight ? ew.mul(logp, reshape(weight, wShape)) : logp;
  const smooth = ew.where(valid, ew.neg(sum(wl, cdim)), 0);
  let smoothRed: Tensor;
  if (reduction === "none") smoothRed = smooth;
  else if (reduction === "sum") smoothRed = sum(smooth);
  else smoothRed = ew.div(sum(smooth), weight ? sum(w) : sum(valid));
  return ew.add(ew.mul(reduceNll(nll), 1 - ls), ew.mul(smoothRed, ls / C));
}

/** KL divergence with input as log-probabilities: t (log t - x), or e^t (t - x) with logTarget (`F.kl_div`). */
export function klDiv(
  input: Tensor,
  target: Tensor,
  opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {},
): Tensor {
  const reduction = opts.reduction ?? "mean";
  let loss: Tensor;
  if (opts.logTarget) loss = ew.mul(ew.exp(target), ew.sub(target, input));
  else {
    // xlogy(t, t): 0 where t == 0
    const isZero = ew.eq(target, 0);
    const xlogy = ew.where(isZero, 0, ew.mul(target, ew.log(ew.where(isZero, 1, target))));
    loss = ew.sub(xlogy, ew.mul(target, input));
  }
  if (reduction === "batchmean") {
    const s = sum(loss);
    return input.ndim === 0 ? s : ew.div(s, input.shape[0]!);
  }
  return applyReduction(loss, reduction, "kl_div");
}

// ---- embedding and ranking losses ---------------------------------------------------------------

/** Margin loss on the cosine of x1 and x2: 1 - cos for y = 1, max(0, cos - margin) for y = -1 (`F.cosine_embedding_loss`). */
export function cosineEmbeddingLoss(
  x1: Tensor,
  x2: Tensor,
  target: Tensor,
  opts: ReductionOptions & { margin?: number } = {},
): Tensor {
  checkReduction(opts.reduction, "cosine_embedding_loss");
  const td = target.ndim;
  if (td > 1)
    throw new RangeError("cosine_embedding_loss(): 0D or 1D target tensor expected, multi-target not supported");
  if (td === 1 && (x1.ndim !== 2 || x2.ndim !== 2))
    throw new RangeError(
      `cosine_embedding_loss(): 1D target tensor expects 2D input tensors, but found inputs with sizes ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}.`,
    );
  if (td === 0 && (x1.ndim !== 1 || x2.ndim !== 1))
    throw new RangeError(
      `cosine_embedding_loss(): 0D target tensor expects 1D input tensors, but found inputs with sizes ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}.`,
    );
  const EPS = 1e-12;
  const prodSum = sum(ew.mul(x1, x2), td);
  const mag1 = ew.add(sum(ew.mul(x1, x1), td), EPS);
  const mag2 = ew.add(sum(ew.mul(x2, x2), td), EPS);
  const cos = ew.div(prodSum, ew.sqrt(ew.mul(mag1, mag2)));
  const pos = ew.rsub(cos, 1);
  const neg = ew.clampMin(ew.sub(cos, opts.margin ?? 0), 0);
  const loss = ew.add(ew.where(ew.eq(target, 1), pos, 0), ew.where(ew.eq(target, -1), neg, 0));
  return applyReduction(loss, opts.reduction, "cosine_embedding_loss");
}

/** max(0, -y (x1 - x2) + margin) (`F.margin_ranking_loss`). */
export function marginRankingLoss(
  x1: Tensor,
  x2: Tensor,
  target: Tensor,
  opts: ReductionOptions & { margin?: number } = {},
): Tensor {
  checkReduction(opts.reduction, "margin_ranking_loss");
  if (x1.ndim !== x2.ndim || x1.ndim !== target.ndim)
    throw new RangeError(
      `margin_ranking_loss(): All input tensors should have same dimension but got sizes: input1: ${sizeStr(x1.shape)}, input2: ${sizeStr(x2.shape)}, target: ${sizeStr(target.shape)}`,
    );
  const loss = ew.clampMin(ew.add(ew.mul(ew.neg(target), ew.sub(x1, x2)), opts.margin ?? 0), 0);
  return applyReduction(loss, opts.reduction, "margin_ranking_loss");
}

/** Options of tripletMarginLoss. */
export interface TripletMarginOptions extends ReductionOptions {
  margin?: number;
  /** Norm degree of the pairwise distance (default 2). */
  p?: number;
  eps?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance. */
  swap?: boolean;
}

/** max(0, margin + d(anchor, positive) - d(anchor, negative)) (`F.triplet_margin_loss`). */
export function tripletMarginLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  opts: TripletMarginOptions = {},
): Tensor {
  checkReduction(opts.reduction, "triplet_margin_loss");
  if (anchor.ndim !== positive.ndim || positive.ndim !== negative.ndim)
    throw new RangeError(
      `triplet_margin_loss(): The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor ${anchor.ndim}D, positive ${positive.ndim}D, and negative ${negative.ndim}D inputs`,
    );
  const p = opts.p ?? 2;
  const eps = opts.eps ?? 1e-6;
  const dPos = pairwiseDistance(anchor, positive, p, eps);
  let dNeg = pairwiseDistance(anchor, negative, p, eps);
  if (opts.swap) dNeg = ew.minimum(dNeg, pairwiseDistance(positive, negative, p, eps));
  const loss = ew.clampMin(ew.sub(ew.add(dPos, opts.margin ?? 1), dNeg), 0);
  return applyReduction(loss, opts.reduction, "triplet_margin_loss");
}
