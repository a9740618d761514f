// Adam (with AMSGrad, weight decay as an L2 term, maximize): PyTorch 1.13's `_single_tensor_adam`.

import { Tensor } from "../tensor.js";
import { zerosLike } from "../ops/creation.js";
import {
  check,
  checkBetas,
  num,
  Optimizer,
  stepTensor,
  withGrad,
  type ParamGroup,
  type ParamState,
  type Params,
} from "./optimizer.js";

/** Options of Adam and AdamW. */
export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

/** Validation shared by the Adam family. */
export function checkAdamLike(opt: string, o: Record<string, unknown>): void {
  check(opt, o.lr, (v) => v >= 0, "learning rate");
  check(opt, o.eps, (v) => v >= 0, "epsilon value");
  checkBetas(opt, o.betas);
  check(opt, o.weightDecay, (v) => v >= 0, "weightDecay value");
}

/** Lazily created Adam state: step, exp_avg, exp_avg_sq (and max_exp_avg_sq with AMSGrad). */
export function adamState(state: ParamState, p: Tensor, amsgrad: boolean): void {
  if (Object.keys(state).length !== 0) return;
  state.step = stepTensor(state);
  state.exp_avg = zerosLike(p);
  state.exp_avg_sq = zerosLike(p);
  if (amsgrad) state.max_exp_avg_sq = zerosLike(p);
}

/**
 * The bias-corrected Adam update shared by Adam and AdamW, once moments are updated:
 * p ← p − lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + eps), v the running max of v with AMSGrad.
 */
export function adamUpdate(p: Tensor, state: ParamState, group: ParamGroup, step: number): void {
  const [beta1, beta2] = group.betas as [number, number];
  const expAvg = state.exp_avg as Tensor;
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const stepSize = group.lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  let v = state.exp_avg_sq as Tensor;
  if (group.amsgrad) {
    const maxSq = state.max_exp_avg_sq as Tensor;
    maxSq.maximum_(v);
    v = maxSq;
  }
  const denom = v.sqrt().div(biasCorrection2Sqrt).add_(num(group, "eps"));
  p.addcdiv_(expAvg, denom, { value: -stepSize });
}

/** Adam (PyTorch's `torch.optim.Adam`); weight decay is added to the gradient (L2), unlike AdamW. */
export class Adam extends Optimizer<AdamOptions> {
  /** `new Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999] })`. */
  constructor(params: Params<AdamOptions>, options: AdamOptions = {}) {
    super(
      "Adam",
      params,
      { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...options },
      { foreach: null, capturable: false, differentiable: false, fused: false },
    );
  }

  protected override validate(o: Record<string, unknown>): void {
    checkAdamLike("Adam", o);
  }

  protected override paramShapedStateKeys(): string[] {
    return ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];
  }

  protected updateGroup(group: ParamGroup): void {
    const [beta1, beta2] = group.betas as [number, number];
    const weightDecay = num(group, "weightDecay");
    for (const [p, g] of withGrad(group)) {
      const state = this.stateOf(p);
      adamState(state, p, Boolean(group.amsgrad));
      let grad = group.maximize ? g.neg() : g;
      const stepT = stepTensor(state);
      stepT.add_(1);
      if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
      (state.exp_avg as Tensor).mul_(beta1).add_(grad, { alpha: 1 - beta1 });
      (state.exp_avg_sq as Tensor).mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
      adamUpdate(p, state, group, stepT.item());
    }
  }
}
