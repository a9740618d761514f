// nn.functional activations: the pointwise ones reuse the elementwise primitives of ops/elementwise.ts;
// the rest (relu6, hardswish, hardsigmoid, logsigmoid, prelu, softmin, glu) are compositions, so
// autograd comes for free; softmax and logSoftmax are a primitive of their own (ops/softmax.ts),
// re-exported here. Not here: the layers (nn/layers/activation.ts).
//
// Where a composition selects between branches with `where`, the unselected branch is fed a harmless
// value (`where(mask, x, 0)`), so an Inf there cannot turn a masked gradient into 0 * Inf = NaN.

import type { Tensor } from "../../tensor.js";
import type { DType } from "../../dtype.js";
import { normDim } from "../../shape.js";
import * as ew from "../../ops/elementwise.js";
import { inplace } from "../../ops/inplace.js";
import { reshape } from "../../ops/views.js";
import { chunk } from "../../ops/shape_ops.js";
import { apply } from "../../ops/prim.js";
import { castFor, softmax, softmaxDim } from "../../ops/softmax.js";

export { softmax, logSoftmax } from "../../ops/softmax.js";

/** Run `fn` out of place, or write its result into `x` (PyTorch's `inplace=True`). */
function maybeInplace(x: Tensor, isInplace: boolean, name: string, fn: (t: Tensor) => Tensor): Tensor {
  return isInplace ? inplace(x, `${name}_`, fn) : fn(x);
}

/** max(x, 0) (`F.relu`). */
export function relu(x: Tensor, isInplace = false): Tensor {
  return maybeInplace(x, isInplace, "relu", ew.relu);
}

/** min(max(x, 0), 6): hardtanh(x, 0, 6), with a zero gradient at 0 and 6 as in PyTorch. */
export function relu6(x: Tensor, isInplace = false): Tensor {
  return maybeInplace(x, isInplace, "relu6", (t) => ew.hardtanh(t, 0, 6));
}

/** clamp(x, minVal, maxVal) with a zero gradient outside (minVal, maxVal). */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1, isInplace = false): Tensor {
  if (minVal > maxVal)
    throw new RangeError(`hardtanh(): min_val (${minVal}) cannot be greater than max_val (${maxVal})`);
  return maybeInplace(x, isInplace, "hardtanh", (t) => ew.hardtanh(t, minVal, maxVal));
}

/** x for x > 0, negativeSlope * x otherwise. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01, isInplace = false): Tensor {
  return maybeInplace(x, isInplace, "leaky_relu", (t) => ew.leakyRelu(t, negativeSlope));
}

/**
 * PReLU: x for x > 0, weight * x otherwise, with one weight per channel (dim 1) or one shared weight.
 * At x = 0 the input gradient is the weight's, as in PyTorch.
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  const n = weight.numel();
  let w = weight;
  if (n !== 1) {
    const channels = x.ndim >= 2 ? x.shape[1]! : 1;
    if (n !== channels)
      throw new RangeError(
        `prelu(): Mismatch of parameter numbers and input channel size. Found parameter numbers = ${n} and channel size = ${channels}.`,
      );
    // (C) -> (1, C, 1, ..., 1) to broadcast along dim 1
    w = reshape(
      weight,
      x.shape.map((_, i) => (i === 1 ? n : 1)),
    );
  } else if (weight.ndim > x.ndim) w = reshape(weight, []);
  return ew.where(ew.gt(x, 0), x, ew.mul(w, x));
}

/** ELU: x for x > 0, alpha (e^x - 1) otherwise. */
export function elu(x: Tensor, alpha = 1, isInplace = false): Tensor {
  return maybeInplace(x, isInplace, "elu", (t) => ew.elu(t, alpha));
}

/** SELU: scale * elu(x, alpha) with the self-normalising constants. */
export function selu(x: Tensor, isInplace = false): Tensor {
  return maybeInplace(x, isInplace, "selu", ew.selu);
}

/** CELU: max(0, x) + min(0, alpha (e^(x / alpha) - 1)). */
export function celu(x: Tensor, alpha = 1, isInplace = false): Tensor {
  if (alpha === 0) throw new RangeError("celu(): ZeroDivisionError: alpha cannot be 0 for CELU");
  // elu's primitive takes (alpha, scale, input scale): celu is elu with input scale 1 / alpha
  return maybeInplace(x, isInplace, "celu", (t) => apply(ew.unaryPrims.elu, [t], [alpha, 1, 1 / alpha]));
}

/** GELU, exact (erf) or with `approximate: "tanh"`. */
export function gelu(x: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor {
  const a = opts.approximate ?? "none";
  if (a !== "none" && a !== "tanh") throw new RangeError(`gelu(): approximate argument must be either none or tanh.`);
  return ew.gelu(x, { approximate: a });
}

/** SiLU (swish): x * sigmoid(x). */
export function silu(x: Tensor, isInplace = false): Tensor {
  return maybeInplace(x, isInplace, "silu", ew.silu);
}

/** Mish: x * tanh(softplus(x)). */
export function mish(x: Tensor, isInplace = false): Tensor {
  return maybeInplace(x, isInplace, "mish", ew.mish);
}

/** 1 / (1 + e^-x). */
export function sigmoid(x: Tensor): Tensor {
  return ew.sigmoid(x);
}

/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  return ew.tanh(x);
}

/** log(1 + e^(beta x)) / beta, and x itself where beta x > threshold. */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return ew.softplus(x, beta, threshold);
}

/**
 * Hardswish: x * relu6(x + 3) / 6. Written with `where` so the gradient matches PyTorch's at the
 * kinks: 0 below -3, x / 3 + 0.5 on [-3, 3), 1 from 3 on (PyTorch's vectorised CPU kernel; its scalar
 * tail loop, used for the last few elements of a tensor, gives 1.5 at exactly 3).
 */
export function hardswish(x: Tensor, isInplace = false): Tensor {
  return maybeInplace(x, isInplace, "hardswish", (t) => {
    const mid = ew.where(ew.gt(ew.abs(t), 3), 0, t); // NaN stays, so its gradient is NaN as in PyTorch
    const inner = ew.div(ew.mul(mid, ew.add(mid, 3)), 6);
    // x * 0 below -3 (not 0): -0 for finite x and NaN for -Inf, as PyTorch's product gives
    return ew.where(ew.ge(t, 3), t, ew.where(ew.lt(t, -3), ew.mul(t, 0), inner));
  });
}

/** Hardsigmoid: relu6(x + 3) / 6, with gradient 1/6 strictly inside (-3, 3). */
export function hardsigmoid(x: Tensor, isInplace = false): Tensor {
  return maybeInplace(x, isInplace, "hardsigmoid", (t) => ew.div(ew.hardtanh(ew.add(t, 3), 0, 6), 6));
}

/** log(sigmoid(x)) computed stably as -softplus(-x). */
export function logsigmoid(x: Tensor): Tensor {
  return ew.neg(ew.softplus(ew.neg(x), 1, 20));
}

/** GLU: a * sigmoid(b), where a and b are the two halves of x along `dim`. */
export function glu(x: Tensor, dim = -1): Tensor {
  if (x.ndim === 0) throw new RangeError("glu(): glu does not support scalars because halving size must be even");
  const d = normDim(dim, x.ndim, "glu");
  if (x.shape[d]! % 2 !== 0)
    throw new RangeError(`glu(): Halving dimension must be even, but dimension ${d} is size ${x.shape[d]}`);
  const [a, b] = chunk(x, 2, d);
  return ew.mul(a!, ew.sigmoid(b!));
}

/** softmax(-x) along `dim`. */
export function softmin(x: Tensor, dim?: number | null, opts: { dtype?: DType | string } = {}): Tensor {
  const xx = castFor(x, opts.dtype, "softmin");
  return softmax(ew.neg(xx), dim ?? softmaxDim(xx, dim, "softmin"));
}
