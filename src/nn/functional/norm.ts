// nn.functional normalizations: batchNorm, instanceNorm, layerNorm, groupNorm through the backend's
// fused norm kernels (ops/norm.ts) where it has them, else, like rmsNorm, as compositions of
// reductions and elementwise ops (so their gradients come from autograd). Running
// statistics are updated in place outside the graph, with PyTorch's rule: new = (1 - momentum) * old +
// momentum * batch value, the variance being the unbiased one. Not here: the layers and their
// buffers (nn/layers/norm.ts).

import { fmtShape, numel } from "../../shape.js";
import type { Tensor } from "../../tensor.js";
import { add, mul, rsqrt, square, sub } from "../../ops/elementwise.js";
import { mean, varMean } from "../../ops/reduce.js";
import { reshape, view } from "../../ops/views.js";
import { copy_ } from "../../ops/inplace.js";
import { noGrad } from "../../autograd/gradmode.js";
import { fusedNorm, hasFusedNorm } from "../../ops/norm.js";

/** Options of batchNorm (PyTorch's arguments after `bias`). */
export interface BatchNormOptions {
  /** Normalize with the batch statistics and update the running ones (default false). */
  training?: boolean;
  /** Weight of the batch statistics in the running update (default 0.1). */
  momentum?: number;
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
}

/** Options of instanceNorm. */
export interface InstanceNormOptions {
  /** Normalize with each instance's statistics (default true) rather than the running ones. */
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/** Input (N, C, *) viewed as (N, C, S) for the fused kernels. */
function planes(input: Tensor): Tensor {
  return reshape(input, [input.shape[0]!, input.shape[1]!, -1]);
}

/** A per-channel vector (C) viewed to broadcast over (N, C, *spatial). */
function perChannel(v: Tensor, ndim: number): Tensor {
  return view(v, [1, v.shape[0]!, ...new Array<number>(ndim - 2).fill(1)]);
}

function checkVector(what: string, v: Tensor | null | undefined, C: number): void {
  if (v && (v.ndim !== 1 || v.shape[0] !== C))
    throw new RangeError(`${what} should contain ${C} elements not ${v.numel()}`);
}

/** running = (1 - momentum) * running + momentum * value, outside the graph. */
function updateRunning(running: Tensor, value: Tensor, momentum: number): void {
  noGrad(() => copy_(running, add(mul(value.detach(), momentum), mul(running, 1 - momentum))));
}

/**
 * Batch normalization over the channel dim 1 of input (N, C, *): statistics over all other dims
 * (`F.batch_norm`). In training the running statistics, when given, are updated in place.
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null | undefined,
  runningVar: Tensor | null | undefined,
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: BatchNormOptions = {},
): Tensor {
  const training = opts.training ?? false;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (input.ndim < 2)
    throw new RangeError(`batch_norm(): expected input with at least 2 dims (N, C, *), got ${fmtShape(input.shape)}`);
  const C = input.shape[1]!;
  checkVector("running_mean", runningMean, C);
  checkVector("running_var", runningVar, C);
  checkVector("weight", weight, C);
  checkVector("bias", bias, C);
  const dims = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2)];
  let y: Tensor;
  if (training) {
    const n = input.numel() / Math.max(C, 1);
    if (n === 1)
      throw new RangeError(
        `Expected more than 1 value per channel when training, got input size ${fmtShape(input.shape)}`,
      );
    if (hasFusedNorm(input, weight, bias)) {
      const { y: out, stats } = fusedNorm(
        planes(input),
        weight,
        bias,
        { mode: "batch", groups: C, eps },
        "native_batch_norm",
      );
      if (runningMean) updateRunning(runningMean, stats.select(0, 0), momentum);
      if (runningVar) updateRunning(runningVar, mul(stats.select(0, 1), n / (n - 1)), momentum);
      return reshape(out, [...input.shape]);
    }
    const [v, m] = varMean(input, dims, { correction: 0, keepdim: true });
    y = mul(sub(input, m), rsqrt(add(v, eps)));
    if (runningMean) updateRunning(runningMean, reshape(m, [C]), momentum);
    if (runningVar) updateRunning(runningVar, mul(reshape(v, [C]), n / (n - 1)), momentum);
  } else {
    if (!runningMean || !runningVar)
      throw new Error(`running_${runningMean ? "var" : "mean"} must be defined in evaluation mode`);
    const nd = input.ndim;
    y = mul(sub(input, perChannel(runningMean, nd)), rsqrt(add(perChannel(runningVar, nd), eps)));
  }
  if (weight) y = mul(y, perChannel(weight, input.ndim));
  if (bias) y = add(y, perChannel(bias, input.ndim));
  return y;
}

/**
 * Instance normalization: each (sample, channel) plane of input (N, C, *) normalized with its own
 * statistics (`F.instance_norm`). Running statistics, when given, get the batch mean of the
 * per-instance ones.
 */
export function instanceNorm(
  input: Tensor,
  runningMean?: Tensor | null,
  runningVar?: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: InstanceNormOptions = {},
): Tensor {
  const useInput = opts.useInputStats ?? true;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (input.ndim < 3)
    throw new RangeError(
      `instance_norm(): expected input (N, C, *spatial) with at least 3 dims, got ${fmtShape(input.shape)}`,
    );
  const C = input.shape[1]!;
  checkVector("running_mean", runningMean, C);
  checkVector("running_var", runningVar, C);
  checkVector("weight", weight, C);
  checkVector("bias", bias, C);
  if (!useInput) return batchNorm(input, runningMean, runningVar, weight, bias, { training: false, eps });
  const spatial = Array.from({ length: input.ndim - 2 }, (_, i) => i + 2);
  const n = numel(input.shape.slice(2));
  if (n === 1)
    throw new RangeError(`Expected more than 1 spatial element when training, got input size ${fmtShape(input.shape)}`);
  if (hasFusedNorm(input, weight, bias)) {
    const { y, stats } = fusedNorm(planes(input), weight, bias, { mode: "group", groups: C, eps }, "instance_norm");
    if (runningMean) updateRunning(runningMean, mean(reshape(stats.select(0, 0), [-1, C]), 0), momentum);
    if (runningVar)
      updateRunning(runningVar, mean(mul(reshape(stats.select(0, 1), [-1, C]), n / (n - 1)), 0), momentum);
    return reshape(y, [...input.shape]);
  }
  const [v, m] = varMean(input, spatial, { correction: 0, keepdim: true });
  let y = mul(sub(input, m), rsqrt(add(v, eps)));
  if (runningMean) updateRunning(runningMean, mean(reshape(m, [-1, C]), 0), momentum);
  if (runningVar) updateRunning(runningVar, mean(mul(reshape(v, [-1, C]), n / (n - 1)), 0), momentum);
  if (weight) y = mul(y, perChannel(weight, input.ndim));
  if (bias) y = add(y, perChannel(bias, input.ndim));
  return y;
}

/** A normalized shape argument: the sizes of the trailing dims. */
export type NormalizedShape = number | readonly number[];

function trailingDims(op: string, input: Tensor, normalizedShape: NormalizedShape, weight?: Tensor | null): number[] {
  const ns = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const k = ns.length;
  if (k === 0)
    throw new RangeError(
      `${op}(): Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []`,
    );
  const tail = input.shape.slice(input.ndim - k);
  if (input.ndim < k || tail.some((s, i) => s !== ns[i]))
    throw new RangeError(
      `Given normalized_shape=${fmtShape(ns)}, expected input with shape [*, ${ns.join(", ")}], but got input of size${fmtShape(input.shape)}`,
    );
  if (weight && (weight.ndim !== k || weight.shape.some((s, i) => s !== ns[i])))
    throw new RangeError(
      `Expected weight to be of same shape as normalized_shape, but got weight of shape ${fmtShape(weight.shape)} and normalized_shape = ${fmtShape(ns)}`,
    );
  return Array.from({ length: k }, (_, i) => input.ndim - k + i);
}

/** Layer normalization over the trailing dims given by `normalizedShape` (`F.layer_norm`). */
export function layerNorm(
  input: Tensor,
  normalizedShape: NormalizedShape,
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  const dims = trailingDims("layer_norm", input, normalizedShape, weight);
  if (bias && (bias.ndim !== dims.length || bias.shape.some((s, i) => s !== input.shape[dims[i]!])))
    throw new RangeError(
      `Expected bias to be of same shape as normalized_shape, but got bias of shape ${fmtShape(bias.shape)} and normalized_shape = ${fmtShape(dims.map((d) => input.shape[d]!))}`,
    );
  if (hasFusedNorm(input, weight, bias)) {
    // rows of the normalized size D: x (R, D, 1), the affine per element of a row
    const D = numel(dims.map((d) => input.shape[d]!));
    const flat = (v: Tensor | null | undefined) => v && reshape(v, [D]);
    const x3 = reshape(input, [-1, D, 1]);
    const geometry = { mode: "group", groups: 1, eps } as const;
    return reshape(fusedNorm(x3, flat(weight), flat(bias), geometry, "native_layer_norm").y, [...input.shape]);
  }
  const [v, m] = varMean(input, dims, { correction: 0, keepdim: true });
  let y = mul(sub(input, m), rsqrt(add(v, eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

/**
 * Group normalization: the channels of input (N, C, *) split into `numGroups` groups, each
 * normalized over its channels and spatial positions; weight and bias are per channel (`F.group_norm`).
 */
export function groupNorm(
  input: Tensor,
  numGroups: number,
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  if (input.ndim < 2)
    throw new RangeError(`group_norm(): expected input (N, C, *) with at least 2 dims, got ${fmtShape(input.shape)}`);
  const [N, C] = input.shape as [number, number];
  if (numGroups <= 0 || C % numGroups !== 0)
    throw new RangeError(
      `Expected number of channels in input to be divisible by num_groups, but got input of shape ${fmtShape(input.shape)} and num_groups=${numGroups}`,
    );
  for (const [what, v] of [
    ["weight", weight],
    ["bias", bias],
  ] as const)
    if (v && (v.ndim !== 1 || v.shape[0] !== C))
      throw new RangeError(
        `Expected ${what} to be a vector of size equal to the number of channels in input, but got ${what} of shape ${fmtShape(v.shape)} and input of shape ${fmtShape(input.shape)}`,
      );
  if (hasFusedNorm(input, weight, bias)) {
    const geometry = { mode: "group", groups: numGroups, eps } as const;
    return reshape(fusedNorm(planes(input), weight, bias, geometry, "native_group_norm").y, [...input.shape]);
  }
  const g = reshape(input, [N, numGroups, -1]);
  const [v, m] = varMean(g, 2, { correction: 0, keepdim: true });
  let y = reshape(mul(sub(g, m), rsqrt(add(v, eps))), [...input.shape]);
  if (weight) y = mul(y, perChannel(weight, input.ndim));
  if (bias) y = add(y, perChannel(bias, input.ndim));
  return y;
}

/** Machine epsilon of a float dtype (torch.finfo(dtype).eps). */
function finfoEps(dtype: string): number {
  switch (dtype) {
    case "float64":
      return 2.220446049250313e-16;
    case "float16":
      return 0.0009765625;
    case "bfloat16":
      return 0.0078125;
    default:
      return 1.1920928955078125e-7;
  }
}

/**
 * Root-mean-square normalization over the trailing dims: x / sqrt(mean(x^2) + eps) * weight
 * (`F.rms_norm` of PyTorch 2.4; `eps` defaults to the machine epsilon of the input's dtype).
 */
export function rmsNorm(
  input: Tensor,
  normalizedShape: NormalizedShape,
  weight?: Tensor | null,
  eps?: number | null,
): Tensor {
  const dims = trailingDims("rms_norm", input, normalizedShape, weight);
  const e = eps ?? finfoEps(input.dtype);
  let y = mul(input, rsqrt(add(mean(square(input), dims, true), e)));
  if (weight) y = mul(y, weight);
  return y;
}
