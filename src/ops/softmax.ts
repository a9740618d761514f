// The softmax primitive: softmax or log-softmax along a dim in one kernel (`Kernels.softmax`: the
// row's max, the sum of exp(x - max), then every output), instead of five elementwise and reduction
// passes. Its gradient, from the saved output:
//   softmax:     gx = y * (g - sum(g * y))
//   log-softmax: gx = g - exp(y) * sum(g)
// (sums along the dim) runs as one kernel (`Kernels.softmaxGrad`) in a plain backward, and as tensor
// ops when the backward builds a graph (createGraph), so gradients of gradients work. `softmax` / `logSoftmax` (torch.*, Tensor methods, nn.functional) cast to
// the requested dtype and pick PyTorch's default dim.

import type { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";
import { normDim } from "../shape.js";
import { apply, named, seqNow, type Prim } from "./prim.js";
import { exp, mul, sub, toDtype } from "./elementwise.js";
import { sum } from "./reduce.js";
import { movedim, squeeze, unsqueeze } from "./views.js";
import { isGradEnabled } from "../autograd/gradmode.js";

interface SoftmaxParams {
  /** log-softmax instead of softmax. */
  log: boolean;
}

/** Softmax over the last dim of its input. */
const softmaxPrim: Prim<SoftmaxParams> = {
  name: "softmax",
  infer(inputs, p) {
    const x = inputs[0]!;
    if (!x.isFloatingPoint())
      throw new TypeError(`${p.log ? "log_softmax" : "softmax"}(): expected a floating point input, got ${x.dtype}`);
    return { shape: [...x.shape], dtype: x.dtype };
  },
  run(k, [x], out, p) {
    k.softmax(x!, out, p.log);
  },
  saves: { output: true },
  overwrites: true,
  grad(g, { out, params }) {
    // a plain backward runs the backend's fused kernel; a graph of the gradient needs the tensor ops
    if (!isGradEnabled() && out.backend.kernels.softmaxGrad) return [apply(softmaxGradPrim, [out, g], params)];
    if (params.log) return [sub(g, mul(exp(out), sum(g, -1, true)))];
    return [mul(out, sub(g, sum(mul(g, out), -1, true)))];
  },
};

/** The gradient of softmax / log-softmax from its output y and the output's gradient g, in one kernel. */
const softmaxGradPrim: Prim<SoftmaxParams> = {
  name: "softmax_backward",
  infer: ([y, g]) => ({ shape: [...y!.shape], dtype: g!.dtype }),
  run(k, [y, g], out, p) {
    k.softmaxGrad!(y!, g!, out, p.log);
  },
  overwrites: true,
  grad: null, // only used while grad mode is off
};

/** softmax (or log-softmax with `log`) of a floating, non-empty x along `dim`. */
function softmaxAlong(x: Tensor, dim: number, log: boolean): Tensor {
  const d = normDim(dim, x.ndim, log ? "log_softmax" : "softmax");
  const last = x.ndim - 1;
  const since = seqNow();
  const y = apply(softmaxPrim, [d === last ? x : movedim(x, d, last)], { log });
  // the node the user sees is named as PyTorch's (SoftmaxBackward0, LogSoftmaxBackward0)
  return named(d === last ? y : movedim(y, last, d), log ? "log_softmax" : "softmax", since);
}

/** PyTorch's legacy choice of softmax dim when none is given: 0 for 0-, 1- and 3-D inputs, else 1. */
export function softmaxDim(x: Tensor, dim: number | null | undefined, op: string): number {
  if (dim === undefined || dim === null) return x.ndim === 0 || x.ndim === 1 || x.ndim === 3 ? 0 : 1;
  return normDim(dim, x.ndim, op);
}

/** The input cast to `dtype` when given (PyTorch casts before the op, to avoid overflow). */
export function castFor(x: Tensor, dtype: DType | string | undefined, op: string): Tensor {
  const xx = dtype ? toDtype(x, dtype) : x;
  if (!xx.isFloatingPoint())
    throw new TypeError(`${op}(): expected a floating point input, got ${xx.dtype} (pass { dtype })`);
  return xx;
}

/** exp(x) / sum(exp(x)) along `dim`, computed with the max subtracted. */
export function softmax(x: Tensor, dim?: number | null, opts: { dtype?: DType | string } = {}): Tensor {
  return softmaxOp(x, dim, opts.dtype, false);
}

/** log(softmax(x)) along `dim`, computed stably. */
export function logSoftmax(x: Tensor, dim?: number | null, opts: { dtype?: DType | string } = {}): Tensor {
  return softmaxOp(x, dim, opts.dtype, true);
}

/** softmax or logSoftmax: cast, PyTorch's default dim, 0-dim and empty inputs, then the primitive. */
function softmaxOp(x: Tensor, dim: number | null | undefined, dtype: DType | string | undefined, log: boolean): Tensor {
  const op = log ? "log_softmax" : "softmax";
  const xx = castFor(x, dtype, op);
  const d = softmaxDim(xx, dim, op);
  if (xx.ndim === 0) return squeeze(softmaxOp(unsqueeze(xx, 0), 0, undefined, log), 0);
  if (xx.numel() === 0) return xx.clone();
  return softmaxAlong(xx, d, log);
}
