// The normalization primitive behind layer, group, instance and batch norm: x viewed as (N, C, S),
// statistics per group of channels of a sample or per channel across samples (`NormGeometry`), then
// (x - mean) / sqrt(var + eps) * weight + bias, all in one kernel (`Kernels.norm`), which also hands the
// mean and biased variance to the caller (for running statistics). The backward is one kernel too
// (`Kernels.normGrad`: dx, dweight, dbias; per group, with xhat = (x - mean) * rstd and dy = g * w,
//   dx = rstd * (dy - mean(dy) - xhat * mean(dy * xhat)),  dw = sum(g * xhat),  db = sum(g)
// the sums of dw and db over samples and positions) in a plain backward, and those formulas as tensor
// ops when the backward builds a graph. Backends without the kernels use nn.functional's compositions.

import type { NormGeometry } from "../backend.js";
import type { Tensor } from "../tensor.js";
import { isGradEnabled } from "../autograd/gradmode.js";
import { apply, named, seqNow, type Prim } from "./prim.js";
import { add, mul, rsqrt, sub } from "./elementwise.js";
import { mean, sum, varMean } from "./reduce.js";
import { contiguous, narrow, reshape, view } from "./views.js";
import { empty } from "./creation.js";

interface NormParams extends NormGeometry {
  readonly hasWeight: boolean;
  readonly hasBias: boolean;
  /** Receives the mean and biased variance per statistics group (2, K); not differentiated. */
  readonly stats: Tensor;
}

/** The weight and bias among a norm primitive's inputs [x, weight?, bias?]. */
function affine(inputs: readonly unknown[], p: NormParams): [unknown, unknown] {
  return [p.hasWeight ? inputs[1] : null, p.hasBias ? inputs[p.hasWeight ? 2 : 1] : null];
}

const normPrim: Prim<NormParams> = {
  name: "norm",
  infer: ([x]) => ({ shape: [...x!.shape], dtype: x!.dtype }),
  run(k, inputs, out, p) {
    const [w, b] = affine(inputs, p) as [typeof out | null, typeof out | null];
    k.norm!(inputs[0]!, w, b, out, p.stats, p);
  },
  overwrites: true,
  saves: { inputs: [0, 1] },
  grad(g, { inputs: [x, w], params: p, needs }) {
    const weight = p.hasWeight ? w! : null;
    const [dx, dw, db] =
      !isGradEnabled() && x!.backend.kernels.normGrad ? fusedGrad(g, x!, weight, p) : composedGrad(g, x!, weight, p);
    const grads = [needs[0] ? dx : null];
    if (p.hasWeight) grads.push(needs[1] ? dw : null);
    if (p.hasBias) grads.push(needs[grads.length] ? db : null);
    return grads;
  },
};

/** Operands: g (N, C, S) contiguous, x, weight when given; out: dx, dweight, dbias flattened. */
const normGradPrim: Prim<NormParams> = {
  name: "norm_backward",
  infer: ([g, x]) => ({ shape: [x!.numel() + 2 * x!.shape[1]!], dtype: g!.dtype }),
  run(k, [g, x, w], out, p) {
    k.normGrad!(g!, x!, p.hasWeight ? w! : null, out, p);
  },
  overwrites: true,
  grad: null, // only used while grad mode is off
};

function fusedGrad(g: Tensor, x: Tensor, w: Tensor | null, p: NormParams): Tensor[] {
  const packed = apply(normGradPrim, w ? [contiguous(g), x, w] : [contiguous(g), x], p);
  const [n, C] = [x.numel(), x.shape[1]!];
  return [view(narrow(packed, 0, 0, n), [...x.shape]), narrow(packed, 0, n, C), narrow(packed, 0, n + C, C)];
}

/** The same gradients as tensor ops, differentiable (x's statistics recomputed from x). */
function composedGrad(g: Tensor, x: Tensor, w: Tensor | null, p: NormParams): Tensor[] {
  const [N, C, S] = x.shape as [number, number, number];
  // statistics groups as reduced dims: (N, groups, C / groups * S) over dim 2, or (N, C, S) over 0 and 2
  const grouped = (t: Tensor) => (p.mode === "group" ? reshape(t, [N, p.groups, -1]) : t);
  const dims = p.mode === "group" ? [2] : [0, 2];
  const xs = grouped(x);
  const [v, m] = varMean(xs, dims, { correction: 0, keepdim: true });
  const rstd = rsqrt(add(v, p.eps));
  const xhat = mul(sub(xs, m), rstd);
  const dy = grouped(w ? mul(g, view(w, [1, C, 1])) : g);
  const dx = mul(rstd, sub(sub(dy, mean(dy, dims, true)), mul(xhat, mean(mul(dy, xhat), dims, true))));
  const xh = reshape(xhat, [N, C, S]);
  return [reshape(dx, [N, C, S]), sum(mul(g, xh), [0, 2]), sum(g, [0, 2])];
}

/** Whether the backend's fused kernels serve this input with this weight and bias (same dtype). */
export function hasFusedNorm(x: Tensor, weight?: Tensor | null, bias?: Tensor | null): boolean {
  return (
    !!x.backend.kernels.norm &&
    x.isFloatingPoint() &&
    x.numel() > 0 &&
    (!weight || weight.dtype === x.dtype) &&
    (!bias || bias.dtype === x.dtype)
  );
}

/**
 * Normalize x (N, C, S) with the backend's kernel (`hasFusedNorm` holds; weight and bias (C) or
 * null); returns the output (named after PyTorch's op `op`) and the statistics (2, K): the mean and
 * the biased variance of each group, as constants.
 */
export function fusedNorm(
  x: Tensor,
  weight: Tensor | null | undefined,
  bias: Tensor | null | undefined,
  geometry: NormGeometry,
  op: string,
): { y: Tensor; stats: Tensor } {
  const [N, C] = x.shape as [number, number];
  const K = geometry.mode === "batch" ? C : N * geometry.groups;
  const stats = empty([2, K], { dtype: x.dtype === "float64" ? "float64" : "float32", device: x.device });
  const p: NormParams = { ...geometry, hasWeight: !!weight, hasBias: !!bias, stats };
  const inputs = [contiguous(x), ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const since = seqNow();
  return { y: named(apply(normPrim, inputs, p), op, since), stats };
}
