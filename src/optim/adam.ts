// Adam and AdamW: PyTorch 1.13's `_single_tensor_adam` / `_single_tensor_adamw` (AMSGrad, maximize;
// weight decay added to the gradient (L2) for Adam, decoupled (p ← p (1 − lr λ)) for AdamW). One step
// loop serves both; on the native CPU kernels a group's update is one fused call.

import { Tensor } from "../tensor.js";
import { zerosLike } from "../ops/creation.js";
import { fusedAdam, type AdamHyper, type AdamItem } from "../backends/cpu/native_optim.js";
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
function adamState(state: ParamState, p: Tensor, amsgrad: boolean): void {
  if (Object.keys(state).length !== 0) return;
  state.step = stepTensor(state);
  state.exp_avg = zerosLike(p);
  state.exp_avg_sq = zerosLike(p);
  if (amsgrad) state.max_exp_avg_sq = zerosLike(p);
}

/**
 * One parameter's update with tensor ops (any device and dtype), in PyTorch's op order: decay, moments
 * m ← β₁ m + (1 − β₁) g and v ← β₂ v + (1 − β₂) g², then
 * p ← p − lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + eps), v the running max of v with AMSGrad.
 */
function adamTensorStep(it: AdamItem, h: AdamHyper): void {
  const { p, expAvg, expAvgSq } = it;
  let grad = h.maximize ? it.grad.neg() : it.grad;
  if (h.decoupled) p.mul_(1 - h.lr * h.weightDecay);
  else if (h.weightDecay !== 0) grad = grad.add(p, { alpha: h.weightDecay });
  expAvg.mul_(h.beta1).add_(grad, { alpha: 1 - h.beta1 });
  expAvgSq.mul_(h.beta2).addcmul_(grad, grad, { value: 1 - h.beta2 });
  const stepSize = h.lr / (1 - h.beta1 ** it.step);
  const biasCorrection2Sqrt = Math.sqrt(1 - h.beta2 ** it.step);
  let v = expAvgSq;
  if (it.maxExpAvgSq) {
    it.maxExpAvgSq.maximum_(v);
    v = it.maxExpAvgSq;
  }
  const denom = v.sqrt().div(biasCorrection2Sqrt).add_(h.eps);
  p.addcdiv_(expAvg, denom, { value: -stepSize });
}

/** The step shared by Adam and AdamW; `decoupled` selects AdamW's weight decay. */
abstract class AdamFamily extends Optimizer<AdamOptions> {
  protected abstract readonly decoupled: boolean;

  protected override paramShapedStateKeys(): string[] {
    return ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];
  }

  protected updateGroup(group: ParamGroup): void {
    const [beta1, beta2] = group.betas as [number, number];
    const amsgrad = Boolean(group.amsgrad);
    const h: AdamHyper = {
      lr: group.lr,
      beta1,
      beta2,
      eps: num(group, "eps"),
      weightDecay: num(group, "weightDecay"),
      amsgrad,
      maximize: Boolean(group.maximize),
      decoupled: this.decoupled,
    };
    const items: AdamItem[] = [];
    for (const [p, grad] of withGrad(group)) {
      const state = this.stateOf(p);
      adamState(state, p, amsgrad);
      if (amsgrad && !(state.max_exp_avg_sq instanceof Tensor))
        throw new Error(
          `${this.decoupled ? "AdamW" : "Adam"}: amsgrad is on but a parameter's state has no max_exp_avg_sq`,
        );
      const stepT = stepTensor(state);
      stepT.add_(1);
      items.push({
        p,
        grad,
        expAvg: state.exp_avg as Tensor,
        expAvgSq: state.exp_avg_sq as Tensor,
        maxExpAvgSq: amsgrad ? (state.max_exp_avg_sq as Tensor) : null,
        step: stepT.item(),
      });
    }
    if (fusedAdam(items, h)) return;
    for (const it of items) adamTensorStep(it, h);
  }
}

/** Adam (PyTorch's `torch.optim.Adam`); weight decay is added to the gradient (L2), unlike AdamW. */
export class Adam extends AdamFamily {
  protected readonly decoupled = false;

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
}

/** AdamW (PyTorch's `torch.optim.AdamW`): weight decay (default 1e-2) shrinks the weights directly. */
export class AdamW extends AdamFamily {
  protected readonly decoupled = true;

  /** `new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 1e-2 })`. */
  constructor(params: Params<AdamOptions>, options: AdamOptions = {}) {
    super(
      "AdamW",
      params,
      { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, ...options },
      { foreach: null, capturable: false },
    );
  }

  protected override validate(o: Record<string, unknown>): void {
    checkAdamLike("AdamW", o);
  }
}
