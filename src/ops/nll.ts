// The NLL primitive: the negative log-likelihood of class indices given log-probabilities, picked,
// weighted and reduced by one kernel (`Kernels.nllLoss`) instead of a dozen elementwise, gather and
// reduction ops. Its gradient is a second primitive (`Kernels.nllLossGrad`: -w[t] * g scattered into
// zeros, divided by the summed weights for "mean"), whose own gradient wrt g is the NLL of gg again,
// so gradients of gradients work. Used by nn.functional's nllLoss / crossEntropy where the backend
// has the kernels (the op layer composes the loss elsewhere).

import type { NllGeometry } from "../backend.js";
import type { Tensor } from "../tensor.js";
import { apply, type Prim } from "./prim.js";

/** Operands: logp (..., C) with the class dim last, target (...), and the class weights when given. */
const nllPrim: Prim<NllGeometry> = {
  name: "nll_loss",
  infer: ([logp, target], p) => ({ shape: p.reduction === "none" ? [...target!.shape] : [], dtype: logp!.dtype }),
  run(k, [logp, target, weight], out, p) {
    k.nllLoss!(logp!, target!, weight ?? null, out, p);
  },
  overwrites: true,
  saves: { inputs: [1, 2] },
  grad(g, { inputs: [, target, weight], meta, params }) {
    const ops = weight ? [g, target!, weight] : [g, target!];
    return [apply(nllGradPrim, ops, { ...params, classShape: meta[0]!.shape })];
  },
};

interface NllGradParams extends NllGeometry {
  /** Shape of the forward's logp. */
  readonly classShape: readonly number[];
}

/** Operands: g (target's shape, or 0-dim), target, the class weights when given; out like logp. */
const nllGradPrim: Prim<NllGradParams> = {
  name: "nll_loss_backward",
  infer: ([g], p) => ({ shape: [...p.classShape], dtype: g!.dtype }),
  run(k, [g, target, weight], out, p) {
    k.nllLossGrad!(g!, target!, weight ?? null, out, p);
  },
  saves: { inputs: [1, 2] },
  grad(gg, { inputs: [, target, weight], params }) {
    const { ignoreIndex, reduction, op } = params;
    return [apply(nllPrim, weight ? [gg, target!, weight] : [gg, target!], { ignoreIndex, reduction, op })];
  },
};

/** Whether the fused NLL serves these operands (the weight takes no gradient through it). */
export function hasFusedNll(logp: Tensor, weight: Tensor | null | undefined): boolean {
  return !!logp.backend.kernels.nllLoss && !weight?.requiresGrad;
}

/**
 * NLL of logp (..., C), class dim last, against integer target (...), through the backend's kernel;
 * the caller has checked the shapes and that `hasFusedNll` holds.
 */
export function fusedNll(logp: Tensor, target: Tensor, weight: Tensor | null | undefined, p: NllGeometry): Tensor {
  return apply(nllPrim, weight ? [logp, target, weight] : [logp, target], p);
}
